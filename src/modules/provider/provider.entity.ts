import { randomUUID } from 'node:crypto';
import { Entity, Enum, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { ApiStyle } from '../../common/api-style';

@Entity({ tableName: 'provider' })
export class Provider {
  [OptionalProps]?: 'baseUrl' | 'apiStyle' | 'sharedApiEnabled' | 'sharedApiKeyEncrypted' | 'sharedApiKeyHint' | 'createdAt' | 'updatedAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ unique: true, length: 40 })
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

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
