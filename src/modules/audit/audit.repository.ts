import type { EntityManager } from '@mikro-orm/postgresql';
import { AuditAction, type AuditTargetType } from './audit-action';
import type { SummaryParams } from './audit-summaries';
import type { SqlStatement } from '../../db/sql';

/** An event as written and as read. */
export interface AuditRecord {
  id: string;
  at: Date;
  actorId: string | null;
  action: AuditAction;
  targetType: AuditTargetType;
  targetId: string;
  summaryParams: SummaryParams;
  details: Record<string, unknown>;
}

export interface AuditFilter {
  actorId?: string | null;
  action?: AuditAction | null;
  targetType?: AuditTargetType | null;
  from?: Date | null;
  to?: Date | null;
  /** Keyset: strictly older than this (at, id). */
  before?: { at: Date; id: string } | null;
}

function rowToRecord(row: Record<string, unknown>): AuditRecord {
  const json = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : (v ?? {})) as Record<string, unknown>;
  return {
    id: String(row.id),
    at: new Date(row.at as string),
    actorId: (row.actor_id as string | null) ?? null,
    action: row.action as AuditAction,
    targetType: row.target_type as AuditTargetType,
    targetId: row.target_id as string,
    summaryParams: json(row.summary_params) as SummaryParams,
    details: json(row.details),
  };
}

export interface AuditInsert {
  actorId: string | null;
  action: AuditAction;
  targetType: AuditTargetType;
  targetId: string;
  summaryParams: SummaryParams;
  details: Record<string, unknown>;
  /** Adds `provider` (this provider's slug) to the summary and the details, looked up by the insert itself. */
  providerId?: string;
}

/** The audit_event table: inserts inside the caller's transaction, newest-first pages, pruning. */
export class AuditRepository {
  /** One insert on the transaction's connection: it commits or rolls back with the change it records. */
  async insert(em: EntityManager, event: AuditInsert): Promise<void> {
    const { sql, params } = this.insertStatement(event);
    await em.execute(sql, params);
  }

  /** The insert as SQL and parameters, for a caller that sends it inside one of its own statements. */
  insertStatement(event: AuditInsert): SqlStatement {
    const slug = `coalesce(jsonb_build_object('provider', (select slug from provider where id = ?::uuid)), '{}'::jsonb)`;
    const withSlug = event.providerId !== undefined;
    return {
      sql: `insert into audit_event (actor_id, action, target_type, target_id, summary_key, summary_params, details)
       values (?, ?, ?, ?, ?, ?::jsonb${withSlug ? ` || ${slug}` : ''}, ?::jsonb${withSlug ? ` || ${slug}` : ''})`,
      params: [
        event.actorId,
        event.action,
        event.targetType,
        event.targetId,
        event.action,
        JSON.stringify(event.summaryParams),
        ...(withSlug ? [event.providerId] : []),
        JSON.stringify(event.details),
        ...(withSlug ? [event.providerId] : []),
      ],
    };
  }

  /** Newest first: (at, id) descending, `limit` rows. */
  async page(em: EntityManager, filter: AuditFilter, limit: number): Promise<AuditRecord[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, ...values: unknown[]) => {
      where.push(sql);
      params.push(...values);
    };
    if (filter.actorId) add('actor_id = ?', filter.actorId);
    if (filter.action) add('action = ?', filter.action);
    if (filter.targetType) add('target_type = ?', filter.targetType);
    if (filter.from) add('at >= ?', filter.from);
    if (filter.to) add('at < ?', filter.to);
    if (filter.before) add('(at, id) < (?, ?)', filter.before.at, filter.before.id);
    params.push(limit);
    const rows = await em.execute<Record<string, unknown>[]>(
      `select id, at, actor_id, action, target_type, target_id, summary_params, details from audit_event
        ${where.length ? 'where ' + where.join(' and ') : ''}
        order by at desc, id desc limit ?`,
      params,
    );
    return rows.map(rowToRecord);
  }

  /** Deletes up to `batch` events older than `before`; returns how many. */
  async pruneBatch(em: EntityManager, before: Date, batch: number): Promise<number> {
    const rows = await em.execute<unknown[]>(
      `delete from audit_event where id in (select id from audit_event where at < ? order by at limit ?) returning id`,
      [before, batch],
    );
    return rows.length;
  }
}
