import { FieldResolver, Resolver, Root } from 'type-graphql';
import type { Provider } from './provider.entity';
import { ProviderType } from './provider.types';

/** The shared key stays write-only; its last characters let an admin tell which key is set. */
@Resolver(() => ProviderType)
export class ProviderKeyHintResolver {
  @FieldResolver(() => String, {
    nullable: true,
    description: 'The last four characters of the shared API key, e.g. "…a1b2"; null when none is set.',
  })
  sharedApiKeyHint(@Root() provider: Provider): string | null {
    return provider.sharedApiKeyHint;
  }
}
