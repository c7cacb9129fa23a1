import 'reflect-metadata';
import { loadConfigOrExit } from '../config/config';
import { createLogger } from '../common/logger';
import { createServer } from '../server';
import { chooseDatabase } from '../db/database-choice';
import { seedDemoData } from './demo-data';
import { findAdminActor, firstStartBootstrap } from './first-start';

/**
 * `npm run seed`: loads the demo providers, models and active slots into the configured database
 * (the embedded one too, even while the server runs). Idempotent: what exists is skipped.
 */
async function seed(): Promise<void> {
  let config = loadConfigOrExit();
  const log = createLogger(config.logLevel);
  const chosen = await chooseDatabase(config, log);
  config = chosen.config;
  const embedded = chosen.embedded;
  const server = await createServer({ ...config, port: 0 }, { logger: log });
  try {
    // An empty database has no ADMIN to act as: make one the way a first start would (token printed once).
    const first = await firstStartBootstrap({
      orm: server.orm,
      services: server.services,
      transactions: server.transactions,
      adminTokenConfigured: config.adminToken !== undefined,
      demoData: true,
      log,
    });
    if (first) return;
    const actor = await findAdminActor(server.orm);
    if (!actor) throw new Error('No ADMIN user to load the demo data as: set ADMIN_TOKEN or start the server once.');
    const report = await seedDemoData(server.services, server.orm.em, actor, log);
    console.log(
      `Demo data: ${report.providersCreated} providers, ${report.modelsCreated} models created, ${report.slotsActivated} slots activated (existing ones kept).`,
    );
  } finally {
    await server.close();
    await embedded?.stop();
  }
}

seed().then(
  () => process.exit(0),
  (e) => {
    console.error(e instanceof Error && e.name === 'EmbeddedPostgresError' ? e.message : e);
    process.exit(1);
  },
);
