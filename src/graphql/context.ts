import type { EntityManager } from '@mikro-orm/postgresql';
import type { Locale } from '../config/config';
import type { AuthUser } from '../modules/auth/auth-user';
import type { Loaders } from './loaders';
import type { Services } from './services';

/** What every resolver gets: its own unit of work, loaders, the caller and the services. */
export interface RequestContext {
  requestId: string;
  locale: Locale;
  /** Null only for requests that need no token (introspection-only). */
  user: AuthUser | null;
  em: EntityManager;
  loaders: Loaders;
  services: Services;
  /**
   * Subscriptions: a fresh unit of work and loaders for each event, so no event sees stale data.
   * With an event key, every subscriber of that event shares them: it is resolved once, not N times.
   */
  refresh?: (eventKey?: string) => void;
}
