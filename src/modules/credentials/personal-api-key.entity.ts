import { Entity, OptionalProps, PrimaryKey, PrimaryKeyProp, Property } from '@mikro-orm/core';

/**
 * A user's own API key for one provider (one per user and provider: the primary key on the pair).
 * The key is stored encrypted with SecretBox and is write-only: never selected unless asked for,
 * never serialised; people see only `keyHint`.
 */
@Entity({ tableName: 'personal_api_key' })
export class PersonalApiKey {
  [PrimaryKeyProp]?: ['userId', 'providerId'];
  [OptionalProps]?: 'useSharedApi' | 'updatedAt';

  @PrimaryKey({ type: 'uuid' })
  userId!: string;

  @PrimaryKey({ type: 'uuid' })
  providerId!: string;

  @Property({ type: 'text', hidden: true, lazy: true })
  keyEncrypted!: string;

  /** The last four characters, e.g. "…a1b2". */
  @Property({ type: 'text' })
  keyHint!: string;

  /** The owner prefers the provider's shared key (the personal key stays stored). */
  @Property()
  useSharedApi: boolean = false;

  @Property({ type: 'timestamptz' })
  updatedAt: Date = new Date();
}
