import type { EntityManager } from '@mikro-orm/postgresql';
import { UnauthenticatedError } from '../../common/errors';
import type { Role } from '../../common/role';
import type { DomainEvent } from '../../db/transaction';
import type { EventBus } from '../../pubsub/event-bus';
import type { Actor } from './actor';
import { TokenCache } from './auth-cache';
import { AUTH_CHANGED, isAuthChanged, type AuthChangedPayload } from './auth-events';
import { bearerToken, hashToken } from './token';

/** lastUsedAt is a hint for humans: writing it at most once a minute per token keeps reads cheap. */
const LAST_USED_RESOLUTION_MS = 60_000;

/** Safety net only: every change we know of invalidates at once (see authenticate). */
const TOKEN_CACHE_TTL_MS = 30_000;
const PUBLISH_RETRY_MAX_MS = 1_000;

/** What the token cache needs of the backplane: its bus and whether its subscriber connection is up. */
export interface AuthEventChannel {
  bus: EventBus;
  isHealthy(): boolean;
  onHealthChange(listener: (healthy: boolean) => void): void;
}

export interface AuthenticationOptions {
  /** How long a token's answer may be reused (ms); 0 turns the cache off. */
  tokenCacheTtlMs?: number;
}

/**
 * Bearer token → Actor, with a short-lived cache kept right across instances: a committed
 * AuthChanged event (a commit listener, `forgetCommitted`) drops the entries here and is announced
 * on the bus to the other instances.
 */
export class AuthenticationService {
  private readonly lastUsedWritten = new Map<string, number>();
  private readonly cache: TokenCache;
  private events?: AuthEventChannel;
  private subscription?: AsyncIterableIterator<AuthChangedPayload>;
  /** The AUTH_CHANGED subscription is acknowledged by the broker. */
  private subscribed = false;

  constructor(
    private readonly rootEm: EntityManager,
    options: AuthenticationOptions = {},
  ) {
    this.cache = new TokenCache(options.tokenCacheTtlMs ?? TOKEN_CACHE_TTL_MS);
  }

  /**
   * Turns the token cache on: subscribes to AUTH_CHANGED (changes made on other instances) and
   * follows the backplane's health. Without it, every request reads its token from the database.
   */
  connect(channel: AuthEventChannel): void {
    this.events = channel;
    channel.onHealthChange(() => this.cache.clear());
    const subscription = channel.bus.subscribe<AuthChangedPayload>(AUTH_CHANGED);
    this.subscription = subscription;
    void subscription.ready.then(() => {
      if (this.subscription !== subscription) return;
      this.cache.clear();
      this.subscribed = true;
    });
    void (async () => {
      for await (const change of subscription) this.cache.invalidate(change ?? {});
    })().catch(() => undefined);
  }

  /** Stops listening (server shutdown); the cache is off from now on. */
  async disconnect(): Promise<void> {
    const subscription = this.subscription;
    this.subscription = undefined;
    this.subscribed = false;
    this.cache.clear();
    await subscription?.return?.();
  }

  /** Commit listener: committed auth changes leave this cache and every other instance's. */
  readonly forgetCommitted = async (events: readonly DomainEvent[]): Promise<void> => {
    const changes = events.filter(isAuthChanged).map((e) => e.change);
    if (changes.length) await this.announce(changes);
  };

  /**
   * Whether answers may come from (and go to) the token cache: only while changes made on other
   * instances are sure to reach this one, i.e. the AUTH_CHANGED subscription is in place and the
   * backplane's subscriber connection is up. In-process (no Redis) it is always healthy.
   */
  private cacheUsable(): boolean {
    return this.subscribed && this.cache.ttlMs > 0 && this.events!.isHealthy();
  }

