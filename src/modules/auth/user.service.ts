import { LockMode, ref } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { ConflictError, ForbiddenError, NotFoundError } from '../../common/errors';
import { isUuid } from '../../common/ids';
import { Role } from '../../common/role';
import { isUniqueViolation, type TransactionRunner } from '../../db/transaction';
import type { Actor } from './actor';
import { ApiToken } from './api-token.entity';
import { authChanged } from './auth-events';
import { generateToken, hashToken } from './token';
import { User } from './user.entity';
import { AuditAction } from '../audit/audit-action';
import { diffFields } from '../audit/audit-details';
import type { AuditActor, AuditEntry, AuditService } from '../audit/audit.service';

export interface UpdateUserData {
  id: string;
  role?: Role | null;
  canUseSharedApi?: boolean | null;
}

/**
 * Users, their roles and their API tokens. Role checks are the resolvers' (@Authorized); what
 * depends on the data ("your own token, or ADMIN for anyone's") is checked here against the Actor.
 * Every change that affects authentication emits AuthChanged on its transaction.
 */
export class UserService {
  constructor(
    private readonly transactions: TransactionRunner,
    private readonly audit: AuditService,
  ) {}

  async createUser(actor: Actor, input: { name: string; role: Role; canUseSharedApi?: boolean | null }): Promise<User> {
    try {
      return await this.transactions.run(async ({ em }) => {
        const user = em.create(User, { name: input.name, role: input.role, canUseSharedApi: input.canUseSharedApi ?? true });
        await em.flush();
        await this.audit.record(em, actor, userEntry(AuditAction.USER_CREATED, user));
        return user;
      });
    } catch (e) {
      if (isUniqueViolation(e)) throw new ConflictError('user.nameTaken', { name: input.name });
      throw e;
    }
  }

