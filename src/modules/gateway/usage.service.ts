import type { EntityManager } from '@mikro-orm/postgresql';
import type { FilterQuery } from '@mikro-orm/core';
import type { Capability } from '../../common/capability';
import { ForbiddenError, NotFoundError, UserInputError } from '../../common/errors';
import { isUuid } from '../../common/ids';
import { Role } from '../../common/role';
import type { ActivationQueryService } from '../activation/activation-query.service';
import { parseCursor, toCursor } from '../activation/change-record';
import type { Actor } from '../auth/actor';
import { checkPageSize } from '../shared/page-args';
import type { RequestScope } from '../shared/request-context';
import type { KeySource } from '../credentials/key-source';
import type { TokenUsage } from './adapters';
import { UsageRecord, type UsageStatus } from './usage-record.entity';

export interface UsageEntry {
  userId: string;
  providerId: string;
  /** The model row used (AIModel.id). */
  aiModelId: string;
  capability: Capability;
  keySource: KeySource;
  status: UsageStatus;
  errorCode?: string | null;
  usage?: TokenUsage | null;
  latencyMs: number;
}

export interface UsageQuery {
  userId?: string | null;
  provider?: string | null;
  first: number;
  after?: string | null;
}

export interface UsagePage {
  records: UsageRecord[];
  hasNextPage: boolean;
}

/** Usage cursors share the history's form: fixed-width decimal ids, newest first. */
export const usageCursor = toCursor;

/** The usage ledger: written once per generation call, read newest first. */
export class UsageService {
  constructor(private readonly activationQueries: Pick<ActivationQueryService, 'providerOrFail'>) {}

  /** Writes one record in its own unit of work (nothing else pending in the request is flushed with it). */
  async record(em: EntityManager, entry: UsageEntry): Promise<UsageRecord> {
    const fork = em.fork();
    const record = fork.create(UsageRecord, {
      userId: entry.userId,
      providerId: entry.providerId,
      aiModelId: entry.aiModelId,
      capability: entry.capability,
      keySource: entry.keySource,
      status: entry.status,
      errorCode: entry.errorCode ?? null,
      promptTokens: entry.usage?.promptTokens ?? null,
      completionTokens: entry.usage?.completionTokens ?? null,
      totalTokens: entry.usage?.totalTokens ?? null,
      latencyMs: Math.max(0, Math.round(entry.latencyMs)),
    });
    await fork.flush();
    return record;
  }

  /** ADMIN: everyone's (or one user's); MEMBER: its own only (another user's id is FORBIDDEN). */
  async list(caller: Actor, scope: RequestScope, query: UsageQuery): Promise<UsagePage> {
    checkPageSize(query.first);
    let afterId: string | undefined;
    if (query.after != null) {
      afterId = parseCursor(query.after);
      if (afterId === undefined) throw new UserInputError('input.cursor', { field: 'after' }, 'after');
    }
    let userId: string | null = null;
    if (caller.role !== Role.ADMIN) {
      if (query.userId != null && query.userId !== caller.id) throw new ForbiddenError('auth.notOwnUser');
      userId = caller.id;
    } else if (query.userId != null) {
      const user = isUuid(query.userId) ? await scope.loaders.userById.load(query.userId) : null;
      if (!user) throw new NotFoundError('user.notFound', { id: query.userId });
      userId = user.id;
    }
    const where: FilterQuery<UsageRecord> = {};
    if (userId) where.userId = userId;
    if (query.provider != null) where.providerId = (await this.activationQueries.providerOrFail(scope, query.provider)).id;
    if (afterId !== undefined) where.id = { $lt: afterId };
    const rows = await scope.em.find(UsageRecord, where, { orderBy: { id: 'desc' }, limit: query.first + 1 });
    return { records: rows.slice(0, query.first), hasNextPage: rows.length > query.first };
  }
}
