import type { DomainEvent } from '../../db/transaction';
import type { ChangeRecord } from './change-record';

/** The bus topic of committed slot changes, owned by this module. */
export const ACTIVE_MODEL_CHANGED = 'ACTIVE_MODEL_CHANGED';

/** Slots changed in a transaction (one history row each). */
export interface SlotsChanged extends DomainEvent {
  readonly type: 'slots.changed';
  readonly changes: readonly ChangeRecord[];
}

export function slotsChanged(changes: readonly ChangeRecord[]): SlotsChanged {
  return { type: 'slots.changed', changes };
}

export function isSlotsChanged(event: DomainEvent): event is SlotsChanged {
  return event.type === 'slots.changed';
}

/** Every change of these committed events, in the order they were made. */
export function changesIn(events: readonly DomainEvent[]): ChangeRecord[] {
  return events.filter(isSlotsChanged).flatMap((e) => e.changes);
}

/** Events are data: ids and ISO strings, so they cross Redis as JSON unchanged. */
export type ChangeEventPayload = Omit<ChangeRecord, 'changedAt'> & { changedAt: string };

export function toPayload(c: ChangeRecord): ChangeEventPayload {
  return { ...c, changedAt: c.changedAt.toISOString() };
}

export function fromPayload(p: ChangeEventPayload): ChangeRecord {
  return { ...p, changedAt: new Date(p.changedAt) };
}
