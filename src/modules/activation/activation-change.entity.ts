import { Entity, PrimaryKey, Property } from '@mikro-orm/core';
import type { Capability } from '../../common/capability';

/**
 * The history: one row per change of a slot, written in the same transaction as the change.
 * It doubles as the outbox of change events (`publishedAt` is null until published).
 * `id` is assigned under a global lock held to commit, so ids increase in commit order: the cursor.
 */
@Entity({ tableName: 'activation_change' })
export class ActivationChange {
  @PrimaryKey({ type: 'bigint', autoincrement: true })
  id!: string;

  @Property({ type: 'uuid' })
  providerId!: string;

  @Property({ type: 'text' })
  capability!: Capability;

  @Property({ type: 'uuid', nullable: true, fieldName: 'model_id' })
  aiModelId!: string | null;

  @Property({ type: 'uuid', nullable: true, fieldName: 'previous_model_id' })
  previousAiModelId!: string | null;

  @Property({ type: 'integer' })
  version!: number;

  @Property({ type: 'timestamptz' })
  changedAt!: Date;

  @Property({ type: 'text', nullable: true })
  changedBy!: string | null;

  @Property({ type: 'timestamptz', nullable: true })
  publishedAt!: Date | null;
}
