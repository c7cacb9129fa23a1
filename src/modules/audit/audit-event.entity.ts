import { Check, Entity, Enum, Index, ManyToOne, OptionalProps, PrimaryKey, Property, type Ref } from '@mikro-orm/core';
import { User } from '../auth/user.entity';
import { AUDIT_TARGET_TYPES, AuditAction, type AuditTargetType } from './audit-action';

/**
 * One state change, written in the transaction that made it (audit.repository.ts). The summary is
 * stored as its parameters and rendered in the reader's locale; `details` never holds a secret.
 * Each auditLog filter has an index that also serves the newest-first (at, id) order.
 */
@Entity({ tableName: 'audit_event' })
@Index({ name: 'audit_event_at_idx', properties: ['at', 'id'] })
@Index({ name: 'audit_event_actor_idx', properties: ['actor', 'at', 'id'] })
@Index({ name: 'audit_event_action_idx', properties: ['action', 'at', 'id'] })
@Index({ name: 'audit_event_target_idx', properties: ['targetType', 'at', 'id'] })
@Check({ name: 'audit_event_details_check', expression: "jsonb_typeof(details) = 'object'" })
export class AuditEvent {
  [OptionalProps]?: 'at' | 'summaryParams' | 'details' | 'actorId';

  @PrimaryKey({ type: 'bigint', autoincrement: true })
  id!: string;

  /** Cut to milliseconds, as the API shows it, so (at, id) page cursors round-trip exactly. */
  @Property({ type: 'timestamptz', defaultRaw: "date_trunc('milliseconds'::text, clock_timestamp())" })
  at!: Date;

  @ManyToOne(() => User, {
    ref: true,
    nullable: true,
    fieldName: 'actor_id',
    foreignKeyName: 'audit_event_actor_id_fkey',
    updateRule: 'no action',
    deleteRule: 'no action',
  })
  actor!: Ref<User> | null;

  /** The actor's row id: the same column as `actor`, written through it. */
  @Property({ type: 'uuid', nullable: true, fieldName: 'actor_id', persist: false })
  actorId!: string | null;

  @Enum({ items: () => AuditAction, type: 'text' })
  action!: AuditAction;

  @Enum({ items: [...AUDIT_TARGET_TYPES], type: 'text' })
  targetType!: AuditTargetType;

  @Property({ type: 'text' })
  targetId!: string;

  @Property({ type: 'text' })
  summaryKey!: string;

  @Property({ type: 'jsonb', defaultRaw: "'{}'" })
  summaryParams!: Record<string, unknown>;

  @Property({ type: 'jsonb', defaultRaw: "'{}'" })
  details!: Record<string, unknown>;
}
