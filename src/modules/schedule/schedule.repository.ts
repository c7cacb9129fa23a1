import type { EntityManager } from '@mikro-orm/postgresql';
import type { Capability } from '../../common/capability';
import type { Role } from '../../common/role';
import { pgArray } from '../../db/sql';
import { ScheduledChangeStatus, type ScheduleFailure } from './schedule-rules';

/** A scheduled switch as the services and the API see it. */
export interface ScheduledChangeRecord {
  id: string;
  providerId: string;
  /** The row id (AIModel.id) of the model it activates. */
  aiModelId: string;
  capabilities: Capability[];
  expectedVersion: number | null;
  at: Date;
  reason: string | null;
  status: ScheduledChangeStatus;
  createdBy: string;
  createdAt: Date;
  appliedAt: Date | null;
  failureCode: string | null;
  failureKey: string | null;
  failureParams: Record<string, string | number> | null;
}

/** A claimed due switch, with its author as the worker applies it. */
export interface ClaimedSwitch extends ScheduledChangeRecord {
  authorName: string;
  authorRole: Role;
}

const COLUMNS = `s.id, s.provider_id, s.model_id, s.capabilities, s.expected_version, s.at, s.reason, s.status, s.created_by,
  s.created_at, s.applied_at, s.failure_code, s.failure_key, s.failure_params`;

function parseTextArray(v: unknown): Capability[] {
  if (Array.isArray(v)) return v as Capability[];
  // pg returns an enum[] column as its text literal, e.g. '{CHAT,CODE}'.
  const s = typeof v === 'string' ? v : '{}';
  return (s.length > 2 ? s.slice(1, -1).split(',') : []) as Capability[];
}

function rowToRecord(row: Record<string, unknown>): ScheduledChangeRecord {
  const params = row.failure_params;
  return {
    id: row.id as string,
    providerId: row.provider_id as string,
    aiModelId: row.model_id as string,
    capabilities: parseTextArray(row.capabilities),
    expectedVersion: row.expected_version === null || row.expected_version === undefined ? null : Number(row.expected_version),
    at: new Date(row.at as string),
    reason: (row.reason as string | null) ?? null,
    status: row.status as ScheduledChangeStatus,
    createdBy: row.created_by as string,
    createdAt: new Date(row.created_at as string),
    appliedAt: row.applied_at ? new Date(row.applied_at as string) : null,
    failureCode: (row.failure_code as string | null) ?? null,
    failureKey: (row.failure_key as string | null) ?? null,
    failureParams: params ? ((typeof params === 'string' ? JSON.parse(params) : params) as Record<string, string | number>) : null,
  };
}

export interface ScheduleListFilter {
  providerId?: string;
  status?: ScheduledChangeStatus | null;
  /** Keyset: strictly after this (at, id). */
  after?: { at: Date; id: string };
}

/** The scheduled_change table. Every method runs on the EntityManager it is given (its transaction). */
export class ScheduleRepository {
  async insert(
    em: EntityManager,
    s: {
      id: string;
      providerId: string;
      aiModelId: string;
      capabilities: Capability[];
      expectedVersion: number | null;
      at: Date;
      reason: string | null;
      createdBy: string;
    },
  ): Promise<ScheduledChangeRecord> {
    const rows = await em.execute<Record<string, unknown>[]>(
      `insert into scheduled_change as s (id, provider_id, model_id, capabilities, expected_version, at, reason, created_by)
       values (?, ?, ?, ?::text[], ?, ?, ?, ?)
       returning ${COLUMNS}`,
      [s.id, s.providerId, s.aiModelId, pgArray(s.capabilities), s.expectedVersion, s.at, s.reason, s.createdBy],
    );
    return rowToRecord(rows[0]);
  }

