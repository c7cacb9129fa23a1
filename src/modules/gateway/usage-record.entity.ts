import { Entity, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import type { Capability } from '../../common/capability';
import type { KeySource } from '../credentials/key-source';

import { UsageStatus } from './gateway-enums';

export { UsageStatus };

/**
 * One row per generation call after its model and key were resolved: who, which model, which key
 * source, what it cost and how it ended. Never the key. `id` (bigserial) is also the cursor.
 */
@Entity({ tableName: 'usage_record' })
export class UsageRecord {
  [OptionalProps]?: 'errorCode' | 'promptTokens' | 'completionTokens' | 'totalTokens' | 'createdAt';

  @PrimaryKey({ type: 'bigint', autoincrement: true })
  id!: string;

  @Property({ type: 'uuid' })
  userId!: string;

  @Property({ type: 'uuid' })
  providerId!: string;

  /** The AIModel row id (not the provider's model id). */
  @Property({ type: 'uuid', fieldName: 'model_id' })
  aiModelId!: string;

  @Property({ type: 'text' })
  capability!: Capability;

  @Property({ type: 'text' })
  keySource!: KeySource;

  @Property({ type: 'text' })
  status!: UsageStatus;

  /** The error code the caller saw (e.g. PROVIDER_RATE_LIMITED); null when OK. */
  @Property({ type: 'text', nullable: true })
  errorCode: string | null = null;

  @Property({ type: 'integer', nullable: true })
  promptTokens: number | null = null;

  @Property({ type: 'integer', nullable: true })
  completionTokens: number | null = null;

  @Property({ type: 'integer', nullable: true })
  totalTokens: number | null = null;

  @Property({ type: 'integer' })
  latencyMs!: number;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();
}
