import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Capability } from '../../common/capability';
import { Role } from '../../common/role';
import { ForbiddenError, NotFoundError, UserInputError } from '../../common/errors';
import { translate } from '../../common/i18n/translate';
import { isUuid } from '../../common/ids';
import type { DomainEvent, Transaction, TransactionRunner } from '../../db/transaction';
import type { ChangeRecord } from '../activation/change-record';
import { normalizeReason } from '../activation/reason';
import { AuditAction } from '../audit/audit-action';
import type { AuditActor, AuditService } from '../audit/audit.service';
import { checkCancellable, checkScheduleTime, failureOf, ScheduledChangeStatus, type ScheduleFailure } from './schedule-rules';
import type { ClaimedSwitch, ScheduledChangeRecord, ScheduleRepository } from './schedule.repository';
import type { DueSwitches } from './schedule.worker';

/** The activation path as scheduled switches use it (ActivationService provides it). */
export interface ScheduleActivation {
  /** The checks activateModel makes before changing anything; throws NOT_FOUND / BAD_USER_INPUT. */
  check(
    em: EntityManager,
    input: { modelId: string; capabilities?: Capability[] | null; expectedVersion?: number | null },
  ): Promise<{ aiModelId: string; providerId: string; capabilities: Capability[] }>;
  /**
   * Inside `em`'s transaction, exactly as activateModel called by `actor` (every check, compare-and-swap
   * on expectedVersion); throws the same errors. The history rows carry the reason and the switch's id.
   */
  applyInTransaction(
    tx: Transaction,
    actor: { id: string; name: string },
    input: { modelId: string; capabilities: Capability[]; expectedVersion: number | null; reason: string | null; scheduledChangeId: string },
  ): Promise<ChangeRecord[]>;
}

export interface ScheduleInput {
  modelId: string;
  capabilities?: Capability[] | null;
  expectedVersion?: number | null;
  at: Date;
  reason?: string | null;
}

export interface ScheduleListArgs {
  providerId?: string;
  status?: ScheduledChangeStatus | null;
  first: number;
  after?: string | null;
}

export function encodeScheduleCursor(s: { at: Date; id: string }): string {
  return Buffer.from(`${s.at.getTime()}:${s.id}`).toString('base64url');
}

export function decodeScheduleCursor(cursor: string): { at: Date; id: string } | undefined {
  const m = /^(\d{1,15}):([0-9a-f-]{36})$/i.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  return m && isUuid(m[2]) ? { at: new Date(Number(m[1])), id: m[2] } : undefined;
}

/**
 * Scheduled switches: create, cancel, list, and (for the worker) settle the next due one. Applying
 * is one transaction: the slot changes and history rows, the switch's new status and its audit event.
 */
export class ScheduleService implements DueSwitches {
  /** Set by the module: the worker of this instance, woken when a switch is created here. */
  worker?: { wake(at?: Date): void };

