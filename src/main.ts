import 'reflect-metadata';
import { loadConfigOrExit } from './config/config';
import { createLogger } from './common/logger';
import { createServer, type SwitchboardServer } from './server';
import { DEFAULT_DATABASE_URL } from './db/orm-options';
import { describeDatabase } from './db/embedded/supervisor';
import { chooseDatabase } from './db/database-choice';
import { firstStartBootstrap } from './seed/first-start';

function describePubSub(redisUrl: string | undefined): string {
  if (!redisUrl) return 'in-process (single instance; set REDIS_URL to run several)';
  const u = new URL(redisUrl);
  return `redis at ${u.hostname}:${u.port || 6379}`;
}

async function main(): Promise<void> {
  let config = loadConfigOrExit();
  const log = createLogger(config.logLevel);

  const chosen = await chooseDatabase(config, log);
  config = chosen.config;
  const embedded = chosen.embedded;
  const databaseUrl = config.databaseUrl ?? DEFAULT_DATABASE_URL;

  let server: SwitchboardServer;
  try {
    server = await createServer(config, { logger: log });
    await firstStartBootstrap({
      orm: server.orm,
      services: server.services,
      transactions: server.transactions,
      adminTokenConfigured: config.adminToken !== undefined,
      demoData: config.demoData,
      log,
    });
    await server.listen();
  } catch (e) {
    await embedded?.stop();
    throw e;
  }
  log.info({ database: describeDatabase(databaseUrl, embedded), pubsub: describePubSub(config.redisUrl), node: process.version }, 'mode');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal, timeoutMs: config.shutdownTimeoutMs }, 'shutting down: no new connections, finishing in-flight operations');
    // A hung connection or query must not keep the process alive forever.
    setTimeout(() => {
      log.error({ timeoutMs: config.shutdownTimeoutMs }, 'shutdown took too long; exiting anyway');
      process.exit(1);
    }, config.shutdownTimeoutMs).unref();
    let code = 0;
    try {
      // Stops accepting, completes subscriptions, waits for in-flight requests, flushes the
      // outbox, then closes Redis and the connection pool.
      await server.close({ graceMs: config.shutdownGraceMs });
    } catch (e) {
      code = 1;
      log.error({ err: e }, 'error while shutting down');
    }
    await embedded?.stop().catch((e) => {
      code = 1;
      log.error({ err: e }, 'could not stop the embedded Postgres');
    });
    log.info({ code }, 'stopped');
    // pino writes synchronously to stdout by default, so nothing is lost by exiting now.
    process.exit(code);
  };
  // `on`, not `once`: a second signal during the drain must not fall back to the default (instant death).
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((e) => {
  console.error(e instanceof Error && e.name === 'EmbeddedPostgresError' ? e.message : e);
  process.exit(1);
});
