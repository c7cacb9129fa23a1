import path from 'node:path';
import { defineConfig } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import { Provider } from '../modules/provider/provider.entity';
import { AIModel } from '../modules/model/ai-model.entity';
import { ActivationSlot } from '../modules/activation/activation-slot.entity';
import { ActivationChange } from '../modules/activation/activation-change.entity';
import { User } from '../modules/auth/user.entity';
import { ApiToken } from '../modules/auth/api-token.entity';
import { pgSessionOptions, poolAcquireTimeoutMs, type DatabaseTimeouts } from './session-timeouts';

export const ENTITIES = [Provider, AIModel, ActivationSlot, ActivationChange, User, ApiToken];
const entityRegistry: Function[] = [...ENTITIES];

/** Later modules (credentials, usage) add their entities here before the ORM starts. */
export function registerEntities(...entities: Function[]): void {
  for (const e of entities) if (!entityRegistry.includes(e)) entityRegistry.push(e);
}

export const DEFAULT_DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/switchboard';

export interface OrmOptionsInput {
  databaseUrl: string;
  poolMax?: number;
  debug?: boolean;
  /** Called with every SQL statement: the statement-count tests and metrics use it. */
  onQuery?: (sql: string) => void;
  /** Session limits for request work (src/http/timeouts.ts); absent for tools (the MikroORM CLI). */
  timeouts?: DatabaseTimeouts;
}

export function ormOptions(input: OrmOptionsInput) {
  return defineConfig({
    clientUrl: input.databaseUrl,
    entities: entityRegistry,
    extensions: [Migrator],
    pool: { min: 0, max: input.poolMax ?? 10 },
    ...(input.timeouts
      ? { driverOptions: { connection: pgSessionOptions(input.timeouts), acquireConnectionTimeout: poolAcquireTimeoutMs(input.timeouts) } }
      : {}),
    debug: input.onQuery ? ['query'] : false,
    logger: input.onQuery ? (message: string) => input.onQuery!(message) : undefined,
    forceUtcTimezone: true,
    allowGlobalContext: false,
    discovery: { warnWhenNoEntities: false },
    migrations: {
      tableName: 'mikro_orm_migrations',
      path: path.join(__dirname, 'migrations'),
      pathTs: path.join(__dirname, 'migrations'),
      glob: '!(*.d).{js,ts}',
      transactional: true,
      allOrNothing: true,
      snapshot: false,
      silent: true,
    },
  });
}
