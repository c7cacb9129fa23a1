import { Args, ArgsType, Field, Resolver, Root, Subscription, type SubscribeResolverData } from 'type-graphql';
import { Capability } from '../shared/graphql-enums';
import type { RequestContext } from '../shared/request-context';
import { ActiveModelChangeType } from './activation.types';
import type { ChangeFeedService } from './change-feed.service';
import type { ChangeRecord } from './change-record';

@ArgsType()
class ActiveModelChangedArgs {
  @Field(() => String, { nullable: true, description: 'Only this provider (slug); unknown: NOT_FOUND.' })
  provider?: string | null;

  @Field(() => Capability, { nullable: true, description: 'Only this capability.' })
  capability?: Capability | null;

  @Field(() => String, {
    nullable: true,
    description:
      'The cursor of the last change the client saw: the changes committed after it are replayed first, then live ones follow, with no gap and no duplicate.',
  })
  since?: string | null;
}

/**
 * TypeGraphQL calls a subscription's `subscribe` without the resolver instance, so the class is made
 * per server around its feed service (the schema only lists the classes it is given).
 */
export function createChangeFeedResolver(changeFeed: Pick<ChangeFeedService, 'open'>) {
  @Resolver()
  class ChangeFeedResolver {
    @Subscription(() => ActiveModelChangeType, {
      description: 'Every committed change of a matching slot, in version order per slot. No filter: every slot of every provider.',
      subscribe: ({ args, context }: SubscribeResolverData<unknown, ActiveModelChangedArgs, RequestContext>) =>
        changeFeed.open(args, (change) => context.refresh?.(change.id)),
    })
    // The args only define the schema here: they are used (and checked) once, in `subscribe`, not per event.
    activeModelChanged(@Root() change: ChangeRecord, @Args({ validate: false }) _args: ActiveModelChangedArgs): ChangeRecord {
      return change;
    }
  }
  return ChangeFeedResolver;
}
