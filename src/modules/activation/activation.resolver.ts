import { Arg, Args, ArgsType, Ctx, Field, FieldResolver, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../../graphql/context';
import { Capability } from '../../graphql/enums';
import { PageArgs } from '../../graphql/page-args';
import { AIModelType, ActivateModelInput, DeactivateModelInput } from '../model/ai-model.types';
import type { AIModel } from '../model/ai-model.entity';
import { ProviderType } from '../provider/provider.types';
import type { Provider } from '../provider/provider.entity';
import {
  ActivateModelPayload,
  ActiveModelChangeConnection,
  ActiveModelChangeType,
  ActiveModelSlotType,
  DeactivateModelPayload,
} from './activation.types';
import type { SlotView } from './activation-query.service';
import { toCursor, type ChangeRecord } from './change-record';

@ArgsType()
class ActivationHistoryArgs extends PageArgs {
  @Field({ description: 'The provider slug.' })
  provider: string;

  @Field(() => Capability, { nullable: true, description: 'Only this slot; default: every slot of the provider.' })
  capability?: Capability | null;
}

@Resolver()
export class ActivationResolver {
  @Query(() => AIModelType, {
    nullable: true,
    description:
      'The active model of a provider for a capability; null when the slot is empty. With `at`, the model that held the slot at that instant (from the history). Unknown provider slug: NOT_FOUND.',
  })
  activeModel(
    @Arg('provider', { description: 'The provider slug.' }) provider: string,
    @Arg('capability', () => Capability, { description: 'The capability (slot).' }) capability: Capability,
    @Arg('at', () => Date, { nullable: true, description: 'An instant in the past; a future instant answers the present.' }) at: Date | null,
    @Ctx() ctx: RequestContext,
  ): Promise<AIModel | null> {
    return ctx.services.activationQueries.activeModel(ctx, provider, capability, at);
  }

  @Query(() => [ActiveModelSlotType], { description: 'Held slots, by provider slug then capability; optionally of one provider.' })
  activeModels(
    @Arg('provider', () => String, { nullable: true, description: 'Only this provider (slug).' }) provider: string | null,
    @Ctx() ctx: RequestContext,
  ): Promise<SlotView[]> {
    return ctx.services.activationQueries.activeModels(ctx, provider);
  }

  @Query(() => ActiveModelChangeConnection, { description: 'The changes of a provider’s slots, newest first.' })
  async activationHistory(@Args() args: ActivationHistoryArgs, @Ctx() ctx: RequestContext): Promise<ActiveModelChangeConnection> {
    const page = await ctx.services.activationQueries.history(ctx, { ...args, first: args.first ?? 20 });
    const edges = page.changes.map((node) => ({ cursor: toCursor(node.id), node }));
    return { edges, pageInfo: { hasNextPage: page.hasNextPage, endCursor: edges.at(-1)?.cursor ?? null } };
  }

  @Mutation(() => ActivateModelPayload, { description: 'Gives the model its slots, taking each from its holder atomically. ADMIN only.' })
  async activateModel(@Arg('input', { description: 'Which model, which slots.' }) input: ActivateModelInput, @Ctx() ctx: RequestContext): Promise<ActivateModelPayload> {
    const result = await ctx.services.activation.activate(ctx, input);
    const deactivated = await ctx.loaders.modelById.loadMany(result.deactivatedIds);
    return { model: result.model, changes: result.changes, deactivated: deactivated.filter((m) => m && !(m instanceof Error)) };
  }

  @Mutation(() => DeactivateModelPayload, { description: 'Empties slots the model holds. ADMIN only.' })
  deactivateModel(@Arg('input', { description: 'Which model, which slots.' }) input: DeactivateModelInput, @Ctx() ctx: RequestContext): Promise<DeactivateModelPayload> {
    return ctx.services.activation.deactivate(ctx, input);
  }
}

@Resolver(() => ActiveModelSlotType)
export class ActiveModelSlotResolver {
  @FieldResolver(() => ProviderType, { description: 'The provider of the slot.' })
  async provider(@Root() slot: SlotView, @Ctx() ctx: RequestContext): Promise<Provider> {
    return (await ctx.loaders.providerById.load(slot.providerId))!;
  }

  @FieldResolver(() => AIModelType, { description: 'The model holding the slot.' })
  async model(@Root() slot: SlotView, @Ctx() ctx: RequestContext): Promise<AIModel> {
    return (await ctx.loaders.modelById.load(slot.modelId!))!;
  }
}

@Resolver(() => ActiveModelChangeType)
export class ActiveModelChangeResolver {
  @FieldResolver(() => String, { description: 'Opaque; increases in commit order. See activeModelChanged(since:).' })
  cursor(@Root() change: ChangeRecord): string {
    return toCursor(change.id);
  }

  @FieldResolver(() => ProviderType, { description: 'The provider of the slot.' })
  async provider(@Root() change: ChangeRecord, @Ctx() ctx: RequestContext): Promise<Provider> {
    return (await ctx.loaders.providerById.load(change.providerId))!;
  }

  @FieldResolver(() => AIModelType, { nullable: true, description: 'The new holder; null when the slot was emptied.' })
  model(@Root() change: ChangeRecord, @Ctx() ctx: RequestContext): Promise<AIModel | null> {
    return change.modelId ? ctx.loaders.modelById.load(change.modelId) : Promise.resolve(null);
  }

  @FieldResolver(() => AIModelType, { nullable: true, description: 'The holder before; null when the slot was empty.' })
  previousModel(@Root() change: ChangeRecord, @Ctx() ctx: RequestContext): Promise<AIModel | null> {
    return change.previousModelId ? ctx.loaders.modelById.load(change.previousModelId) : Promise.resolve(null);
  }
}
