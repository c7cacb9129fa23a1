import { Arg, Authorized, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from 'type-graphql';
import { Role } from '../../common/role';
import { actorOf, type RequestContext } from '../shared/request-context';
import type { Provider } from './provider.entity';
import type { ProviderService } from './provider.service';
import { CreateProviderInput, ProviderType, UpdateProviderInput } from './provider.types';

@Resolver(() => ProviderType)
export class ProviderResolver {
  constructor(private readonly providerService: ProviderService) {}

  @Query(() => [ProviderType], { description: 'Every provider, by slug.' })
  providers(@Ctx() ctx: RequestContext): Promise<Provider[]> {
    return ctx.loaders.allProviders();
  }

  @Query(() => ProviderType, { nullable: true, description: 'One provider by slug; null when there is none.' })
  provider(
    @Arg('slug', { description: 'The provider slug, e.g. "openrouter".' }) slug: string,
    @Ctx() ctx: RequestContext,
  ): Promise<Provider | null> {
    return ctx.loaders.providerBySlug.load(slug);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => ProviderType, { description: 'Registers a provider with its six empty slots. ADMIN only.' })
  createProvider(@Arg('input', { description: 'The new provider.' }) input: CreateProviderInput, @Ctx() ctx: RequestContext): Promise<Provider> {
    return this.providerService.create(actorOf(ctx), input);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => ProviderType, { description: "Changes a provider's settings, shared key included. ADMIN only." })
  updateProvider(@Arg('input', { description: 'The changes.' }) input: UpdateProviderInput, @Ctx() ctx: RequestContext): Promise<Provider> {
    return this.providerService.update(actorOf(ctx), input);
  }

  @FieldResolver(() => Boolean, { description: 'Whether a shared API key is set; the key itself is write-only and never returned.' })
  hasSharedApiKey(@Root() provider: Provider): boolean {
    return provider.sharedApiKeyHint !== null;
  }
}
