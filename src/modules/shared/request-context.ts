import type DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Locale } from '../../config/config';
import type { ProviderSnapshot } from '../activation/provider-snapshot';
import type { SlotView } from '../activation/slot-view';
import type { Actor } from '../auth/actor';
import type { User } from '../auth/user.entity';
import type { AIModel } from '../model/ai-model.entity';
import type { Provider } from '../provider/provider.entity';

/**
 * Per-request batching: however wide a query is, each kind of lookup costs at most one SQL
 * statement, and the provider/slot/active-model reads come from the snapshot cache when warm.
 * Built from the services by graphql/loaders.ts; services that read through them take a RequestScope.
 */
export interface Loaders {
  providerBySlug: DataLoader<string, Provider | null>;
  providerById: DataLoader<string, Provider | null>;
  allProviders: () => Promise<Provider[]>;
  /** Deleted models included: history points at them. */
  modelById: DataLoader<string, AIModel | null>;
  liveModelsByProviderId: DataLoader<string, AIModel[]>;
  slotsByProviderId: DataLoader<string, SlotView[]>;
  userById: DataLoader<string, User | null>;
  /** A provider's snapshot by slug (null: no such provider), batched with the other lookups. */
  snapshotBySlug(slug: string): Promise<ProviderSnapshot | null>;
  /** Makes a snapshot already in hand answer this request's provider, slot and model lookups. */
  prime(snapshot: ProviderSnapshot): void;
}

/** What a request lends the services that read on its behalf: its unit of work, its loaders, its language. */
export interface RequestScope {
  requestId: string;
  locale: Locale;
  em: EntityManager;
  loaders: Loaders;
}

/** What every resolver gets: the request's scope and the caller. Services never see it whole. */
export interface RequestContext extends RequestScope {
  /** Null only for requests that need no token (introspection-only). */
  user: Actor | null;
  /**
   * Subscriptions: a fresh unit of work and loaders for each event, so no event sees stale data.
   * With an event key, every subscriber of that event shares them: it is resolved once, not N times.
   */
  refresh?: (eventKey?: string) => void;
}

/** The caller of a resolver guarded by @Authorized (the auth checker has made sure there is one). */
export function actorOf(ctx: RequestContext): Actor {
  return ctx.user!;
}
