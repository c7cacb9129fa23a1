import { AppError, ErrorCode, UserInputError } from '../../common/errors';
import type { MessageKey, MessageParams } from '../../common/i18n/translate';

export enum ScheduledChangeStatus {
  PENDING = 'PENDING',
  APPLIED = 'APPLIED',
  CANCELLED = 'CANCELLED',
  FAILED = 'FAILED',
}

export const MAX_SCHEDULE_AHEAD_DAYS = 366;
const DAY_MS = 86_400_000;

/** `at` must be in the future and at most 366 days ahead (contract), else BAD_USER_INPUT. */
export function checkScheduleTime(at: Date, now: Date): void {
  const t = at.getTime();
  if (!Number.isFinite(t) || t <= now.getTime() || t > now.getTime() + MAX_SCHEDULE_AHEAD_DAYS * DAY_MS) {
    throw new UserInputError('schedule.atRange', { field: 'at', days: MAX_SCHEDULE_AHEAD_DAYS }, 'at');
  }
}

/** Only a PENDING switch can be cancelled; any other status is CONFLICT. */
export function checkCancellable(id: string, status: ScheduledChangeStatus): void {
  if (status !== ScheduledChangeStatus.PENDING) {
    throw new AppError(ErrorCode.CONFLICT, 'schedule.notPending', { id, status });
  }
}

/** Why a due switch was not applied: stored with the FAILED row, the message rendered per reader. */
export interface ScheduleFailure {
  code: string;
  key: MessageKey;
  params: MessageParams;
}

/** The codes of a failed check (contract: CONFLICT, NOT_FOUND, BAD_USER_INPUT; FORBIDDEN: the scheduler lost ADMIN). */
const CHECK_FAILURES = new Set<string>([ErrorCode.CONFLICT, ErrorCode.NOT_FOUND, ErrorCode.BAD_USER_INPUT, ErrorCode.FORBIDDEN]);

/**
 * A failed check makes the switch FAILED; anything else (the database unreachable, a bug) is not the
 * switch's fault: undefined, so the worker leaves it PENDING and tries again.
 */
export function failureOf(error: unknown): ScheduleFailure | undefined {
  if (error instanceof AppError && CHECK_FAILURES.has(error.code)) {
    return { code: error.code, key: error.messageKey, params: error.params };
  }
  return undefined;
}

/**
 * How long the worker sleeps: until the next due switch, but never longer than `pollMs` (switches
 * created on other instances, clocks that disagree a little), and not in a tight loop when a switch
 * this clock calls due is not yet due by the database's clock.
 */
export function nextDelay(nextDueAt: Date | null, now: number, pollMs: number, minMs = 25): number {
  if (!nextDueAt) return pollMs;
  return Math.min(pollMs, Math.max(minMs, nextDueAt.getTime() - now));
}
