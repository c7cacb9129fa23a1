import { Check, Entity, Enum, Index, ManyToOne, OptionalProps, PrimaryKey, Property, type Ref } from '@mikro-orm/core';
import type { Capability } from '../../common/capability';
import { KeySource } from '../credentials/key-source';
import { User } from '../auth/user.entity';
import { Provider } from '../provider/provider.entity';

import { UsageStatus } from './gateway-enums';

export { UsageStatus };

/**
 * One row per generation call after its model and key were resolved: who, which model, which key
 * source, what it cost and how it ended. Never the key. `id` (bigserial) is also the cursor.
 */
@Entity({ tableName: 'usage_record' })
// The two ways usage is read: one user's calls, one provider's calls; both newest first.
@Index({ name: 'usage_record_user_idx', expression: 'create index "usage_record_user_idx" on "usage_record" ("user_id", "id" desc)' })
@Index({
  name: 'usage_record_provider_idx',
  expression: 'create index "usage_record_provider_idx" on "usage_record" ("provider_id", "id" desc)',
})
@Check({ name: 'usage_record_capability_check', expression: 'capability_rank(capability) is not null' })
@Check({ name: 'usage_record_check', expression: "(status = 'ERROR') = (error_code is not null)" })
@Check({ name: 'usage_record_prompt_tokens_check', expression: 'prompt_tokens >= 0' })
@Check({ name: 'usage_record_completion_tokens_check', expression: 'completion_tokens >= 0' })
@Check({ name: 'usage_record_total_tokens_check', expression: 'total_tokens >= 0' })
@Check({ name: 'usage_record_latency_ms_check', expression: 'latency_ms >= 0' })
export class UsageRecord {
  [OptionalProps]?: 'errorCode' | 'promptTokens' | 'completionTokens' | 'totalTokens' | 'createdAt' | 'userId' | 'providerId';

  @PrimaryKey({ type: 'bigint', autoincrement: true })
  id!: string;

  @ManyToOne(() => User, {
    ref: true,
    fieldName: 'user_id',
    foreignKeyName: 'usage_record_user_id_fkey',
    updateRule: 'no action',
    deleteRule: 'no action',
  })
  user!: Ref<User>;

  @ManyToOne(() => Provider, {
    ref: true,
    fieldName: 'provider_id',
    foreignKeyName: 'usage_record_provider_id_fkey',
    updateRule: 'no action',
    deleteRule: 'no action',
  })
  provider!: Ref<Provider>;

  /** The same columns as `user` and `provider`, written through them: pages and loaders read the ids. */
  @Property({ type: 'uuid', fieldName: 'user_id', persist: false })
  userId!: string;

  @Property({ type: 'uuid', fieldName: 'provider_id', persist: false })
  providerId!: string;

  /**
   * The AIModel row id (not the provider's model id). A plain column: its foreign key is the pair
   * (model_id, provider_id) → ai_model (id, provider_id), which says the model belongs to the provider.
   */
  @Property({ type: 'uuid', fieldName: 'model_id' })
  aiModelId!: string;

  @Property({ type: 'text' })
  capability!: Capability;

  @Enum({ items: () => KeySource, type: 'text' })
  keySource!: KeySource;

  @Enum({ items: () => UsageStatus, type: 'text' })
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

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();
}
