import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Locale } from '../config/config';
import { AppError, ServiceUnavailableError, isUnavailable } from '../common/errors';
import type { Actor } from '../modules/auth/actor';
import type { AuthenticationService } from '../modules/auth/authentication.service';
import type { Loaders, RequestContext } from '../modules/shared/request-context';
import { createLoaders, type LoaderSources } from './loaders';

export interface ContextInput {
  requestId?: string;
  locale: Locale;
  authorization: string | undefined | null;
}

type Scope = { em: EntityManager; loaders: Loaders };

/** What the operation guard and the WebSocket server read: the context, plus a kept authentication failure. */
export type GraphQLContext = RequestContext & { authError?: Error };

/** Auth failures are reported by the operation guard with their code; an unreachable database is a 503, not a 500. */
function authenticationFailure(e: unknown): Error {
  return e instanceof AppError ? e : isUnavailable(e) ? new ServiceUnavailableError('postgres') : (e as Error);
}

/** Builds the per-request context: a forked EntityManager, fresh loaders and the authenticated caller. */
export class ContextFactory {
  /** Recent events' read scopes, shared by all their subscribers (the same data for each). */
  private readonly eventScopes = new Map<string, Scope>();

  constructor(
    private readonly rootEm: EntityManager,
    private readonly authentication: Pick<AuthenticationService, 'authenticate'>,
    private readonly loaderSources: LoaderSources,
  ) {}

  /** A unit of work and its loaders; the EntityManager is forked only if something queries. */
  private newScope(): Scope {
    let em: EntityManager | undefined;
    const forkOnFirstUse = () => (em ??= this.rootEm.fork());
    return {
      get em() {
        return forkOnFirstUse();
      },
      loaders: createLoaders(forkOnFirstUse, this.loaderSources),
    };
  }

  private eventScope(key: string): Scope {
    let scope = this.eventScopes.get(key);
    if (!scope) {
      scope = this.newScope();
      this.eventScopes.set(key, scope);
      // Bounded: events come in order, so the oldest scopes are the ones no subscriber still needs.
      if (this.eventScopes.size > 64) this.eventScopes.delete(this.eventScopes.keys().next().value!);
    }
    return scope;
  }

  /** Auth failures are kept, not thrown: the operation guard reports them with the right code. */
  async create(input: ContextInput): Promise<GraphQLContext> {
    const scope = this.newScope();
    let user: Actor | null = null;
    let authError: Error | undefined;
    try {
      user = await this.authentication.authenticate(() => scope.em, input.authorization);
    } catch (e) {
      authError = authenticationFailure(e);
    }
    return new LazyRequestContext(input.requestId ?? randomUUID(), input.locale, user, authError, scope, (eventKey) =>
      eventKey === undefined ? this.newScope() : this.eventScope(eventKey),
    );
  }
}

/**
 * `em` and `loaders` are getters on the prototype: Apollo copies a request's context with
 * Object.assign, which would call own getters (and fork an EntityManager the request never uses).
 */
class LazyRequestContext implements GraphQLContext {
  constructor(
    readonly requestId: string,
    readonly locale: Locale,
    readonly user: Actor | null,
    readonly authError: Error | undefined,
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
