import { Arg, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { Role } from '../../common/role';
import { actorOf, type RequestContext } from '../shared/request-context';
import type { Actor } from './actor';
import type { ApiToken } from './api-token.entity';
import { ApiTokenType, CreateApiTokenInput, CreatedApiTokenType, CreateUserInput, UpdateUserInput, UserType } from './auth.types';
import type { User } from './user.entity';
import type { UserService } from './user.service';

@Resolver()
export class AuthResolver {
  constructor(private readonly users: UserService) {}

  @Authorized()
  @Query(() => UserType, { description: 'The caller.' })
  viewer(@Ctx() ctx: RequestContext): Actor {
    return actorOf(ctx);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => UserType, { description: 'Creates a user. ADMIN only.' })
  createUser(@Arg('input', { description: 'The new user.' }) input: CreateUserInput, @Ctx() ctx: RequestContext): Promise<User> {
    return this.users.createUser(actorOf(ctx), input);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => UserType, { description: "Changes a user's role or shared-key permission. ADMIN only." })
  updateUser(@Arg('input', { description: 'The changes.' }) input: UpdateUserInput, @Ctx() ctx: RequestContext): Promise<User> {
    return this.users.updateUser(actorOf(ctx), input);
  }

  @Authorized()
  @Mutation(() => CreatedApiTokenType, { description: 'Creates a token for oneself, or (ADMIN) for anyone. The secret is shown once.' })
  createApiToken(@Arg('input', { description: 'The new token.' }) input: CreateApiTokenInput, @Ctx() ctx: RequestContext) {
    return this.users.createApiToken(actorOf(ctx), input);
  }

  @Authorized()
  @Mutation(() => ApiTokenType, { description: "Revokes one's own token, or (ADMIN) any; it stops working at once." })
  revokeApiToken(@Arg('id', () => ID, { description: 'The token id.' }) id: string, @Ctx() ctx: RequestContext): Promise<ApiToken> {
    return this.users.revokeApiToken(actorOf(ctx), id);
  }
}

@Resolver(() => ApiTokenType)
export class ApiTokenResolver {
  @FieldResolver(() => UserType, { description: 'The owner.' })
  async user(@Root() token: ApiToken, @Ctx() ctx: RequestContext): Promise<User> {
    return (await ctx.loaders.userById.load(token.userId))!;
  }
}
