import { Check, Entity, Index, ManyToOne, OptionalProps, PrimaryKeyProp, Property, type Ref } from '@mikro-orm/core';
import { User } from '../auth/user.entity';
import { Provider } from '../provider/provider.entity';

/**
 * A user's own API key for one provider (one per user and provider: the primary key on the pair).
 * The key is stored encrypted with SecretBox and is write-only: never selected unless asked for,
 * never serialised; people see only `keyHint`.
 */
@Entity({ tableName: 'personal_api_key' })
@Index({ name: 'personal_api_key_provider_idx', properties: ['provider'] })
// `~~` is LIKE as Postgres spells it back; the schema diff compares the spelling.
@Check({ name: 'personal_api_key_key_encrypted_check', expression: "key_encrypted ~~ 'v1:%'" })
export class PersonalApiKey {
  [PrimaryKeyProp]?: ['user', 'provider'];
  [OptionalProps]?: 'useSharedApi' | 'updatedAt' | 'userId' | 'providerId';

  @ManyToOne(() => User, {
    primary: true,
    ref: true,
    fieldName: 'user_id',
    foreignKeyName: 'personal_api_key_user_id_fkey',
    updateRule: 'no action',
    deleteRule: 'cascade',
  })
  user!: Ref<User>;

  @ManyToOne(() => Provider, {
    primary: true,
    ref: true,
    fieldName: 'provider_id',
    foreignKeyName: 'personal_api_key_provider_id_fkey',
    updateRule: 'no action',
    deleteRule: 'cascade',
  })
  provider!: Ref<Provider>;

  @Property({ type: 'uuid', fieldName: 'user_id', persist: false })
  userId!: string;

  @Property({ type: 'uuid', fieldName: 'provider_id', persist: false })
  providerId!: string;

  @Property({ type: 'text', hidden: true, lazy: true })
  keyEncrypted!: string;

  /** The last four characters, e.g. "…a1b2". */
  @Property({ type: 'text' })
  keyHint!: string;

  /** The owner prefers the provider's shared key (the personal key stays stored). */
  @Property({ default: false })
  useSharedApi: boolean = false;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  updatedAt: Date = new Date();
}
