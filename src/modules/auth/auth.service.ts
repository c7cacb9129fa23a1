import { runInTransaction } from '../../db/transaction';
import type { EntityManager } from '@mikro-orm/postgresql';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { Role } from '../../common/capability';
import { ConflictError, ForbiddenError, NotFoundError, UnauthenticatedError } from '../../common/errors';
import { ApiToken } from './api-token.entity';
import type { AuthUser } from './auth-user';
import { bearerToken, generateToken, hashToken } from './token';
import { isUuid } from '../../common/ids';
import { User } from './user.entity';
import { AuthChangeSubscriber, TokenCache } from './auth-cache';
import { Topic, type AuthChangedPayload } from '../../pubsub/topics';
import type { EventBus } from '../../pubsub/event-bus';

/** lastUsedAt is a hint for humans: writing it at most once a minute per token keeps reads cheap. */
const LAST_USED_RESOLUTION_MS = 60_000;

/** Safety net only: every change we know of invalidates at once (see authenticate). */
const TOKEN_CACHE_TTL_MS = 30_000;
const PUBLISH_RETRY_MAX_MS = 1_000;

/** The broker as the token cache needs it (src/pubsub/broker.ts). */
export interface AuthEventBroker {
  bus: EventBus;
  isHealthy(): boolean;
  onHealthChange(listener: (healthy: boolean) => void): void;
}

export interface AuthServiceOptions {
  /** How long a token's answer may be reused (ms); 0 turns the cache off. */
  tokenCacheTtlMs?: number;
}

export interface AuthContext {
  em: EntityManager;
  user: AuthUser | null;
}

/** Users, tokens and roles. */
export class AuthService {
  private readonly lastUsedWritten = new Map<string, number>();
  private readonly cache: TokenCache;
  private events?: AuthEventBroker;
  private subscription?: AsyncIterableIterator<AuthChangedPayload>;
  /** The AUTH_CHANGED subscription is acknowledged by the broker. */
  private subscribed = false;

  constructor(
    private readonly rootEm: EntityManager,
    options: AuthServiceOptions = {},
  ) {
    this.cache = new TokenCache(options.tokenCacheTtlMs ?? TOKEN_CACHE_TTL_MS);
    rootEm.getEventManager().registerSubscriber(
      new AuthChangeSubscriber(
        (change) => this.cache.invalidate(change),
        (changes) => this.announce(changes),
      ),
    );
  }