  /** Tells the other instances (and this one again, harmlessly) to drop what they cached. */
  private async announce(changes: AuthChangedPayload[]): Promise<void> {
    for (const change of changes) this.cache.invalidate(change);
    if (!this.events) return;
    const bus = this.events.bus;
    await Promise.all(
      changes.map((change) =>
        bus.publish(AUTH_CHANGED, change).catch(() => {
          // Redis is unreachable from here (or the publisher is still connecting, at start-up).
          // Instances that lost Redis too bypass their caches; for the others, retry for as long
          // as their entries could live.
          let delay = 25;
          let waited = 0;
          const retry = () => {
            if (!this.subscription || waited > this.cache.ttlMs) return;
            waited += delay;
            setTimeout(() => void bus.publish(AUTH_CHANGED, change).catch(retry), delay).unref();
            delay = Math.min(delay * 2, PUBLISH_RETRY_MAX_MS);
          };
          retry();
        }),
      ),
    );
  }

  /**
   * The actor a bearer header stands for: null when no header was sent; UnauthenticatedError for a
   * bad or revoked token. At most one SQL statement: none when the token's answer is cached.
   *
   * Revocation and role/permission changes (revokeApiToken, updateUser, bootstrapAdmin) take effect:
   *  - on this instance, on the next request (its entries are dropped after the change commits,
   *    before the mutation returns; a lookup racing with the change does not store its answer);
   *  - on the other instances, as soon as they receive the AUTH_CHANGED event, which is published
   *    after the commit and before the mutation returns (usually within milliseconds). An instance
   *    whose bus connection is down or not yet re-subscribed does not use its cache at all, and
   *    empties it when the connection comes back;
   *  - in any case within TOKEN_CACHE_TTL_MS (30 s), the safety net for a lost event (e.g. a publish
   *    that failed while the other instances' subscriber connections stayed up).
   * Changes made outside the server (SQL by hand) take up to that TTL.
   */
  async authenticate(emOf: EntityManager | (() => EntityManager), authorization: string | undefined | null): Promise<Actor | null> {
    if (authorization === undefined || authorization === null || authorization === '') return null;
    const token = bearerToken(authorization);
    if (!token) throw new UnauthenticatedError('auth.invalidToken');
    const hash = hashToken(token);
    const useCache = this.cacheUsable();
    if (useCache) {
      const cached = this.cache.get(hash, Date.now());
      if (cached) {
        this.touch(cached.tokenId);
        return cached;
      }
    }
    const generation = this.cache.generation;
    const em = typeof emOf === 'function' ? emOf() : emOf;
    // Raw: one join answered from two indexes on every uncached request; the ORM would load two entities.
    const rows = await em.execute<{ token_id: string; id: string; name: string; role: Role; can_use_shared_api: boolean; created_at: Date }[]>(
      `select t.id as token_id, u.id, u.name, u.role, u.can_use_shared_api, u.created_at
         from api_token t join app_user u on u.id = t.user_id
        where t.token_hash = ? and t.revoked_at is null`,
      [hash],
    );
    const row = rows[0];
    if (!row) throw new UnauthenticatedError('auth.invalidToken');
    this.touch(row.token_id);
    const actor: Actor = Object.freeze({
      id: row.id,
      name: row.name,
      role: row.role,
      canUseSharedApi: row.can_use_shared_api,
      createdAt: new Date(row.created_at),
      tokenId: row.token_id,
    });
    if (useCache && this.cacheUsable()) this.cache.set(hash, actor, generation, Date.now());
    return actor;
  }

  /** Fire-and-forget: a failed write of this hint must not fail the request. */
  private touch(tokenId: string): void {
    const now = Date.now();
    const last = this.lastUsedWritten.get(tokenId) ?? 0;
    if (now - last < LAST_USED_RESOLUTION_MS) return;
    this.lastUsedWritten.set(tokenId, now);
    if (this.lastUsedWritten.size > 10_000) this.lastUsedWritten.clear();
    // Raw: a fire-and-forget hint written beside the request, outside its unit of work; no entity is loaded.
    this.rootEm
      .getConnection()
      .execute('update api_token set last_used_at = now() where id = ?', [tokenId])
      .catch(() => this.lastUsedWritten.delete(tokenId));
  }
}
