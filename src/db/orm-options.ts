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
import { PersonalApiKey } from '../modules/credentials/personal-api-key.entity';
import { UsageRecord } from '../modules/gateway/usage-record.entity';
import { AuditEvent } from '../modules/audit/audit-event.entity';
import { ScheduledChange } from '../modules/schedule/scheduled-change.entity';

/** The ORM's registry: every entity of every module (src/db imports entities and nothing else of the modules). */
export const ENTITIES = [
  Provider,
  AIModel,
  ActivationSlot,
  ActivationChange,
  User,
  ApiToken,
  PersonalApiKey,
  UsageRecord,
  AuditEvent,
  ScheduledChange,
];

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
    entities: ENTITIES,
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
