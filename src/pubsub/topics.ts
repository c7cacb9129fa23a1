import type { ChangeRecord } from '../modules/activation/change-record';

/** Every pub/sub topic of the server. */
export enum Topic {
  ACTIVE_MODEL_CHANGED = 'ACTIVE_MODEL_CHANGED',
}

/** Events are data: ids and ISO strings, so they cross Redis as JSON unchanged. */
export type ChangeEventPayload = Omit<ChangeRecord, 'changedAt'> & { changedAt: string };

export function toPayload(c: ChangeRecord): ChangeEventPayload {
  return { ...c, changedAt: c.changedAt.toISOString() };
}

export function fromPayload(p: ChangeEventPayload): ChangeRecord {
  return { ...p, changedAt: new Date(p.changedAt) };
}
