import type { Capability } from '../../common/capability';

/** A committed change of one slot, as read from the history (also the event payload's source). */
export interface ChangeRecord {
  /** The history row id; its cursor form increases in commit order. */
  id: string;
  providerId: string;
  capability: Capability;
  /** Row ids (AIModel.id) of the new and the previous holder; null: empty. */
  aiModelId: string | null;
  previousAiModelId: string | null;
  version: number;
  changedAt: Date;
  changedBy: string | null;
  /** Why (activate, deactivate, revert, schedule); null when none was given. */
  reason: string | null;
  /** The scheduled switch that made this change, if one did. */
  scheduledChangeId: string | null;
  /** With tracing on: the W3C traceparent of the publish that carried it (a subscription event links to it). */
  trace?: string;
}

export const CURSOR_DIGITS = 20;

/** Cursors are fixed-width decimal strings, so they also compare correctly as strings. */
export function toCursor(id: string | number | bigint): string {
  return String(id).padStart(CURSOR_DIGITS, '0');
}

/** The history id of a cursor, or undefined when it is malformed. */
export function parseCursor(cursor: string): string | undefined {
  if (!/^\d{1,20}$/.test(cursor)) return undefined;
  const n = BigInt(cursor);
  if (n > 9223372036854775807n) return undefined;
  return n.toString();
}

export function rowToChange(row: Record<string, unknown>): ChangeRecord {
  return {
    id: String(row.id),
    providerId: row.provider_id as string,
    capability: row.capability as Capability,
    aiModelId: (row.model_id as string | null) ?? null,
    previousAiModelId: (row.previous_model_id as string | null) ?? null,
    version: Number(row.version),
    changedAt: new Date(row.changed_at as string),
    changedBy: (row.changed_by as string | null) ?? null,
    reason: (row.reason as string | null) ?? null,
    scheduledChangeId: (row.scheduled_change_id as string | null) ?? null,
  };
}
