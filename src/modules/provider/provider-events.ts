import type { DomainEvent } from '../../db/transaction';

/** A provider's row changed (settings, shared key): whatever caches it must forget it. */
export interface ProviderChanged extends DomainEvent {
  readonly type: 'provider.changed';
  readonly providerId: string;
}

export function providerChanged(providerId: string): ProviderChanged {
  return { type: 'provider.changed', providerId };
}

export function isProviderChanged(event: DomainEvent): event is ProviderChanged {
  return event.type === 'provider.changed';
}
