import { randomUUID } from 'node:crypto';
import { Entity, Index, ManyToOne, OptionalProps, PrimaryKey, Property, type Ref } from '@mikro-orm/core';
import { User } from './user.entity';

/** A bearer token. Only the SHA-256 of the token is stored; the token is shown once at creation. */
@Entity({ tableName: 'api_token' })
@Index({ name: 'api_token_user_idx', properties: ['user'] })
export class ApiToken {
  [OptionalProps]?: 'createdAt' | 'lastUsedAt' | 'revokedAt' | 'fromEnv' | 'userId';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => User, {
    ref: true,
    fieldName: 'user_id',
    foreignKeyName: 'api_token_user_id_fkey',
    updateRule: 'no action',
    deleteRule: 'cascade',
  })
  user!: Ref<User>;

  /** The owner's id (the same column as `user`, written through it): the auth cache and resolvers read it. */
  @Property({ type: 'uuid', fieldName: 'user_id', persist: false })
  userId!: string;

  @Property({ length: 100 })
  name!: string;

  @Property({ length: 64, unique: 'api_token_token_hash_key', hidden: true })
  tokenHash!: string;

  /** Made from env ADMIN_TOKEN at start-up; replaced when that variable changes. */
  @Property({ default: false })
  fromEnv: boolean = false;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz', nullable: true })
  lastUsedAt: Date | null = null;

  @Property({ type: 'timestamptz', nullable: true })
  revokedAt: Date | null = null;
}
