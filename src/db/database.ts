import { Client } from 'pg';
import { MikroORM } from '@mikro-orm/postgresql';
import { ormOptions, type OrmOptionsInput } from './orm-options';

/** Creates the database named in `url` when it does not exist yet (connecting to `postgres`). */
export async function ensureDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.replace(/^\//, ''));
  if (!name) return;
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (found.rowCount === 0) {
      try {
        await client.query(`create database "${name.replace(/"/g, '""')}"`);
      } catch (e) {
        // Another process created it in the meantime.
        if ((e as { code?: string }).code !== '42P04') throw e;
      }
    }
  } finally {
    await client.end();
  }
}

export async function openDatabase(input: OrmOptionsInput & { migrate: boolean }): Promise<MikroORM> {
  await ensureDatabase(input.databaseUrl);
  const orm = await MikroORM.init(ormOptions(input));
  if (input.migrate) await migrateWithoutTimeouts(orm);
  return orm;
}

/** Migrations may lock and rewrite tables for longer than a request may: the session limits are lifted for their transaction. */
async function migrateWithoutTimeouts(orm: MikroORM): Promise<void> {
  const connection = orm.em.getConnection();
  await connection.transactional(async (trx) => {
    await connection.execute('set local statement_timeout = 0', [], 'run', trx);
    await connection.execute('set local lock_timeout = 0', [], 'run', trx);
    await orm.getMigrator().up({ transaction: trx });
  });
}