  constructor(
    private readonly rootEm: EntityManager,
    private readonly transactions: TransactionRunner,
    private readonly repository: ScheduleRepository,
    private readonly activation: ScheduleActivation,
    private readonly audit: AuditService,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async schedule(actor: { id: string; name: string }, input: ScheduleInput): Promise<ScheduledChangeRecord> {
    const reason = normalizeReason(input.reason);
    checkScheduleTime(input.at, this.now());
    const record = await this.transactions.run(async ({ em: tx }) => {
      const checked = await this.activation.check(tx, input);
      const created = await this.repository.insert(tx, {
        id: randomUUID(),
        providerId: checked.providerId,
        aiModelId: checked.aiModelId,
        capabilities: checked.capabilities,
        expectedVersion: input.expectedVersion ?? null,
        at: input.at,
        reason,
        createdBy: actor.id,
      });
      await this.audit.record(tx, actor, await this.auditEntry(tx, AuditAction.SCHEDULE_CREATED, created));
      return created;
    });
    this.worker?.wake(record.at);
    return record;
  }

  async cancel(actor: { id: string; name: string }, id: string): Promise<ScheduledChangeRecord> {
    if (!isUuid(id)) throw new NotFoundError('schedule.notFound', { id });
    return this.transactions.run(async ({ em: tx }) => {
      // Waits for a worker applying it right now: it then sees APPLIED/FAILED and answers CONFLICT.
      const found = await this.repository.lock(tx, id);
      if (!found) throw new NotFoundError('schedule.notFound', { id });
      checkCancellable(id, found.status);
      const cancelled = await this.repository.settle(tx, id, ScheduledChangeStatus.CANCELLED);
      await this.audit.record(tx, actor, await this.auditEntry(tx, AuditAction.SCHEDULE_CANCELLED, cancelled));
      return cancelled;
    });
  }

  async list(em: EntityManager, args: ScheduleListArgs): Promise<{ items: ScheduledChangeRecord[]; hasNextPage: boolean }> {
    if (!Number.isInteger(args.first) || args.first < 1 || args.first > 100) {
      throw new UserInputError('input.range', { field: 'first', min: 1, max: 100 }, 'first');
    }
    let after: { at: Date; id: string } | undefined;
    if (args.after != null) {
      after = decodeScheduleCursor(args.after);
      if (!after) throw new UserInputError('input.cursor', { field: 'after' }, 'after');
    }
    const rows = await this.repository.page(em, { providerId: args.providerId, status: args.status, after }, args.first + 1);
    return { items: rows.slice(0, args.first), hasNextPage: rows.length > args.first };
  }

  byIds(em: EntityManager, ids: readonly string[]): Promise<ScheduledChangeRecord[]> {
    return this.repository.byIds(em, ids.filter(isUuid));
  }

  changesOf(em: EntityManager, ids: readonly string[]): Promise<Record<string, unknown>[][]> {
    return this.repository.changesOf(em, ids);
  }

  nextDueAt(): Promise<Date | null> {
    return this.repository.nextDueAt(this.rootEm.fork());
  }

  /**
   * Claims the earliest due switch no other instance holds and settles it in one transaction: applied
   * as its author's activateModel, or, when a check fails, FAILED with the code and nothing else
   * changed (the attempt is rolled back to a savepoint). An unexpected error rolls everything back:
   * the switch stays PENDING for the next look.
   */
  async settleNextDue(): Promise<string | null> {
    return this.transactions.run(async (tx) => {
      const { em } = tx;
      const claimed = await this.repository.claimDue(em);
      if (!claimed) return null;
      const author = { id: claimed.createdBy, name: claimed.authorName };
      // The attempt's events reach the transaction only if it succeeds (a failed check leaves nothing behind).
      const attempt: DomainEvent[] = [];
      let changes: ChangeRecord[];
      let failure: ScheduleFailure | undefined;
      await em.execute('savepoint scheduled_switch');
      try {
        // As activateModel called by its author today: one who lost ADMIN may no longer switch.
        if (claimed.authorRole !== Role.ADMIN) throw new ForbiddenError('auth.forbidden', { role: claimed.authorRole, action: 'activateModel' });
        changes = await this.activation.applyInTransaction({ em, emit: (event) => void attempt.push(event) }, author, {
          modelId: claimed.aiModelId,
          capabilities: claimed.capabilities,
          expectedVersion: claimed.expectedVersion,
          reason: claimed.reason,
          scheduledChangeId: claimed.id,
        });
      } catch (e) {
        failure = failureOf(e);
        if (!failure) throw e;
        await em.execute('rollback to savepoint scheduled_switch');
        attempt.length = 0;
        changes = [];
      }
      for (const event of attempt) tx.emit(event);
      const settled = await this.repository.settle(
        em,
        claimed.id,
        failure ? ScheduledChangeStatus.FAILED : ScheduledChangeStatus.APPLIED,
        failure,
      );
      const action = failure ? AuditAction.SCHEDULE_FAILED : AuditAction.SCHEDULE_APPLIED;
      await this.audit.record(em, author, await this.auditEntry(em, action, settled, changes));
      return claimed.id;
    });
  }

  /** The failure message of a FAILED switch in `locale`. */
  failureMessage(s: ScheduledChangeRecord, locale: 'en' | 'fa'): string | null {
    return s.failureKey ? translate(locale, s.failureKey as never, s.failureParams ?? {}) : null;
  }

  private async auditEntry(em: EntityManager, action: AuditAction, s: ScheduledChangeRecord | ClaimedSwitch, changes: ChangeRecord[] = []) {
    const [names] = await em.execute<{ slug: string; name: string }[]>(
      'select p.slug, m.name from ai_model m join provider p on p.id = m.provider_id where m.id = ?',
      [s.aiModelId],
    );
    const details: Record<string, unknown> = {
      scheduledChangeId: s.id,
      provider: names?.slug,
      providerId: s.providerId,
      model: names?.name,
      modelId: s.aiModelId,
      capabilities: s.capabilities,
      expectedVersion: s.expectedVersion,
      at: s.at.toISOString(),
      reason: s.reason,
      status: s.status,
    };
    if (action === AuditAction.SCHEDULE_APPLIED) {
      details.changes = changes.map((c) => ({ capability: c.capability, version: c.version, before: c.previousAiModelId, after: c.aiModelId }));
    }
    if (action === AuditAction.SCHEDULE_FAILED) {
      details.failureCode = s.failureCode;
      details.failureMessage = this.failureMessage(s, 'en');
    }
    return {
      action,
      targetType: 'scheduledChange' as const,
      targetId: s.id,
      summary: {
        provider: names?.slug,
        model: names?.name,
        capabilities: s.capabilities.join(', '),
        at: s.at.toISOString(),
        reason: s.reason,
        code: s.failureCode,
      },
      details,
    };
  }
}

export type { AuditActor };
