import { Entity, OptionalProps, PrimaryKey, PrimaryKeyProp, Property } from '@mikro-orm/core';
import type { Capability } from '../../common/capability';

/**
 * One row per (provider, capability): the primary key on the pair makes a second holder impossible.
 * Created with the provider at version 0 (never held); every change adds exactly 1 (a trigger checks).
 */
@Entity({ tableName: 'activation_slot' })
export class ActivationSlot {
  [PrimaryKeyProp]?: ['providerId', 'capability'];
  [OptionalProps]?: 'aiModelId' | 'version' | 'activatedAt' | 'activatedBy';

  @PrimaryKey({ type: 'uuid' })
  providerId!: string;

  @PrimaryKey({ type: 'text' })
  capability!: Capability;

  @Property({ type: 'uuid', nullable: true, fieldName: 'model_id' })
  aiModelId: string | null = null;

  @Property({ type: 'integer' })
  version: number = 0;

  /** When the slot last changed (held or emptied). */
  @Property({ type: 'timestamptz', nullable: true })
  activatedAt: Date | null = null;

  @Property({ type: 'text', nullable: true })
  activatedBy: string | null = null;
}
