import { Check, Entity, Index, ManyToOne, PrimaryKey, Property, Unique, type Ref } from '@mikro-orm/core';
import type { Capability } from '../../common/capability';
import { AIModel } from '../model/ai-model.entity';
import { ScheduledChange } from '../schedule/scheduled-change.entity';

/**
 * The history: one row per change of a slot, written in the same transaction as the change.
 * It doubles as the outbox of change events (`publishedAt` is null until published).
 * `id` is assigned under a global lock held to commit, so ids increase in commit order: the cursor.
 */
@Entity({ tableName: 'activation_change' })
@Unique({ name: 'activation_change_provider_id_capability_version_key', properties: ['providerId', 'capability', 'version'] })
@Index({ name: 'activation_change_changed_at_idx', properties: ['providerId', 'capability', 'changedAt'] })
@Index({
  name: 'activation_change_unpublished_idx',
  expression: 'create index "activation_change_unpublished_idx" on "activation_change" ("id") where "published_at" is null',
})
@Index({
  name: 'activation_change_scheduled_idx',
  expression:
    'create index "activation_change_scheduled_idx" on "activation_change" ("scheduled_change_id") where "scheduled_change_id" is not null',
})
// activationHistory's filters: by author, by provider, and by time (newest first by id).
@Index({ name: 'activation_change_changed_by_idx', properties: ['changedBy', 'id'] })
@Index({ name: 'activation_change_provider_id_idx', properties: ['providerId', 'id'] })
@Index({ name: 'activation_change_time_idx', properties: ['changedAt', 'id'] })
@Check({ name: 'activation_change_reason_check', expression: '(char_length(reason) >= 1) AND (char_length(reason) <= 500)' })
@Check({ name: 'activation_change_version_check', expression: 'version >= 1' })
@Check({ name: 'activation_change_changes', expression: 'model_id is distinct from previous_model_id' })
export class ActivationChange {
  @PrimaryKey({ type: 'bigint', autoincrement: true })
  id!: string;

  @Property({ type: 'uuid' })
  providerId!: string;

  @Property({ type: 'text' })
  capability!: Capability;

  @ManyToOne(() => AIModel, {
    ref: true,
    nullable: true,
    fieldName: 'model_id',
    foreignKeyName: 'activation_change_model_id_fkey',
    updateRule: 'no action',
    deleteRule: 'no action',
  })
  aiModel!: Ref<AIModel> | null;

  @ManyToOne(() => AIModel, {
    ref: true,
    nullable: true,
    fieldName: 'previous_model_id',
    foreignKeyName: 'activation_change_previous_model_id_fkey',
    updateRule: 'no action',
    deleteRule: 'no action',
  })
  previousAiModel!: Ref<AIModel> | null;

  @Property({ type: 'uuid', nullable: true, fieldName: 'model_id', persist: false })
  aiModelId!: string | null;

  @Property({ type: 'uuid', nullable: true, fieldName: 'previous_model_id', persist: false })
  previousAiModelId!: string | null;

  @Property({ type: 'integer' })
  version!: number;

  /** version - 1 (null for version 1): the self foreign key to the row before makes the chain gapless. */
  @Property({ type: 'integer', nullable: true, generated: '(nullif(version - 1, 0)) stored' })
  previousVersion?: number | null;

  @Property({ type: 'timestamptz', defaultRaw: 'clock_timestamp()' })
  changedAt!: Date;

  @Property({ type: 'text', nullable: true })
  changedBy!: string | null;

  @Property({ type: 'timestamptz', nullable: true })
  publishedAt!: Date | null;

  /** Why the change was made, as its author said (1..500 characters), or null. */
  @Property({ type: 'text', nullable: true })
  reason!: string | null;

  /** The scheduled switch that made this change, or null for a direct one. */
  @ManyToOne(() => ScheduledChange, {
    ref: true,
    nullable: true,
    fieldName: 'scheduled_change_id',
    foreignKeyName: 'activation_change_scheduled_change_id_fkey',
    updateRule: 'no action',
    deleteRule: 'no action',
  })
  scheduledChange!: Ref<ScheduledChange> | null;

  /** Its row id: the same column as `scheduledChange`, written through it. */
  @Property({ type: 'uuid', nullable: true, fieldName: 'scheduled_change_id', persist: false })
  scheduledChangeId!: string | null;
}
