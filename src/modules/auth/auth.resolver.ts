import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../../graphql/context';
import type { ApiToken } from './api-token.entity';
import type { AuthUser } from './auth-user';
import { ApiTokenType, CreateApiTokenInput, CreatedApiTokenType, CreateUserInput, UserType } from './auth.types';
import type { User } from './user.entity';

@Resolver()
export class AuthResolver {
  @Query(() => UserType, { description: 'The caller.' })
  viewer(@Ctx() ctx: RequestContext): AuthUser {
    return ctx.services.auth.requireUser(ctx);
  }

  @Mutation(() => UserType, { description: 'Creates a user. ADMIN only.' })
  createUser(@Arg('input', { description: 'The new user.' }) input: CreateUserInput, @Ctx() ctx: RequestContext): Promise<User> {
    return ctx.services.auth.createUser(ctx, input);
  }

  @Mutation(() => CreatedApiTokenType, { description: 'Creates a token for oneself, or (ADMIN) for anyone. The secret is shown once.' })
  createApiToken(@Arg('input', { description: 'The new token.' }) input: CreateApiTokenInput, @Ctx() ctx: RequestContext) {
    return ctx.services.auth.createApiToken(ctx, input);
  }

  @Mutation(() => ApiTokenType, { description: "Revokes one's own token, or (ADMIN) any; it stops working at once." })
  revokeApiToken(@Arg('id', () => ID, { description: 'The token id.' }) id: string, @Ctx() ctx: RequestContext): Promise<ApiToken> {
    return ctx.services.auth.revokeApiToken(ctx, id);
  }
}

@Resolver(() => ApiTokenType)
export class ApiTokenResolver {
  @FieldResolver(() => UserType, { description: 'The owner.' })
  async user(@Root() token: ApiToken, @Ctx() ctx: RequestContext): Promise<User> {
    return (await ctx.loaders.userById.load(token.userId))!;
  }
}
