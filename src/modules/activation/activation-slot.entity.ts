import { Check, Entity, Index, ManyToOne, OptionalProps, PrimaryKey, PrimaryKeyProp, Property, type Ref } from '@mikro-orm/core';
import type { Capability } from '../../common/capability';
import { Provider } from '../provider/provider.entity';

/**
 * One row per (provider, capability): the primary key on the pair makes a second holder impossible.
 * Created with the provider at version 0 (never held); every change adds exactly 1 (a trigger checks).
 */
@Entity({ tableName: 'activation_slot' })
@Index({
  name: 'activation_slot_model_idx',
  expression: 'create index "activation_slot_model_idx" on "activation_slot" ("model_id") where "model_id" is not null',
})
@Check({ name: 'activation_slot_capability_check', expression: 'capability_rank(capability) is not null' })
@Check({ name: 'activation_slot_version_check', expression: 'version >= 0' })
export class ActivationSlot {
  [PrimaryKeyProp]?: ['provider', 'capability'];
  [OptionalProps]?: 'aiModelId' | 'version' | 'activatedAt' | 'activatedBy' | 'providerId' | 'historyVersion';

  @ManyToOne(() => Provider, {
    primary: true,
    ref: true,
    fieldName: 'provider_id',
    foreignKeyName: 'activation_slot_provider_id_fkey',
    updateRule: 'no action',
    deleteRule: 'cascade',
  })
  provider!: Ref<Provider>;

  @PrimaryKey({ type: 'text' })
  capability!: Capability;

  @Property({ type: 'uuid', fieldName: 'provider_id', persist: false })
  providerId!: string;

  /**
   * The holder's row id. A plain column: its foreign key is the pair (model_id, provider_id) →
   * ai_model (id, provider_id), so a slot is only ever held by its own provider's model.
   */
  @Property({ type: 'uuid', nullable: true, fieldName: 'model_id' })
  aiModelId: string | null = null;

  @Property({ type: 'integer', default: 0 })
  version: number = 0;

  /** The history row of the current version (null at version 0): target of the deferred history foreign key. */
  @Property({ type: 'integer', nullable: true, generated: '(nullif(version, 0)) stored' })
  historyVersion?: number | null;

  /** When the slot last changed (held or emptied). */
  @Property({ type: 'timestamptz', nullable: true })
  activatedAt: Date | null = null;

  @Property({ type: 'text', nullable: true })
  activatedBy: string | null = null;
}
