import type { EntityManager } from '@mikro-orm/postgresql';
import type { Locale } from '../../config/config';
import { UserInputError } from '../../common/errors';
import { isUuid } from '../../common/ids';
import { AUDIT_TARGET_TYPES, type AuditAction, type AuditTargetType } from './audit-action';
import { renderSummary, type SummaryParams } from './audit-summaries';
import type { AuditInsert, AuditRecord, AuditRepository } from './audit.repository';
import type { SqlStatement } from '../../db/sql';

/** Who did it: a user (id and name at that moment), or null for the server itself. */
export type AuditActor = { id: string; name: string } | null;

/** What a service records about one successful change. */
export interface AuditEntry {
  action: AuditAction;
  targetType: AuditTargetType;
  targetId: string;
  /** The names the summary line shows (provider, model, user...); the actor's name is added. */
  summary: SummaryParams;
  /** What changed: before/after where it applies. Never a secret (see withoutSecrets). */
  details: Record<string, unknown>;
  /** The provider concerned: its slug is added to summary and details as `provider` (no extra round trip). */
  providerId?: string;
}

export interface AuditPageArgs {
  actorId?: string | null;
  action?: AuditAction | null;
  targetType?: string | null;
  from?: Date | null;
  to?: Date | null;
  first: number;
  after?: string | null;
}

export interface AuditEventView extends AuditRecord {
  summary: string;
  cursor: string;
}

/**
 * Property names that could carry a secret. Services never put one in `details` (keys appear as
 * their hint, tokens not at all); this is the net under that rule: such properties are dropped.
 */
const SECRET_PROPERTY = /^(api_?key|shared_?api_?key|key|token|secret|password|token_?hash|.*encrypted)$/i;

export function withoutSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutSecrets);
  if (value instanceof Date) return value.toISOString();
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (!SECRET_PROPERTY.test(k) && v !== undefined) out[k] = withoutSecrets(v);
    return out;
  }
  return value;
}

export function encodeAuditCursor(record: { at: Date; id: string }): string {
  return Buffer.from(`${record.at.getTime()}:${record.id}`).toString('base64url');
}

export function decodeAuditCursor(cursor: string): { at: Date; id: string } | undefined {
  const m = /^(\d{1,15}):(\d{1,19})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  return m ? { at: new Date(Number(m[1])), id: m[2] } : undefined;
}

/**
 * The audit log. `record` runs inside the transaction of the change it describes (one insert), so an
 * event exists exactly when its change committed; callers record only changes that happened.
 */
export class AuditService {
  constructor(private readonly repository: AuditRepository) {}

  async record(em: EntityManager, actor: AuditActor, entry: AuditEntry): Promise<void> {
    await this.repository.insert(em, this.toInsert(actor, entry));
  }

  /**
   * The event's insert as a statement, for a caller that sends it inside its own statement (same
   * transaction, no round trip of its own): how a slot change writes its event under the history lock.
   */
  statement(actor: AuditActor, entry: AuditEntry): SqlStatement {
    return this.repository.insertStatement(this.toInsert(actor, entry));
  }

  private toInsert(actor: AuditActor, entry: AuditEntry): AuditInsert {
    const summaryParams: SummaryParams = { ...entry.summary, actor: actor?.name ?? null };
    return {
      actorId: actor?.id ?? null,
      action: entry.action,
      targetType: entry.targetType,
      targetId: entry.targetId,
      summaryParams: withoutSecrets(summaryParams) as SummaryParams,
      details: withoutSecrets(entry.details) as Record<string, unknown>,
      providerId: entry.providerId,
    };
  }

  /** A page of events, newest first, with summaries in `locale`. ADMIN only (checked by the resolver). */
  async page(em: EntityManager, locale: Locale, args: AuditPageArgs): Promise<{ events: AuditEventView[]; hasNextPage: boolean }> {
    if (!Number.isInteger(args.first) || args.first < 1 || args.first > 100) {
      throw new UserInputError('input.range', { field: 'first', min: 1, max: 100 }, 'first');
    }
    let before: { at: Date; id: string } | undefined;
    if (args.after != null) {
      before = decodeAuditCursor(args.after);
      if (!before) throw new UserInputError('input.cursor', { field: 'after' }, 'after');
    }
    if (args.actorId != null && !isUuid(args.actorId)) throw new UserInputError('input.id', { field: 'actorId' }, 'actorId');
    if (args.targetType != null && !AUDIT_TARGET_TYPES.includes(args.targetType as AuditTargetType)) {
      throw new UserInputError('input.oneOf', { field: 'targetType', values: AUDIT_TARGET_TYPES.join(', ') }, 'targetType');
    }
    const rows = await this.repository.page(
      em,
      {
        actorId: args.actorId,
        action: args.action,
        targetType: args.targetType as AuditTargetType | null | undefined,
        from: args.from,
        to: args.to,
        before,
      },
      args.first + 1,
    );
    const events = rows.slice(0, args.first).map((r) => ({
      ...r,
      summary: renderSummary(locale, r.action, r.summaryParams),
      cursor: encodeAuditCursor(r),
    }));
    return { events, hasNextPage: rows.length > args.first };
  }
}
