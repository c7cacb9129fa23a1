import type { DomainEvent } from '../../db/transaction';

/** The bus topic by which instances tell each other to drop cached authentications; owned by this module. */
export const AUTH_CHANGED = 'AUTH_CHANGED';

/** Which cached authentications are stale: by user, by token, or (neither given) all of them. */
export interface AuthChangedPayload {
  userId?: string;
  tokenId?: string;
}

/** A user's role/permissions or a token changed in a transaction. */
export interface AuthChanged extends DomainEvent {
  readonly type: 'auth.changed';
  readonly change: AuthChangedPayload;
}

export function authChanged(change: AuthChangedPayload): AuthChanged {
  return { type: 'auth.changed', change };
}

export function isAuthChanged(event: DomainEvent): event is AuthChanged {
  return event.type === 'auth.changed';
}
