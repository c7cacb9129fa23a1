import { Arg, Authorized, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Actor } from '../auth/actor';
import { UserType } from '../auth/auth.types';
import type { User } from '../auth/user.entity';
import { ProviderType } from '../provider/provider.types';
import type { Provider } from '../provider/provider.entity';
import { Capability } from '../shared/graphql-enums';
import { actorOf, type RequestContext } from '../shared/request-context';
import type { CredentialsService, PersonalApiKeyView } from './credentials.service';
import { ModelResolutionType, PersonalApiKeyType, SetPersonalApiKeyInput } from './credentials.types';
import type { KeyResolutionService, ModelResolutionView } from './key-resolution.service';

@Resolver()
export class CredentialsResolver {
  constructor(
    private readonly credentials: CredentialsService,
    private readonly keyResolution: KeyResolutionService,
  ) {}

  @Authorized()
  @Query(() => ModelResolutionType, {
    description:
      'What a generation call by the viewer would use right now (model, key source and why). No upstream call; errors as the call itself would give.',
  })
  resolveModel(
    @Arg('provider', { description: 'The provider slug.' }) provider: string,
    @Arg('capability', () => Capability, { description: 'The capability the call would use.' }) capability: Capability,
    @Arg('model', () => String, { nullable: true, description: 'An explicit model name; default: the active model.' }) model: string | null,
    @Ctx() ctx: RequestContext,
  ): Promise<ModelResolutionView> {
    return this.keyResolution.describe(actorOf(ctx), ctx, { provider, capability, model });
  }

  @Authorized()
  @Mutation(() => PersonalApiKeyType, {
    description: "Sets the caller's own key for a provider (or, without apiKey, only whether it prefers the shared key).",
  })
  setPersonalApiKey(
    @Arg('input', { description: 'The provider, the key and the preference.' }) input: SetPersonalApiKeyInput,
    @Ctx() ctx: RequestContext,
  ): Promise<PersonalApiKeyView> {
    return this.credentials.setPersonalApiKey(actorOf(ctx), ctx.em, input);
  }

  @Authorized()
  @Mutation(() => Boolean, { description: "Deletes the caller's own key for a provider: true when there was one, false when there was none." })
  removePersonalApiKey(@Arg('provider', { description: 'The provider slug.' }) provider: string, @Ctx() ctx: RequestContext): Promise<boolean> {
    return this.credentials.removePersonalApiKey(actorOf(ctx), ctx.em, provider);
  }
}

@Resolver(() => UserType)
export class UserCredentialsResolver {
  constructor(private readonly credentials: CredentialsService) {}

  @FieldResolver(() => [PersonalApiKeyType], {
    description:
      "The user's personal API keys (hints only), by provider slug. Visible to the user itself and to ADMIN; anyone else gets FORBIDDEN.",
  })
  personalApiKeys(@Root() user: User | Actor, @Ctx() ctx: RequestContext): Promise<PersonalApiKeyView[]> {
    return this.credentials.personalApiKeysOf(actorOf(ctx), ctx, user.id);
  }
}

@Resolver(() => PersonalApiKeyType)
export class PersonalApiKeyResolver {
  @FieldResolver(() => ProviderType, { description: 'The provider the key is for.' })
  async provider(@Root() key: PersonalApiKeyView, @Ctx() ctx: RequestContext): Promise<Provider> {
    return (await ctx.loaders.providerById.load(key.providerId))!;
  }
}
