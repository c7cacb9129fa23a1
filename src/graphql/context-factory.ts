import { randomUUID } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Locale } from '../config/config';
import { negotiateLocale } from '../common/i18n/translate';
import { AppError, ServiceUnavailableError, isUnavailable } from '../common/errors';
import type { AuthUser } from '../modules/auth/auth-user';
import type { RequestContext } from './context';
import { createLoaders, type Loaders } from './loaders';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Services } from './services';

export interface ContextInput {
  requestId?: string;
  locale: Locale;
  authorization: string | undefined | null;
}

/** Builds the per-request context: a forked EntityManager, fresh loaders and the authenticated caller. */
export class ContextFactory {
  /** Recent events' read scopes, shared by all their subscribers (the same data for each). */
  private readonly eventScopes = new Map<string, { em: EntityManager; loaders: Loaders }>();

  constructor(
    private readonly orm: MikroORM,
    private readonly services: Services,
    private readonly defaultLocale: Locale,
  ) {}

  /** A unit of work and its loaders; the EntityManager is forked only if something queries. */
  private newScope(): { em: EntityManager; loaders: Loaders } {
    let em: EntityManager | undefined;
    const emOf = () => (em ??= this.orm.em.fork() as EntityManager);
    return {
      get em() {
        return emOf();
      },
      loaders: createLoaders(emOf, this.services),
    };
  }

  private eventScope(key: string): { em: EntityManager; loaders: Loaders } {
    let scope = this.eventScopes.get(key);
    if (!scope) {
      scope = this.newScope();
      this.eventScopes.set(key, scope);
      // Bounded: events come in order, so the oldest scopes are the ones no subscriber still needs.
      if (this.eventScopes.size > 64) this.eventScopes.delete(this.eventScopes.keys().next().value!);
    }
    return scope;
  }

  /** connectionParams.locale of a WebSocket client: a tag like "fa" or "fa-IR", or a list. */
  localeParam(value: unknown): Locale {
    return negotiateLocale(typeof value === 'string' ? value : undefined, this.defaultLocale);
  }

  locale(acceptLanguage: string | undefined | null): Locale {
    return negotiateLocale(acceptLanguage, this.defaultLocale);
  }

  newRequestId(given?: string | string[]): string {
    const id = Array.isArray(given) ? given[0] : given;
    return id && /^[\w.:-]{1,100}$/.test(id) ? id : randomUUID();
  }

  /** Auth failures are kept, not thrown: the operation guard reports them with the right code. */
  async create(input: ContextInput): Promise<RequestContext & { authError?: Error }> {
    const scope = this.newScope();
    let user: AuthUser | null = null;
    let authError: Error | undefined;
    try {
      user = await this.services.auth.authenticate(() => scope.em, input.authorization);
    } catch (e) {
      // A database that cannot be reached is a 503 for the client, not a 500.
      authError = e instanceof AppError ? e : isUnavailable(e) ? new ServiceUnavailableError('postgres') : (e as Error);
    }
    return new LazyRequestContext(
      input.requestId ?? randomUUID(),
      input.locale,
      user,
      authError,
      this.services,
      scope,
      (eventKey) => (eventKey === undefined ? this.newScope() : this.eventScope(eventKey)),
    );
  }
}

type Scope = { em: EntityManager; loaders: Loaders };

/**
 * `em` and `loaders` are getters on the prototype: Apollo copies a request's context with
 * Object.assign, which would call own getters (and fork an EntityManager the request never uses).
 */
class LazyRequestContext implements RequestContext {
  constructor(
    readonly requestId: string,
    readonly locale: Locale,
    readonly user: AuthUser | null,
    readonly authError: Error | undefined,
    readonly services: Services,
    public scope: Scope,
    private readonly nextScope: (eventKey?: string) => Scope,
  ) {}

  get em(): EntityManager {
    return this.scope.em;
  }

  get loaders(): Loaders {
    return this.scope.loaders;
  }

  refresh(eventKey?: string): void {
    this.scope = this.nextScope(eventKey);
  }
}
