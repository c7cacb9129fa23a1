import { Entity, Enum, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import type { Capability } from '../../common/capability';
import { ScheduledChangeStatus } from './schedule-rules';

/**
 * A switch planned for `at` (table scheduled_change). It leaves PENDING exactly once: APPLIED or
 * FAILED by the worker that claimed it, or CANCELLED; `appliedAt` records when.
 */
@Entity({ tableName: 'scheduled_change' })
export class ScheduledChange {
  [OptionalProps]?: 'status' | 'createdAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  providerId!: string;

  /** The row id (AIModel.id) of the model it activates. */
  @Property({ type: 'uuid', fieldName: 'model_id' })
  aiModelId!: string;

  @Property({ type: 'text[]' })
  capabilities!: Capability[];

  @Property({ type: 'integer', nullable: true })
  expectedVersion!: number | null;

  @Property({ type: 'timestamptz' })
  at!: Date;

  @Property({ type: 'text', nullable: true })
  reason!: string | null;

  @Enum({ items: () => ScheduledChangeStatus, type: 'text' })
  status: ScheduledChangeStatus = ScheduledChangeStatus.PENDING;

  @Property({ type: 'uuid' })
  createdBy!: string;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz', nullable: true })
  appliedAt!: Date | null;

  @Property({ type: 'text', nullable: true })
  failureCode!: string | null;

  @Property({ type: 'text', nullable: true })
  failureKey!: string | null;

  @Property({ type: 'jsonb', nullable: true })
  failureParams!: Record<string, unknown> | null;
}