  /** Locks one switch (waiting for a worker that holds it), for cancel. */
  async lock(em: EntityManager, id: string): Promise<ScheduledChangeRecord | null> {
    const rows = await em.execute<Record<string, unknown>[]>(`select ${COLUMNS} from scheduled_change s where s.id = ? for update`, [id]);
    return rows[0] ? rowToRecord(rows[0]) : null;
  }

  /**
   * The earliest due PENDING switch no other transaction holds, locked until this transaction ends.
   * SKIP LOCKED: concurrent workers each take a different one instead of queueing.
   */
  async claimDue(em: EntityManager): Promise<ClaimedSwitch | null> {
    const rows = await em.execute<Record<string, unknown>[]>(
      `select ${COLUMNS}, u.name as author_name, u.role as author_role
         from scheduled_change s join app_user u on u.id = s.created_by
        where s.status = 'PENDING' and s.at <= clock_timestamp()
        order by s.at, s.id
        limit 1
        for update of s skip locked`,
    );
    const row = rows[0];
    return row ? { ...rowToRecord(row), authorName: row.author_name as string, authorRole: row.author_role as Role } : null;
  }

  async nextDueAt(em: EntityManager): Promise<Date | null> {
    const rows = await em.execute<{ at: string }[]>(
      `select at /* scheduled switch probe */ from scheduled_change where status = 'PENDING' order by at, id limit 1`,
    );
    return rows[0] ? new Date(rows[0].at) : null;
  }

  /** PENDING -> APPLIED / CANCELLED / FAILED, with the time (the check constraints keep them consistent). */
  async settle(em: EntityManager, id: string, status: ScheduledChangeStatus, failure?: ScheduleFailure): Promise<ScheduledChangeRecord> {
    const rows = await em.execute<Record<string, unknown>[]>(
      `update scheduled_change s set status = ?, applied_at = date_trunc('milliseconds', clock_timestamp()),
              failure_code = ?, failure_key = ?, failure_params = ?::jsonb
        where s.id = ? and s.status = 'PENDING'
        returning ${COLUMNS}`,
      [status, failure?.code ?? null, failure?.key ?? null, failure ? JSON.stringify(failure.params) : null, id],
    );
    if (!rows[0]) throw new Error(`scheduled change ${id} was not PENDING when settled`);
    return rowToRecord(rows[0]);
  }

  /** By `at` ascending, then id. */
  async page(em: EntityManager, filter: ScheduleListFilter, limit: number): Promise<ScheduledChangeRecord[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.providerId) {
      where.push('s.provider_id = ?');
      params.push(filter.providerId);
    }
    if (filter.status) {
      where.push('s.status = ?');
      params.push(filter.status);
    }
    if (filter.after) {
      where.push('(s.at, s.id) > (?, ?::uuid)');
      params.push(filter.after.at, filter.after.id);
    }
    params.push(limit);
    const rows = await em.execute<Record<string, unknown>[]>(
      `select ${COLUMNS} from scheduled_change s ${where.length ? 'where ' + where.join(' and ') : ''} order by s.at, s.id limit ?`,
      params,
    );
    return rows.map(rowToRecord);
  }

  async byIds(em: EntityManager, ids: readonly string[]): Promise<ScheduledChangeRecord[]> {
    if (!ids.length) return [];
    const rows = await em.execute<Record<string, unknown>[]>(`select ${COLUMNS} from scheduled_change s where s.id = any(?::uuid[])`, [
      pgArray(ids),
    ]);
    return rows.map(rowToRecord);
  }

  /** The history rows each switch made, oldest first, grouped in input order. */
  async changesOf(em: EntityManager, ids: readonly string[]): Promise<Record<string, unknown>[][]> {
    const rows = ids.length
      ? await em.execute<Record<string, unknown>[]>(`select * from activation_change where scheduled_change_id = any(?::uuid[]) order by id`, [
          pgArray(ids),
        ])
      : [];
    return ids.map((id) => rows.filter((r) => r.scheduled_change_id === id));
  }
}
