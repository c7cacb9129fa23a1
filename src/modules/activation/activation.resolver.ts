import { Arg, Args, ArgsType, Authorized, Ctx, Field, FieldResolver, Mutation, Query, Resolver, Root } from 'type-graphql';
import { Role } from '../../common/role';
import { AIModelType } from '../model/ai-model.types';
import type { AIModel } from '../model/ai-model.entity';
import { ProviderType } from '../provider/provider.types';
import type { Provider } from '../provider/provider.entity';
import { Capability } from '../shared/graphql-enums';
import { connectionOf, type Connection } from '../shared/connection.types';
import { PageArgs } from '../shared/page-args';
import { actorOf, type RequestContext } from '../shared/request-context';
import type { ActivationQueryService } from './activation-query.service';
import type { ActivationService } from './activation.service';
import {
  ActivateModelInput,
  ActivateModelPayload,
  ActiveModelChangeConnection,
  ActiveModelChangeType,
  ActiveModelSlotType,
  DeactivateModelInput,
  DeactivateModelPayload,
} from './activation.types';
import { toCursor, type ChangeRecord } from './change-record';
import { RevertSlotInput, RevertSlotPayload } from './revert.types';
import type { SlotView } from './slot-view';

@ArgsType()
class ActivationHistoryArgs extends PageArgs {
  @Field(() => String, { nullable: true, description: 'The provider slug; null: every provider.' })
  provider?: string | null;

  @Field(() => Capability, { nullable: true, description: 'Only this slot; default: every slot of the provider.' })
  capability?: Capability | null;

  @Field(() => String, { nullable: true, description: 'Only changes made by this user (name).' })
  changedBy?: string | null;

  @Field(() => Date, { nullable: true, description: 'Only changes at or after this instant.' })
  from?: Date | null;

  @Field(() => Date, { nullable: true, description: 'Only changes before this instant.' })
  to?: Date | null;
}

@Resolver()
export class ActivationResolver {
  constructor(
    private readonly queries: ActivationQueryService,
    private readonly activation: ActivationService,
  ) {}

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
    return this.queries.activeModel(ctx, provider, capability, at);
  }

  @Query(() => [ActiveModelSlotType], { description: 'Held slots, by provider slug then capability; optionally of one provider.' })
  activeModels(
    @Arg('provider', () => String, { nullable: true, description: 'Only this provider (slug).' }) provider: string | null,
    @Ctx() ctx: RequestContext,
  ): Promise<SlotView[]> {
    return this.queries.activeModels(ctx, provider);
  }

  @Query(() => ActiveModelChangeConnection, {
    description: 'Changes of slots, newest first: of one provider or all; by author; from/to: changedAt >= from and < to.',
  })
  async activationHistory(@Args() args: ActivationHistoryArgs, @Ctx() ctx: RequestContext): Promise<Connection<ChangeRecord>> {
    const page = await this.queries.history(ctx, { ...args, first: args.first ?? 20 });
    return connectionOf(page.changes, page.hasNextPage, (node) => toCursor(node.id));
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => ActivateModelPayload, { description: 'Gives the model its slots, taking each from its holder atomically. ADMIN only.' })
  async activateModel(
    @Arg('input', { description: 'Which model, which slots.' }) input: ActivateModelInput,
    @Ctx() ctx: RequestContext,
  ): Promise<ActivateModelPayload> {
    const result = await this.activation.activate(actorOf(ctx), input);
    const deactivated = await ctx.loaders.modelById.loadMany(result.displacedAiModelIds);
    return { model: result.model, changes: result.changes, deactivated: deactivated.filter((m) => m && !(m instanceof Error)) };
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => RevertSlotPayload, {
    description: 'Puts a slot back to the model it held at an earlier version, as a new change. ADMIN only.',
  })
  async revertSlot(
    @Arg('input', { description: 'Which slot, which version.' }) input: RevertSlotInput,
    @Ctx() ctx: RequestContext,
  ): Promise<RevertSlotPayload> {
    const result = await this.activation.revert(actorOf(ctx), input);
    const deactivated = await ctx.loaders.modelById.loadMany(result.displacedAiModelIds);
    return { changes: result.changes, deactivated: deactivated.filter((m) => m && !(m instanceof Error)) };
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => DeactivateModelPayload, { description: 'Empties slots the model holds. ADMIN only.' })
  deactivateModel(
    @Arg('input', { description: 'Which model, which slots.' }) input: DeactivateModelInput,
    @Ctx() ctx: RequestContext,
  ): Promise<DeactivateModelPayload> {
    return this.activation.deactivate(actorOf(ctx), input);
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
    return (await ctx.loaders.modelById.load(slot.aiModelId!))!;
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
    return change.aiModelId ? ctx.loaders.modelById.load(change.aiModelId) : Promise.resolve(null);
  }

  @FieldResolver(() => AIModelType, { nullable: true, description: 'The holder before; null when the slot was empty.' })
  previousModel(@Root() change: ChangeRecord, @Ctx() ctx: RequestContext): Promise<AIModel | null> {
    return change.previousAiModelId ? ctx.loaders.modelById.load(change.previousAiModelId) : Promise.resolve(null);
  }
}

/** The slot fields of Provider and AIModel: they belong to activation, which knows slots. */
@Resolver(() => ProviderType)
export class ProviderSlotsResolver {
  @FieldResolver(() => [ActiveModelSlotType], { description: 'The held slots of this provider, in capability order.' })
  async activeModels(@Root() provider: Provider, @Ctx() ctx: RequestContext): Promise<SlotView[]> {
    return (await ctx.loaders.slotsByProviderId.load(provider.id)).filter((s) => s.aiModelId !== null);
  }
}

@Resolver(() => AIModelType)
export class ModelSlotsResolver {
  constructor(private readonly queries: ActivationQueryService) {}

  @FieldResolver(() => Boolean, { description: 'Whether the model holds at least one slot.' })
  async isActive(@Root() model: AIModel, @Ctx() ctx: RequestContext): Promise<boolean> {
    return (await this.queries.heldCapabilities(ctx, model)).length > 0;
  }

  @FieldResolver(() => [Capability], { description: 'The capabilities whose slot this model holds.' })
  activeCapabilities(@Root() model: AIModel, @Ctx() ctx: RequestContext): Promise<Capability[]> {
    return this.queries.heldCapabilities(ctx, model);
  }
}
