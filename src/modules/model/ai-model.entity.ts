import { randomUUID } from 'node:crypto';
import { ArrayType, Check, Entity, Filter, Index, ManyToOne, OptionalProps, PrimaryKey, Property, Unique, type Ref } from '@mikro-orm/core';
import type { Capability } from '../../common/capability';
import { Provider } from '../provider/provider.entity';

/** Name of the soft-delete filter; on by default, so a deleted model is found only when asked with `{ filters: { [LIVE_MODELS]: false } }`. */
export const LIVE_MODELS = 'live';

@Entity({ tableName: 'ai_model' })
@Filter({ name: LIVE_MODELS, cond: { deletedAt: null }, default: true })
// The target of the (model, provider) foreign keys of slots and usage: a model holds only its own provider's slots.
@Unique({ name: 'ai_model_id_provider_id_key', properties: ['id', 'provider'] })
@Index({ name: 'ai_model_provider_idx', properties: ['provider'] })
@Index({
  name: 'ai_model_provider_name_live',
  expression: 'create unique index "ai_model_provider_name_live" on "ai_model" ("provider_id", "name") where "deleted_at" is null',
})
@Check({ name: 'ai_model_capabilities_check', expression: 'capabilities_valid(capabilities)' })
export class AIModel {
  [OptionalProps]?: 'createdAt' | 'updatedAt' | 'deletedAt' | 'providerId';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => Provider, {
    ref: true,
    fieldName: 'provider_id',
    foreignKeyName: 'ai_model_provider_id_fkey',
    updateRule: 'no action',
    deleteRule: 'no action',
  })
  provider!: Ref<Provider>;

  /** The provider's row id, read often (loaders, snapshots): the same column as `provider`, written through it. */
  @Property({ type: 'uuid', fieldName: 'provider_id', persist: false })
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

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz', defaultRaw: 'now()', onUpdate: () => new Date() })
  updatedAt: Date = new Date();

  /** Soft delete: set once, the model leaves every list but history keeps pointing at it. */
  @Property({ type: 'timestamptz', nullable: true })
  deletedAt: Date | null = null;
}