  /**
   * Turns the token cache on: subscribes to AUTH_CHANGED (changes made on other instances) and
   * follows the broker's health. Without it, every request reads its token from the database.
   */
  connect(broker: AuthEventBroker): void {
    this.events = broker;
    broker.onHealthChange(() => this.cache.clear());
    const subscription = broker.bus.subscribe<AuthChangedPayload>(Topic.AUTH_CHANGED);
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

  /**
   * A change the ORM did not see (raw SQL, nativeUpdate) that affects authentication, once it has
   * committed: drops the entries here and on every other instance. No ids: everything.
   */
  async changed(change: AuthChangedPayload): Promise<void> {
    this.cache.invalidate(change);
    await this.announce([change]);
  }

  /**
   * Whether answers may come from (and go to) the token cache: only while changes made on other
   * instances are sure to reach this one, i.e. the AUTH_CHANGED subscription is in place and the
   * broker's subscriber connection is up. In-process (no Redis) the broker is always healthy.
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
        bus.publish(Topic.AUTH_CHANGED, change).catch(() => {
          // Redis is unreachable from here (or the publisher is still connecting, at start-up).
          // Instances that lost Redis too bypass their caches; for the others, retry for as long
          // as their entries could live.
          let delay = 25;
          let waited = 0;
          const retry = () => {
            if (!this.subscription || waited > this.cache.ttlMs) return;
            waited += delay;
            setTimeout(() => bus.publish(Topic.AUTH_CHANGED, change).catch(retry), delay).unref();
            delay = Math.min(delay * 2, PUBLISH_RETRY_MAX_MS);
          };
          retry();
        }),
      ),
    );
  }

  /**
   * The user a bearer header stands for: null when no header was sent; UnauthenticatedError for a
   * bad or revoked token. At most one SQL statement: none when the token's answer is cached.
   *
   * Revocation and role/permission changes (revokeApiToken, updateUser, bootstrapAdmin) take effect:
   *  - on this instance, on the next request (its entries are dropped when the change is made, and
   *    again after it commits; a lookup racing with the change does not store its answer);
   *  - on the other instances, as soon as they receive the AUTH_CHANGED event, which is published
   *    after the commit and before the mutation returns (usually within milliseconds). An instance
   *    whose broker connection is down or not yet re-subscribed does not use its cache at all, and
   *    empties it when the connection comes back;
   *  - in any case within TOKEN_CACHE_TTL_MS (30 s), the safety net for a lost event (e.g. a publish
   *    that failed while the other instances' subscriber connections stayed up).
   * Changes made outside the server (SQL by hand) take up to that TTL.
   */
  async authenticate(emOf: EntityManager | (() => EntityManager), authorization: string | undefined | null): Promise<AuthUser | null> {
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
    const rows = await em.execute<
      { token_id: string; id: string; name: string; role: Role; can_use_shared_api: boolean; created_at: Date }[]
    >(
      `select t.id as token_id, u.id, u.name, u.role, u.can_use_shared_api, u.created_at
         from api_token t join app_user u on u.id = t.user_id
        where t.token_hash = ? and t.revoked_at is null`,
      [hash],
    );
    const row = rows[0];
    if (!row) throw new UnauthenticatedError('auth.invalidToken');
    this.touch(row.token_id);
    const user: AuthUser = Object.freeze({
      id: row.id,
      name: row.name,
      role: row.role,
      canUseSharedApi: row.can_use_shared_api,
      createdAt: new Date(row.created_at),
      tokenId: row.token_id,
    });
    if (useCache && this.cacheUsable()) this.cache.set(hash, user, generation, Date.now());
    return user;
  }

  requireUser(ctx: AuthContext): AuthUser {
    if (!ctx.user) throw new UnauthenticatedError();
    return ctx.user;
  }

  requireAdmin(ctx: AuthContext, action: string): AuthUser {
    const user = this.requireUser(ctx);
    if (user.role !== Role.ADMIN) throw new ForbiddenError('auth.forbidden', { role: user.role, action });
    return user;
  }

  async createUser(ctx: AuthContext, input: { name: string; role: Role; canUseSharedApi?: boolean | null }): Promise<User> {
    this.requireAdmin(ctx, 'createUser');
    const user = ctx.em.create(User, {
      name: input.name,
      role: input.role,
      canUseSharedApi: input.canUseSharedApi ?? true,
    });
    try {
      await ctx.em.flush();
    } catch (e) {
      if (e instanceof UniqueConstraintViolationException) throw new ConflictError('user.nameTaken', { name: input.name });
      throw e;
    }
    return user;
  }

  async createApiToken(ctx: AuthContext, input: { name: string; userId?: string | null }): Promise<{ token: string; apiToken: ApiToken }> {
    const caller = this.requireUser(ctx);
    const userId = input.userId ?? caller.id;
    if (userId !== caller.id) {
      if (caller.role !== Role.ADMIN) throw new ForbiddenError('auth.notOwnUser');
      const owner = isUuid(userId) ? await ctx.em.findOne(User, { id: userId }) : null;
      if (!owner) throw new NotFoundError('user.notFound', { id: userId });
    }
    const token = generateToken();
    const apiToken = ctx.em.create(ApiToken, { userId, name: input.name, tokenHash: hashToken(token) });
    await ctx.em.flush();
    return { token, apiToken };
  }

  async revokeApiToken(ctx: AuthContext, id: string): Promise<ApiToken> {
    const caller = this.requireUser(ctx);
    const apiToken = isUuid(id) ? await ctx.em.findOne(ApiToken, { id }) : null;
    if (!apiToken) throw new NotFoundError('token.notFound', { id });
    if (apiToken.userId !== caller.id && caller.role !== Role.ADMIN) {
      // Do not reveal that someone else's token exists.
      throw new NotFoundError('token.notFound', { id });
    }
    if (!apiToken.revokedAt) {
      apiToken.revokedAt = new Date();
      await ctx.em.flush();
    }
    return apiToken;
  }

  async findUsers(em: EntityManager, ids: readonly string[]): Promise<User[]> {
    return em.find(User, { id: { $in: [...ids] } });
  }

  /**
   * ADMIN_TOKEN at start-up: user "admin" (created or made ADMIN) owns exactly that token; a token
   * from an earlier ADMIN_TOKEN value is revoked so that changing the variable rotates it.
   */
  async bootstrapAdmin(adminToken: string): Promise<void> {
    await runInTransaction(this.rootEm, async (em) => {
      await em.execute(`select pg_advisory_xact_lock(hashtext('switchboard.bootstrap-admin'))`);
      let admin = await em.findOne(User, { name: 'admin' });
      if (!admin) admin = em.create(User, { name: 'admin', role: Role.ADMIN });
      admin.role = Role.ADMIN;
      await em.flush(); // the user row first: ids are plain columns, so the unit of work cannot order inserts
      const hash = hashToken(adminToken);
      const existing = await em.findOne(ApiToken, { tokenHash: hash });
      if (existing) {
        existing.userId = admin.id;
        existing.revokedAt = null;
        existing.fromEnv = true;
      } else {
        em.create(ApiToken, { userId: admin.id, name: 'ADMIN_TOKEN', tokenHash: hash, fromEnv: true });
      }
      await em.flush();
      await em.nativeUpdate(ApiToken, { fromEnv: true, tokenHash: { $ne: hash }, revokedAt: null }, { revokedAt: new Date() });
    });
    // nativeUpdate is invisible to the ORM's change events: drop every cached token, everywhere.
    await this.changed({});
  }

  /** Fire-and-forget: a failed write of this hint must not fail the request. */
  private touch(tokenId: string): void {
    const now = Date.now();
    const last = this.lastUsedWritten.get(tokenId) ?? 0;
    if (now - last < LAST_USED_RESOLUTION_MS) return;
    this.lastUsedWritten.set(tokenId, now);
    if (this.lastUsedWritten.size > 10_000) this.lastUsedWritten.clear();
    this.rootEm
      .getConnection()
      .execute('update api_token set last_used_at = now() where id = ?', [tokenId])
      .catch(() => this.lastUsedWritten.delete(tokenId));
  }
}
