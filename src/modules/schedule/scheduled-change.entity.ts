import { ArrayType, Check, Entity, Enum, Index, ManyToOne, OptionalProps, PrimaryKey, Property, type Ref } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import type { Capability } from '../../common/capability';
import { User } from '../auth/user.entity';
import { Provider } from '../provider/provider.entity';
import { ScheduledChangeStatus } from './schedule-rules';

/**
 * A switch planned for `at` (table scheduled_change). It leaves PENDING exactly once: APPLIED or
 * FAILED by the worker that claimed it, or CANCELLED; `appliedAt` records when.
 * Workers claim due rows through the partial index on PENDING rows by (at, id).
 */
@Entity({ tableName: 'scheduled_change' })
@Index({
  name: 'scheduled_change_due_idx',
  expression: `create index "scheduled_change_due_idx" on "scheduled_change" ("at", "id") where "status" = 'PENDING'`,
})
@Index({ name: 'scheduled_change_list_idx', properties: ['at', 'id'] })
@Index({ name: 'scheduled_change_provider_idx', properties: ['provider', 'at', 'id'] })
@Index({ name: 'scheduled_change_model_idx', properties: ['aiModelId'] })
@Check({ name: 'scheduled_change_capabilities_check', expression: 'capabilities_valid(capabilities)' })
@Check({ name: 'scheduled_change_expected_version_check', expression: 'expected_version >= 0' })
@Check({ name: 'scheduled_change_reason_check', expression: '(char_length(reason) >= 1) AND (char_length(reason) <= 500)' })
@Check({ name: 'scheduled_change_check', expression: 'expected_version is null or cardinality(capabilities) = 1' })
@Check({ name: 'scheduled_change_check1', expression: "(status = 'PENDING') = (applied_at is null)" })
@Check({ name: 'scheduled_change_check2', expression: "(status = 'FAILED') = (failure_code is not null and failure_key is not null)" })
export class ScheduledChange {
  [OptionalProps]?: 'status' | 'createdAt' | 'providerId' | 'createdById';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => Provider, {
    ref: true,
    fieldName: 'provider_id',
    foreignKeyName: 'scheduled_change_provider_id_fkey',
    updateRule: 'no action',
    deleteRule: 'cascade',
  })
  provider!: Ref<Provider>;

  /** The provider's row id: the same column as `provider`, written through it. */
  @Property({ type: 'uuid', fieldName: 'provider_id', persist: false })
  providerId!: string;

  /** The row id (AIModel.id) of the model it activates; its key is (model_id, provider_id) → ai_model (id, provider_id). */
  @Property({ type: 'uuid', fieldName: 'model_id' })
  aiModelId!: string;

  @Property({ type: ArrayType, columnType: 'text[]' })
  capabilities!: Capability[];

  @Property({ type: 'integer', nullable: true })
  expectedVersion!: number | null;

  @Property({ type: 'timestamptz' })
  at!: Date;

  @Property({ type: 'text', nullable: true })
  reason!: string | null;

  @Enum({ items: () => ScheduledChangeStatus, type: 'text', default: ScheduledChangeStatus.PENDING })
  status: ScheduledChangeStatus = ScheduledChangeStatus.PENDING;

  @ManyToOne(() => User, {
    ref: true,
    fieldName: 'created_by',
    foreignKeyName: 'scheduled_change_created_by_fkey',
    updateRule: 'no action',
    deleteRule: 'no action',
  })
  createdBy!: Ref<User>;

  /** The author's row id: the same column as `createdBy`, written through it. */
  @Property({ type: 'uuid', fieldName: 'created_by', persist: false })
  createdById!: string;

  @Property({ type: 'timestamptz', defaultRaw: "date_trunc('milliseconds'::text, clock_timestamp())" })
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
