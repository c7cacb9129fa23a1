import { randomUUID } from 'node:crypto';
import { Entity, Enum, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { Role } from '../../common/role';

@Entity({ tableName: 'app_user' })
export class User {
  [OptionalProps]?: 'canUseSharedApi' | 'createdAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ unique: true, length: 100 })
  name!: string;

  @Enum({ items: () => Role, type: 'text' })
  role!: Role;

  @Property()
  canUseSharedApi: boolean = true;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();
}