  /** Changes a user's role or shared-key permission; the last ADMIN cannot be demoted. */
  async updateUser(actor: Actor, input: UpdateUserData): Promise<User> {
    if (!isUuid(input.id)) throw new NotFoundError('user.notFound', { id: input.id });
    return this.transactions.run(async (tx) => {
      const { em } = tx;
      if (input.role === Role.MEMBER) {
        // Every demotion locks the ADMIN rows first, in one order: concurrent demotions queue,
        // so two of them cannot each see "another admin remains" and leave none.
        await em.find(
          User,
          { role: Role.ADMIN },
          { orderBy: { id: 'asc' }, lockMode: LockMode.PESSIMISTIC_WRITE, fields: ['id'], disableIdentityMap: true },
        );
      }
      const user = await em.findOne(User, { id: input.id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!user) throw new NotFoundError('user.notFound', { id: input.id });
      if (input.role === Role.MEMBER && user.role === Role.ADMIN) {
        if ((await em.count(User, { role: Role.ADMIN })) <= 1) throw new ConflictError('user.lastAdmin', { name: user.name });
      }
      const before = { role: user.role, canUseSharedApi: user.canUseSharedApi };
      if (input.role != null) user.role = input.role;
      if (input.canUseSharedApi != null) user.canUseSharedApi = input.canUseSharedApi;
      const diff = diffFields(before, { role: user.role, canUseSharedApi: user.canUseSharedApi });
      if (!diff) return user; // the same values: nothing to write, nothing to record
      await em.flush();
      await this.audit.record(em, actor, {
        ...userEntry(AuditAction.USER_UPDATED, user),
        summary: { user: user.name, fields: diff.fields.join(', ') },
        details: { name: user.name, ...diff },
      });
      tx.emit(authChanged({ userId: user.id }));
      return user;
    });
  }

  async createApiToken(actor: Actor, input: { name: string; userId?: string | null }): Promise<{ token: string; apiToken: ApiToken }> {
    const userId = input.userId ?? actor.id;
    const token = generateToken();
    const apiToken = await this.transactions.run(async ({ em }) => {
      if (userId !== actor.id) {
        if (actor.role !== Role.ADMIN) throw new ForbiddenError('auth.notOwnUser');
        const owner = isUuid(userId) ? await em.findOne(User, { id: userId }) : null;
        if (!owner) throw new NotFoundError('user.notFound', { id: userId });
      }
      const created = em.create(ApiToken, { user: userId, userId, name: input.name, tokenHash: hashToken(token) });
      await em.flush();
      await this.audit.record(em, actor, await tokenEntry(em, AuditAction.TOKEN_CREATED, created));
      return created;
    });
    return { token, apiToken };
  }

  /** One's own token, or (ADMIN) anyone's; someone else's is NOT_FOUND, so its existence is not revealed. */
  async revokeApiToken(actor: Actor, id: string): Promise<ApiToken> {
    return this.transactions.run(async (tx) => {
      const apiToken = isUuid(id) ? await tx.em.findOne(ApiToken, { id }) : null;
      if (!apiToken || (apiToken.userId !== actor.id && actor.role !== Role.ADMIN)) throw new NotFoundError('token.notFound', { id });
      if (!apiToken.revokedAt) {
        apiToken.revokedAt = new Date();
        await tx.em.flush();
        await this.audit.record(tx.em, actor, await tokenEntry(tx.em, AuditAction.TOKEN_REVOKED, apiToken));
        tx.emit(authChanged({ tokenId: apiToken.id }));
      }
      return apiToken;
    });
  }

  findUsers(em: EntityManager, ids: readonly string[]): Promise<User[]> {
    return em.find(User, { id: { $in: [...ids] } });
  }

  /**
   * ADMIN_TOKEN at start-up: user "admin" (created or made ADMIN) owns exactly that token; a token
   * from an earlier ADMIN_TOKEN value is revoked so that changing the variable rotates it.
   */
  async bootstrapAdmin(adminToken: string): Promise<void> {
    await this.transactions.run(async (tx) => {
      const { em } = tx;
      // Raw: an advisory lock has no ORM form; it serializes instances starting together.
      await em.execute(`select pg_advisory_xact_lock(hashtext('switchboard.bootstrap-admin'))`);
      let admin = await em.findOne(User, { name: 'admin' });
      const created = !admin;
      const roleBefore = admin?.role;
      if (!admin) admin = em.create(User, { name: 'admin', role: Role.ADMIN });
      admin.role = Role.ADMIN;
      await em.flush();
      // The server itself acts here: its audit events have no actor. Only real changes are recorded.
      const server: AuditActor = null;
      if (created) await this.audit.record(em, server, userEntry(AuditAction.USER_CREATED, admin));
      else if (roleBefore !== Role.ADMIN) {
        await this.audit.record(em, server, {
          ...userEntry(AuditAction.USER_UPDATED, admin),
          summary: { user: admin.name, fields: 'role' },
          details: { name: admin.name, fields: ['role'], before: { role: roleBefore }, after: { role: Role.ADMIN } },
        });
      }
      const hash = hashToken(adminToken);
      const existing = await em.findOne(ApiToken, { tokenHash: hash });
      let granted: ApiToken | null = null;
      if (existing) {
        if (existing.userId !== admin.id || existing.revokedAt) granted = existing;
        existing.user = ref(admin);
        existing.userId = admin.id;
        existing.revokedAt = null;
        existing.fromEnv = true;
      } else {
        granted = em.create(ApiToken, { user: admin, userId: admin.id, name: 'ADMIN_TOKEN', tokenHash: hash, fromEnv: true });
      }
      await em.flush();
      if (granted) await this.audit.record(em, server, await tokenEntry(em, AuditAction.TOKEN_CREATED, granted));
      const stale = await em.find(ApiToken, { fromEnv: true, tokenHash: { $ne: hash }, revokedAt: null });
      for (const old of stale) {
        old.revokedAt = new Date();
        await this.audit.record(em, server, await tokenEntry(em, AuditAction.TOKEN_REVOKED, old));
      }
      await em.flush();
      // Tokens were re-assigned and revoked in bulk: drop every cached token, everywhere.
      tx.emit(authChanged({}));
    });
  }
}

function userEntry(action: AuditAction, user: User): AuditEntry {
  return {
    action,
    targetType: 'user',
    targetId: user.id,
    summary: { user: user.name, role: user.role },
    details: { name: user.name, role: user.role, canUseSharedApi: user.canUseSharedApi },
  };
}

/** A token as the audit log shows it: its id, name and owner; never the token or its hash. */
async function tokenEntry(em: EntityManager, action: AuditAction, token: { id: string; name: string; userId: string }): Promise<AuditEntry> {
  const owner = await em.findOne(User, { id: token.userId });
  return {
    action,
    targetType: 'apiToken',
    targetId: token.id,
    summary: { tokenName: token.name, user: owner?.name ?? token.userId },
    details: { tokenId: token.id, name: token.name, userId: token.userId, user: owner?.name ?? null },
  };
}
