import { Args, Authorized, Ctx, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import { Role } from '../../common/role';
import { actorOf, type RequestContext } from '../shared/request-context';
import { connectionOf, type Connection } from '../shared/connection.types';
import type { Actor } from './actor';
import type { ApiToken } from './api-token.entity';
import { ApiTokenType, UserType } from './auth.types';
import type { User } from './user.entity';
import { userCursor, type UserDirectoryService } from './user-directory.service';
import { UserConnectionType, UsersArgs } from './user-directory.types';

@Resolver()
export class UserDirectoryResolver {
  constructor(private readonly directory: UserDirectoryService) {}

  @Authorized(Role.ADMIN)
  @Query(() => UserConnectionType, { description: 'Every user, by name. ADMIN only.' })
  async users(@Args() args: UsersArgs, @Ctx() ctx: RequestContext): Promise<Connection<User>> {
    const page = await this.directory.list(ctx, { first: args.first ?? 20, after: args.after });
    return connectionOf(page.users, page.hasNextPage, (node) => userCursor(node.name));
  }
}

@Resolver(() => UserType)
export class UserTokensResolver {
  constructor(private readonly directory: UserDirectoryService) {}

  @Authorized()
  @FieldResolver(() => [ApiTokenType], {
    description:
      "The user's API tokens (never their secrets), newest first, revoked ones included. Visible to the user itself and to ADMIN; anyone else gets FORBIDDEN.",
  })
  apiTokens(@Root() user: User | Actor, @Ctx() ctx: RequestContext): Promise<ApiToken[]> {
    return this.directory.tokensOf(actorOf(ctx), ctx, user.id);
  }
}
