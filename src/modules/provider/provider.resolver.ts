import { Arg, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../../graphql/context';
import { ActiveModelSlotType } from '../activation/activation.types';
import type { SlotView } from '../activation/activation-query.service';
import { AIModelType } from '../model/ai-model.types';
import type { AIModel } from '../model/ai-model.entity';
import type { Provider } from './provider.entity';
import { CreateProviderInput, ProviderType, UpdateProviderInput } from './provider.types';

@Resolver(() => ProviderType)
export class ProviderResolver {
  @Query(() => [ProviderType], { description: 'Every provider, by slug.' })
  providers(@Ctx() ctx: RequestContext): Promise<Provider[]> {
    return ctx.loaders.allProviders();
  }

  @Query(() => ProviderType, { nullable: true, description: 'One provider by slug; null when there is none.' })
  provider(@Arg('slug', { description: 'The provider slug, e.g. "openrouter".' }) slug: string, @Ctx() ctx: RequestContext): Promise<Provider | null> {
    return ctx.loaders.providerBySlug.load(slug);
  }

  @Mutation(() => ProviderType, { description: 'Registers a provider with its six empty slots. ADMIN only.' })
  createProvider(@Arg('input', { description: 'The new provider.' }) input: CreateProviderInput, @Ctx() ctx: RequestContext): Promise<Provider> {
    return ctx.services.providers.create(ctx, input);
  }

  @Mutation(() => ProviderType, { description: "Changes a provider's settings, shared key included. ADMIN only." })
  updateProvider(@Arg('input', { description: 'The changes.' }) input: UpdateProviderInput, @Ctx() ctx: RequestContext): Promise<Provider> {
    return ctx.services.providers.update(ctx, input);
  }

  @FieldResolver(() => Boolean, { description: 'Whether a shared API key is set; the key itself is write-only and never returned.' })
  hasSharedApiKey(@Root() provider: Provider): boolean {
    return provider.sharedApiKeyHint !== null;
  }

  @FieldResolver(() => [AIModelType], { description: 'The models of this provider (deleted ones excluded), by name.' })
  models(@Root() provider: Provider, @Ctx() ctx: RequestContext): Promise<AIModel[]> {
    return ctx.loaders.liveModelsByProviderId.load(provider.id);
  }

  @FieldResolver(() => [ActiveModelSlotType], { description: 'The held slots of this provider, in capability order.' })
  async activeModels(@Root() provider: Provider, @Ctx() ctx: RequestContext): Promise<SlotView[]> {
    return (await ctx.loaders.slotsByProviderId.load(provider.id)).filter((s) => s.modelId !== null);
  }
}
