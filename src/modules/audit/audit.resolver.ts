import { Args, Authorized, Ctx, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import { Role } from '../../common/role';
import { connectionOf, type Connection } from '../shared/connection.types';
import type { RequestContext } from '../shared/request-context';
import { UserType } from '../auth/auth.types';
import type { User } from '../auth/user.entity';
import { AuditEventConnection, AuditEventType, AuditLogArgs } from './audit.types';
import type { AuditEventView, AuditService } from './audit.service';

@Resolver()
export class AuditResolver {
  constructor(private readonly audit: AuditService) {}

  @Authorized(Role.ADMIN)
  @Query(() => AuditEventConnection, { description: 'Every state change, newest first; from/to: at >= from and < to. ADMIN only.' })
  async auditLog(@Args() args: AuditLogArgs, @Ctx() ctx: RequestContext): Promise<Connection<AuditEventView>> {
    const page = await this.audit.page(ctx.em, ctx.locale, { ...args, first: args.first ?? 20 });
    return connectionOf(page.events, page.hasNextPage, (node) => node.cursor);
  }
}

@Resolver(() => AuditEventType)
export class AuditEventResolver {
  @FieldResolver(() => UserType, {
    nullable: true,
    description: 'Who made the change; null for the server itself (e.g. the ADMIN_TOKEN bootstrap).',
  })
  actor(@Root() event: AuditEventView, @Ctx() ctx: RequestContext): Promise<User | null> {
    return event.actorId ? ctx.loaders.userById.load(event.actorId) : Promise.resolve(null);
  }
}
