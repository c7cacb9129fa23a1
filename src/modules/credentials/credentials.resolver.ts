import { Arg, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../../graphql/context';
import { Capability } from '../../graphql/enums';
import type { AuthUser } from '../auth/auth-user';
import { UserType } from '../auth/auth.types';
import type { User } from '../auth/user.entity';
import { ProviderType } from '../provider/provider.types';
import type { Provider } from '../provider/provider.entity';
import type { PersonalApiKeyView } from './credentials.service';
import { ModelResolutionType, PersonalApiKeyType, SetPersonalApiKeyInput, UpdateUserInput } from './credentials.types';
import type { ModelResolutionView } from './key-resolution.service';

@Resolver()
export class CredentialsResolver {
  @Query(() => ModelResolutionType, {
    description: 'What a generation call by the viewer would use right now (model, key source and why). No upstream call; errors as the call itself would give.',
  })
  resolveModel(
    @Arg('provider', { description: 'The provider slug.' }) provider: string,
    @Arg('capability', () => Capability, { description: 'The capability the call would use.' }) capability: Capability,
    @Arg('model', () => String, { nullable: true, description: 'An explicit model name; default: the active model.' }) model: string | null,
    @Ctx() ctx: RequestContext,
  ): Promise<ModelResolutionView> {
    return ctx.services.keyResolution.describe(ctx, { provider, capability, model });
  }

  @Mutation(() => PersonalApiKeyType, { description: "Sets the caller's own key for a provider (or, without apiKey, only whether it prefers the shared key)." })
  setPersonalApiKey(@Arg('input', { description: 'The provider, the key and the preference.' }) input: SetPersonalApiKeyInput, @Ctx() ctx: RequestContext): Promise<PersonalApiKeyView> {
    return ctx.services.credentials.setPersonalApiKey(ctx, input);
  }

  @Mutation(() => Boolean, { description: "Deletes the caller's own key for a provider: true when there was one, false when there was none." })
  removePersonalApiKey(@Arg('provider', { description: 'The provider slug.' }) provider: string, @Ctx() ctx: RequestContext): Promise<boolean> {
    return ctx.services.credentials.removePersonalApiKey(ctx, provider);
  }

  @Mutation(() => UserType, { description: "Changes a user's role or shared-key permission. ADMIN only." })
  updateUser(@Arg('input', { description: 'The changes.' }) input: UpdateUserInput, @Ctx() ctx: RequestContext): Promise<User> {
    return ctx.services.credentials.updateUser(ctx, input);
  }
}

@Resolver(() => UserType)
export class UserCredentialsResolver {
  @FieldResolver(() => [PersonalApiKeyType], {
    description: "The user's personal API keys (hints only), by provider slug. Visible to the user itself and to ADMIN; anyone else gets FORBIDDEN.",
  })
  personalApiKeys(@Root() user: User | AuthUser, @Ctx() ctx: RequestContext): Promise<PersonalApiKeyView[]> {
    return ctx.services.credentials.personalApiKeysOf(ctx, user.id);
  }
}

@Resolver(() => PersonalApiKeyType)
export class PersonalApiKeyResolver {
  @FieldResolver(() => ProviderType, { description: 'The provider the key is for.' })
  async provider(@Root() key: PersonalApiKeyView, @Ctx() ctx: RequestContext): Promise<Provider> {
    return (await ctx.loaders.providerById.load(key.providerId))!;
  }
}
