import type { EntityManager } from '@mikro-orm/postgresql';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { Role } from '../../common/capability';
import { ConflictError, ForbiddenError, NotFoundError, UnauthenticatedError } from '../../common/errors';
import { ApiToken } from './api-token.entity';
import type { AuthUser } from './auth-user';
import { bearerToken, generateToken, hashToken } from './token';
import { isUuid } from '../../common/ids';
import { User } from './user.entity';

/** lastUsedAt is a hint for humans: writing it at most once a minute per token keeps reads cheap. */
const LAST_USED_RESOLUTION_MS = 60_000;

export interface AuthContext {
  em: EntityManager;
  user: AuthUser | null;
}

/** Users, tokens and roles. */
export class AuthService {
  private readonly lastUsedWritten = new Map<string, number>();

  constructor(private readonly rootEm: EntityManager) {}

  /**
   * The user a bearer header stands for: null when no header was sent; UnauthenticatedError for a
   * bad or revoked token. One SQL statement; revocation takes effect on the next request.
   */
  async authenticate(em: EntityManager, authorization: string | undefined | null): Promise<AuthUser | null> {
    if (authorization === undefined || authorization === null || authorization === '') return null;
    const token = bearerToken(authorization);
    if (!token) throw new UnauthenticatedError('auth.invalidToken');
    const rows = await em.execute<
      { token_id: string; id: string; name: string; role: Role; can_use_shared_api: boolean; created_at: Date }[]
    >(
      `select t.id as token_id, u.id, u.name, u.role, u.can_use_shared_api, u.created_at
         from api_token t join app_user u on u.id = t.user_id
        where t.token_hash = ? and t.revoked_at is null`,
      [hashToken(token)],
    );
    const row = rows[0];
    if (!row) throw new UnauthenticatedError('auth.invalidToken');
    this.touch(row.token_id);
    return {
      id: row.id,
      name: row.name,
      role: row.role,
      canUseSharedApi: row.can_use_shared_api,
      createdAt: new Date(row.created_at),
      tokenId: row.token_id,
    };
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
    await this.rootEm.fork().transactional(async (em) => {
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
