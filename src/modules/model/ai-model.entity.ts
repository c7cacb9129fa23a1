import { randomUUID } from 'node:crypto';
import { ArrayType, Entity, Filter, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import type { Capability } from '../../common/capability';

/** Name of the soft-delete filter; on by default, so a deleted model is found only when asked with `{ filters: { [LIVE_MODELS]: false } }`. */
export const LIVE_MODELS = 'live';

@Entity({ tableName: 'ai_model' })
@Filter({ name: LIVE_MODELS, cond: { deletedAt: null }, default: true })
export class AIModel {
  [OptionalProps]?: 'createdAt' | 'updatedAt' | 'deletedAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  providerId!: string;

  /** Unique per provider among models that are not deleted (a partial unique index). */
  @Property({ length: 100 })
  name!: string;

  /** The provider's own id for the model, sent upstream (the public `modelId`; the row id is `id`). */
  @Property({ length: 200 })
  modelId!: string;

  @Property({ length: 200 })
  displayName!: string;

  @Property({ type: ArrayType, columnType: 'text[]' })
  capabilities!: Capability[];

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz', onUpdate: () => new Date() })
  updatedAt: Date = new Date();

  /** Soft delete: set once, the model leaves every list but history keeps pointing at it. */
  @Property({ type: 'timestamptz', nullable: true })
  deletedAt: Date | null = null;
}
