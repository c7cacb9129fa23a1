import { Entity, Enum, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { AuditAction, type AuditTargetType } from './audit-action';

/**
 * One state change, written in the transaction that made it (audit.repository.ts). The summary is
 * stored as its parameters and rendered in the reader's locale; `details` never holds a secret.
 */
@Entity({ tableName: 'audit_event' })
export class AuditEvent {
  [OptionalProps]?: 'at' | 'summaryParams' | 'details';

  @PrimaryKey({ type: 'bigint', autoincrement: true })
  id!: string;

  @Property({ type: 'timestamptz' })
  at!: Date;

  @Property({ type: 'uuid', nullable: true })
  actorId!: string | null;

  @Enum({ items: () => AuditAction, type: 'text' })
  action!: AuditAction;

  @Property({ type: 'text' })
  targetType!: AuditTargetType;

  @Property({ type: 'text' })
  targetId!: string;

  @Property({ type: 'text' })
  summaryKey!: string;

  @Property({ type: 'jsonb' })
  summaryParams!: Record<string, unknown>;

  @Property({ type: 'jsonb' })
  details!: Record<string, unknown>;
}
