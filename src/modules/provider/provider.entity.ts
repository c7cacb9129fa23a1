import { randomUUID } from 'node:crypto';
import { Check, Entity, Enum, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { ApiStyle } from '../../common/api-style';

@Entity({ tableName: 'provider' })
@Check({ name: 'provider_slug_check', expression: "slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'" })
export class Provider {
  [OptionalProps]?: 'baseUrl' | 'apiStyle' | 'sharedApiEnabled' | 'sharedApiKeyEncrypted' | 'sharedApiKeyHint' | 'createdAt' | 'updatedAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ unique: 'provider_slug_key', length: 40 })
  slug!: string;

  @Property({ length: 100 })
  name!: string;

  @Property({ type: 'text', nullable: true })
  baseUrl: string | null = null;

  @Enum({ items: () => ApiStyle, type: 'text' })
  apiStyle: ApiStyle = ApiStyle.OPENAI;

  @Property()
  sharedApiEnabled: boolean = false;

  /** Encrypted with SecretBox; write-only: never selected unless asked for, never serialised. */
  @Property({ type: 'text', nullable: true, hidden: true, lazy: true })
  sharedApiKeyEncrypted: string | null = null;

  @Property({ type: 'text', nullable: true })
  sharedApiKeyHint: string | null = null;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz', defaultRaw: 'now()', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
