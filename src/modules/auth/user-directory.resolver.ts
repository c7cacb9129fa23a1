import { Args, Ctx, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../../graphql/context';
import type { ApiToken } from './api-token.entity';
import type { AuthUser } from './auth-user';
import { ApiTokenType, UserType } from './auth.types';
import type { User } from './user.entity';
import { userCursor } from './user-directory.service';
import { UserConnectionType, UsersArgs } from './user-directory.types';

@Resolver()
export class UserDirectoryResolver {
  @Query(() => UserConnectionType, { description: 'Every user, by name. ADMIN only.' })
  async users(@Args() args: UsersArgs, @Ctx() ctx: RequestContext): Promise<UserConnectionType> {
    const page = await ctx.services.users.list(ctx, { first: args.first ?? 20, after: args.after });
    const edges = page.users.map((node) => ({ cursor: userCursor(node.name), node }));
    return { edges, pageInfo: { hasNextPage: page.hasNextPage, endCursor: edges.at(-1)?.cursor ?? null } };
  }
}

@Resolver(() => UserType)
export class UserTokensResolver {
  @FieldResolver(() => [ApiTokenType], {
    description: "The user's API tokens (never their secrets), newest first, revoked ones included. Visible to the user itself and to ADMIN; anyone else gets FORBIDDEN.",
  })
  apiTokens(@Root() user: User | AuthUser, @Ctx() ctx: RequestContext): Promise<ApiToken[]> {
    return ctx.services.users.tokensOf(ctx, user.id);
  }
}
