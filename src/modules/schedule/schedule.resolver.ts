import DataLoader from 'dataloader';
import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { Role } from '../../common/role';
import { connectionOf, type Connection } from '../shared/connection.types';
import { actorOf, type RequestContext } from '../shared/request-context';
import type { ActivationQueryService } from '../activation/activation-query.service';
import { ActiveModelChangeType } from '../activation/activation.types';
import { rowToChange, type ChangeRecord } from '../activation/change-record';
import { UserType } from '../auth/auth.types';
import type { User } from '../auth/user.entity';
import { AIModelType } from '../model/ai-model.types';
import type { AIModel } from '../model/ai-model.entity';
import { ProviderType } from '../provider/provider.types';
import type { Provider } from '../provider/provider.entity';
import { encodeScheduleCursor, type ScheduleService } from './schedule.service';
import type { ScheduledChangeRecord } from './schedule.repository';
import { ScheduledChangeStatus } from './schedule-rules';
import { ScheduleActivationInput, ScheduledChangeConnection, ScheduledChangesArgs, ScheduledChangeType } from './schedule.types';

/** Per-request batching of a switch's changes and of ActiveModelChange.scheduledChange (keyed by the request's loaders). */
const loaders = new WeakMap<object, { changes: DataLoader<string, ChangeRecord[]>; byId: DataLoader<string, ScheduledChangeRecord | null> }>();
function scheduleLoaders(schedules: ScheduleService, ctx: RequestContext) {
  let l = loaders.get(ctx.loaders);
  if (!l) {
    l = {
      changes: new DataLoader(async (ids) => (await schedules.changesOf(ctx.em, ids)).map((rows) => rows.map(rowToChange))),
      byId: new DataLoader(async (ids) => {
        const found = await schedules.byIds(ctx.em, ids);
        return ids.map((id) => found.find((s) => s.id === id) ?? null);
      }),
    };
    loaders.set(ctx.loaders, l);
  }
  return l;
}

@Resolver()
export class ScheduleResolver {
  constructor(
    private readonly schedules: ScheduleService,
    private readonly queries: ActivationQueryService,
  ) {}

  @Authorized(Role.ADMIN)
  @Query(() => ScheduledChangeConnection, { description: 'Scheduled switches by `at` ascending, then id. ADMIN only.' })
  async scheduledChanges(@Args() args: ScheduledChangesArgs, @Ctx() ctx: RequestContext): Promise<Connection<ScheduledChangeRecord>> {
    const providerId = args.provider != null ? (await this.queries.providerOrFail(ctx, args.provider)).id : undefined;
    const page = await this.schedules.list(ctx.em, { providerId, status: args.status, first: args.first ?? 20, after: args.after });
    return connectionOf(page.items, page.hasNextPage, encodeScheduleCursor);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => ScheduledChangeType, {
    description: 'Plans activateModel for `at` (within 2 s after it, exactly once, also after restarts). ADMIN only.',
  })
  scheduleActivation(
    @Arg('input', { description: 'What, when and why.' }) input: ScheduleActivationInput,
    @Ctx() ctx: RequestContext,
  ): Promise<ScheduledChangeRecord> {
    return this.schedules.schedule(actorOf(ctx), input);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => ScheduledChangeType, { description: 'Cancels a PENDING switch; any other status: CONFLICT. ADMIN only.' })
  cancelScheduledChange(
    @Arg('id', () => ID, { description: 'The switch.' }) id: string,
    @Ctx() ctx: RequestContext,
  ): Promise<ScheduledChangeRecord> {
    return this.schedules.cancel(actorOf(ctx), id);
  }
}

@Resolver(() => ScheduledChangeType)
export class ScheduledChangeResolver {
  constructor(private readonly schedules: ScheduleService) {}

  @FieldResolver(() => ProviderType, { description: 'The provider of the slots.' })
  async provider(@Root() s: ScheduledChangeRecord, @Ctx() ctx: RequestContext): Promise<Provider> {
    return (await ctx.loaders.providerById.load(s.providerId))!;
  }

  @FieldResolver(() => AIModelType, { description: 'The model it activates (also when deleted since).' })
  async model(@Root() s: ScheduledChangeRecord, @Ctx() ctx: RequestContext): Promise<AIModel> {
    return (await ctx.loaders.modelById.load(s.aiModelId))!;
  }

  @FieldResolver(() => UserType, { description: 'Who scheduled it; it applies as their activateModel.' })
  async createdBy(@Root() s: ScheduledChangeRecord, @Ctx() ctx: RequestContext): Promise<User> {
    return (await ctx.loaders.userById.load(s.createdBy))!;
  }

  @FieldResolver(() => [ActiveModelChangeType], { description: 'The slot changes it made; empty unless APPLIED.' })
  changes(@Root() s: ScheduledChangeRecord, @Ctx() ctx: RequestContext): Promise<ChangeRecord[]> | ChangeRecord[] {
    return s.status === ScheduledChangeStatus.APPLIED ? scheduleLoaders(this.schedules, ctx).changes.load(s.id) : [];
  }

  @FieldResolver(() => String, { nullable: true, description: "FAILED: why, in the caller's locale." })
  failureMessage(@Root() s: ScheduledChangeRecord, @Ctx() ctx: RequestContext): string | null {
    return this.schedules.failureMessage(s, ctx.locale);
  }
}

@Resolver(() => ActiveModelChangeType)
export class ChangeScheduleResolver {
  constructor(private readonly schedules: ScheduleService) {}

  @FieldResolver(() => ScheduledChangeType, { nullable: true, description: 'The scheduled switch that made this change, if one did.' })
  scheduledChange(@Root() change: ChangeRecord, @Ctx() ctx: RequestContext): Promise<ScheduledChangeRecord | null> | null {
    return change.scheduledChangeId ? scheduleLoaders(this.schedules, ctx).byId.load(change.scheduledChangeId) : null;
  }
}
