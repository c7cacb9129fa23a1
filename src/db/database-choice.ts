import type { Logger } from 'pino';
import type { Config } from '../config/config';
import { DEFAULT_DATABASE_URL } from './orm-options';
import { postgresAnswers, startEmbeddedPostgres, type EmbeddedPostgres } from './embedded/supervisor';

/** Whether a Postgres answers at the default local address (127.0.0.1:5432, user postgres). */
function localPostgresAnswers(): Promise<boolean> {
  const url = new URL(DEFAULT_DATABASE_URL);
  url.pathname = '/postgres';
  return postgresAnswers({ connectionString: url.toString() });
}

/**
 * Which Postgres to use. DATABASE_URL wins; EMBEDDED_POSTGRES=true or a DATA_DIR means the embedded
 * one; otherwise ("auto") the local server at 127.0.0.1:5432 (database `switchboard`) when it
 * answers, else the embedded one — so a fresh clone starts with nothing installed.
 */
export async function chooseDatabase(config: Config, log: Logger): Promise<{ config: Config; embedded?: EmbeddedPostgres }> {
  let embedded = config.embeddedPostgres;
  if (embedded === 'auto') {
    embedded = !(await localPostgresAnswers());
    if (!embedded) log.info('no DATABASE_URL: using the local Postgres at 127.0.0.1:5432, database "switchboard"');
  }
  if (!embedded) return { config };
  const started = await startEmbeddedPostgres({ dataDir: config.dataDir, log });
  return { config: { ...config, databaseUrl: started.url }, embedded: started };
}
