import type { ChangeRecord } from '../modules/activation/change-record';

/** Every pub/sub topic of the server. */
export enum Topic {
  ACTIVE_MODEL_CHANGED = 'ACTIVE_MODEL_CHANGED',
  /** A user's role/permissions or a token changed: every instance drops what it cached for it. */
  AUTH_CHANGED = 'AUTH_CHANGED',
}

/** Which cached authentications are stale: by user, by token, or (neither given) all of them. */
export interface AuthChangedPayload {
  userId?: string;
  tokenId?: string;
}

/** Events are data: ids and ISO strings, so they cross Redis as JSON unchanged. */
export type ChangeEventPayload = Omit<ChangeRecord, 'changedAt'> & { changedAt: string };

export function toPayload(c: ChangeRecord): ChangeEventPayload {
  return { ...c, changedAt: c.changedAt.toISOString() };
}

export function fromPayload(p: ChangeEventPayload): ChangeRecord {
  return { ...p, changedAt: new Date(p.changedAt) };
}
