import type { Client } from 'pg';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { sql } from '../helpers/factories';

/**
 * The single-active rule and the history's integrity hold in the DATABASE ITSELF: every statement
 * below bypasses the application (raw SQL on the migrated schema) and must be rejected by Postgres.
 */

let t: TestServer;
let db: Client;

const UNIQUE = '23505';
const FOREIGN_KEY = '23503';
const CHECK = '23514';

beforeAll(async () => {
  t = await startTestServer();
  db = await sql(t);
});
afterAll(async () => {
  await db?.end();
  await t?.close();
});

/** A provider with its six empty slots, as createProvider leaves it, written with raw SQL. */
async function provider(slug: string): Promise<string> {
  const { rows } = await db.query<{ id: string }>(`insert into provider (id, slug, name) values (gen_random_uuid(), $1, $1) returning id`, [
    slug,
  ]);
  const id = rows[0].id;
  await db.query(
    `insert into activation_slot (provider_id, capability)
     select $1, c from unnest(array['CHAT','CODE','CONTENT','IMAGE','AUDIO','EMBEDDING']) c`,
    [id],
  );
  return id;
}

async function model(providerId: string, name: string, capabilities: string[]): Promise<string> {
  const { rows } = await db.query<{ id: string }>(
    `insert into ai_model (id, provider_id, name, model_id, display_name, capabilities)
     values (gen_random_uuid(), $1, $2, $2, $2, $3::text[]) returning id`,
    [providerId, name, capabilities],
  );
  return rows[0].id;
}

/** A correct change of a slot: history row + slot update in one transaction (what the service does). */
async function change(providerId: string, capability: string, modelId: string | null): Promise<number> {
  await db.query('begin');
  try {
    const { rows } = await db.query<{ version: number; model_id: string | null }>(
      `select version, model_id from activation_slot where provider_id = $1 and capability = $2 for update`,
      [providerId, capability],
    );
    const next = rows[0].version + 1;
    await db.query(`insert into activation_change (provider_id, capability, model_id, previous_model_id, version) values ($1, $2, $3, $4, $5)`, [
      providerId,
      capability,
      modelId,
      rows[0].model_id,
      next,
    ]);
    await db.query(`update activation_slot set model_id = $3, version = $4 where provider_id = $1 and capability = $2`, [
      providerId,
      capability,
      modelId,
      next,
    ]);
    await db.query('commit');
    return next;
  } catch (e) {
    await db.query('rollback');
    throw e;
  }
}

/** Runs `statements` in one transaction up to and including COMMIT; the error's SQLSTATE, or null if it committed. */
async function attempt(...statements: [string, unknown[]?][]): Promise<{ code: string | null; message: string; at: number }> {
  await db.query('begin');
  let index = 0;
  try {
    for (const [text, params] of statements) {
      await db.query(text, params ?? []);
      index++;
    }
    await db.query('commit');
    return { code: null, message: '', at: -1 };
  } catch (e) {
    await db.query('rollback').catch(() => undefined);
    const err = e as { code?: string; message: string };
    return { code: err.code ?? 'unknown', message: err.message, at: index };
  }
}

async function slot(providerId: string, capability: string) {
  const { rows } = await db.query<{ model_id: string | null; version: number }>(
    'select model_id, version from activation_slot where provider_id = $1 and capability = $2',
    [providerId, capability],
  );
  return rows[0];
}

async function historyCount(providerId: string, capability: string): Promise<number> {
  const { rows } = await db.query<{ n: string }>('select count(*) as n from activation_change where provider_id = $1 and capability = $2', [
    providerId,
    capability,
  ]);
  return Number(rows[0].n);
}

describe('one holder per slot', () => {
  test('a second row for the same (provider, capability) slot is rejected', async () => {
    const p = await provider('dup-slot');
    const r = await attempt([`insert into activation_slot (provider_id, capability) values ($1, 'CHAT')`, [p]]);
    expect(r.code).toBe(UNIQUE);
    const { rows } = await db.query(`select count(*)::int as n from activation_slot where provider_id = $1 and capability = 'CHAT'`, [p]);
    expect(rows[0].n).toBe(1);
  });

  test('a slot row for an unknown capability is rejected', async () => {
    const p = await provider('bad-cap-slot');
    const r = await attempt([`insert into activation_slot (provider_id, capability) values ($1, 'TELEPATHY')`, [p]]);
    expect(r.code).toBe(CHECK);
  });

  test('the control case: a correct change (history row + slot +1) commits', async () => {
    const p = await provider('control');
    const a = await model(p, 'a', ['CHAT']);
    await expect(change(p, 'CHAT', a)).resolves.toBe(1);
    await expect(change(p, 'CHAT', null)).resolves.toBe(2);
    expect(await slot(p, 'CHAT')).toEqual({ model_id: null, version: 2 });
  });
});

describe('a slot version goes +1, exactly', () => {
  let p: string;
  let a: string;
  let b: string;
  beforeAll(async () => {
    p = await provider('versions');
    a = await model(p, 'a', ['CHAT', 'CODE']);
    b = await model(p, 'b', ['CHAT', 'CODE']);
    await change(p, 'CHAT', a); // CHAT at version 1, held by a
  });

  test.each([
    ['skip (1 -> 3)', 3],
    ['back (1 -> 0)', 0],
    ['same (1 -> 1)', 1],
  ])('%s is rejected', async (_label, version) => {
    const r = await attempt([
      `update activation_slot set model_id = $2, version = $3 where provider_id = $1 and capability = 'CHAT'`,
      [p, b, version],
    ]);
    expect(r.code).toBe(CHECK);
    expect(r.message).toMatch(/version/);
    expect(await slot(p, 'CHAT')).toEqual({ model_id: a, version: 1 });
  });

  test('an update that touches only other columns (version unchanged) is rejected too', async () => {
    const r = await attempt([`update activation_slot set activated_by = 'mallory' where provider_id = $1 and capability = 'CHAT'`, [p]]);
    expect(r.code).toBe(CHECK);
  });

  test("a slot's provider or capability never changes", async () => {
    const r = await attempt([
      `update activation_slot set capability = 'IMAGE', version = version + 1 where provider_id = $1 and capability = 'CODE'`,
      [p],
    ]);
    expect(r.code).toBe(CHECK);
  });
});

describe('only a live model with the capability can hold a slot', () => {
  let p: string;
  beforeAll(async () => {
    p = await provider('holders');
  });

  test('a model lacking the capability is rejected', async () => {
    const coder = await model(p, 'coder', ['CODE']);
    const r = await attempt(
      [`insert into activation_change (provider_id, capability, model_id, version) values ($1, 'CHAT', $2, 1)`, [p, coder]],
      [`update activation_slot set model_id = $2, version = 1 where provider_id = $1 and capability = 'CHAT'`, [p, coder]],
    );
    expect(r.code).toBe(CHECK);
    expect(r.message).toMatch(/lacks the capability|cannot hold/);
    expect(await slot(p, 'CHAT')).toEqual({ model_id: null, version: 0 });
    expect(await historyCount(p, 'CHAT')).toBe(0);
  });

  test('a soft-deleted model is rejected', async () => {
    const gone = await model(p, 'gone', ['CHAT']);
    await db.query('update ai_model set deleted_at = now() where id = $1', [gone]);
    const r = await attempt(
      [`insert into activation_change (provider_id, capability, model_id, version) values ($1, 'CHAT', $2, 1)`, [p, gone]],
      [`update activation_slot set model_id = $2, version = 1 where provider_id = $1 and capability = 'CHAT'`, [p, gone]],
    );
    expect(r.code).toBe(CHECK);
    expect(await slot(p, 'CHAT')).toEqual({ model_id: null, version: 0 });
  });

  test("another provider's model is rejected", async () => {
    const other = await provider('holders-other');
    const foreign = await model(other, 'foreign', ['CHAT']);
    const r = await attempt([
      `update activation_slot set model_id = $2, version = 1 where provider_id = $1 and capability = 'CHAT'`,
      [p, foreign],
    ]);
    expect(r.code).not.toBeNull();
    expect([CHECK, FOREIGN_KEY]).toContain(r.code);
    expect(await slot(p, 'CHAT')).toEqual({ model_id: null, version: 0 });
  });
});

describe('the history', () => {
  let p: string;
  let a: string;
  let b: string;
  beforeAll(async () => {
    p = await provider('history');
    a = await model(p, 'a', ['CHAT', 'CODE', 'CONTENT']);
    b = await model(p, 'b', ['CHAT']);
    await change(p, 'CHAT', a); // v1
    await change(p, 'CHAT', b); // v2
  });

  test('a duplicate version of a slot is rejected', async () => {
    // A second version 2 that would otherwise be a valid change after version 1 (a -> empty).
    const r = await attempt([
      `insert into activation_change (provider_id, capability, model_id, previous_model_id, version) values ($1, 'CHAT', null, $2, 2)`,
      [p, a],
    ]);
    expect(r.code).toBe(UNIQUE);
    expect(await historyCount(p, 'CHAT')).toBe(2);
  });

  test('a skipped version (v4 without v3) is rejected', async () => {
    const r = await attempt([
      `insert into activation_change (provider_id, capability, model_id, previous_model_id, version) values ($1, 'CHAT', $2, $3, 4)`,
      [p, a, b],
    ]);
    expect(r.code).toBe(FOREIGN_KEY);
    expect(await historyCount(p, 'CHAT')).toBe(2);
  });

  test('a first change that is not version 1 (v3 of a never-changed slot, no v2) is rejected', async () => {
    const r = await attempt([`insert into activation_change (provider_id, capability, model_id, version) values ($1, 'CODE', $2, 3)`, [p, a]]);
    expect(r.code).toBe(FOREIGN_KEY);
    expect(await historyCount(p, 'CODE')).toBe(0);
  });

  test('version 0 (or below) is rejected', async () => {
    const r = await attempt([`insert into activation_change (provider_id, capability, model_id, version) values ($1, 'CODE', $2, 0)`, [p, a]]);
    expect(r.code).toBe(CHECK);
  });

  test('a held slot version without its history row fails at COMMIT (deferred foreign key)', async () => {
    const r = await attempt([`update activation_slot set model_id = $2, version = 1 where provider_id = $1 and capability = 'CONTENT'`, [p, a]]);
    // The update itself is accepted (the check is deferred); the commit is not.
    expect(r.at).toBe(1);
    expect(r.code).toBe(FOREIGN_KEY);
    expect(await slot(p, 'CONTENT')).toEqual({ model_id: null, version: 0 });
  });

  test("a held slot whose holder differs from its history row's model fails at COMMIT", async () => {
    // History says a took CODE at version 1, but the slot is given to c.
    const c = await model(p, 'c', ['CODE']);
    const r = await attempt(
      [`insert into activation_change (provider_id, capability, model_id, version) values ($1, 'CODE', $2, 1)`, [p, a]],
      [`update activation_slot set model_id = $2, version = 1 where provider_id = $1 and capability = 'CODE'`, [p, c]],
    );
    expect(r.code).not.toBeNull();
    expect(await slot(p, 'CODE')).toEqual({ model_id: null, version: 0 });
    expect(await historyCount(p, 'CODE')).toBe(0);
  });

  test('an emptied slot (model null) whose history row names a model fails at COMMIT', async () => {
    const r = await attempt(
      [
        `insert into activation_change (provider_id, capability, model_id, previous_model_id, version) values ($1, 'CHAT', $2, $3, 3)`,
        [p, a, b],
      ],
      [`update activation_slot set model_id = null, version = 3 where provider_id = $1 and capability = 'CHAT'`, [p]],
    );
    expect(r.code).not.toBeNull();
    expect(await slot(p, 'CHAT')).toEqual({ model_id: b, version: 2 });
  });

  test('a history row whose previous model is not the model of the version before is rejected', async () => {
    const r = await attempt([
      // v3 claims a was the holder before, but v2 says b.
      `insert into activation_change (provider_id, capability, model_id, previous_model_id, version) values ($1, 'CHAT', null, $2, 3)`,
      [p, a],
    ]);
    expect(r.code).toBe(CHECK);
    const first = await attempt([
      `insert into activation_change (provider_id, capability, model_id, previous_model_id, version) values ($1, 'IMAGE', null, $2, 1)`,
      [p, a],
    ]);
    expect(first.code).not.toBeNull();
  });

  test('a history row that changes nothing (model = previous model) is rejected', async () => {
    const r = await attempt([
      `insert into activation_change (provider_id, capability, model_id, previous_model_id, version) values ($1, 'CHAT', $2, $2, 3)`,
      [p, b],
    ]);
    expect(r.code).toBe(CHECK);
  });

  test.each([
    ['model_id', `update activation_change set model_id = $2 where provider_id = $1 and capability = 'CHAT' and version = 2`],
    [
      'previous_model_id',
      `update activation_change set previous_model_id = null where provider_id = $1 and capability = 'CHAT' and version = 2 and $2::uuid is not null`,
    ],
    [
      'changed_at',
      `update activation_change set changed_at = now() - interval '1 day' where provider_id = $1 and capability = 'CHAT' and $2::uuid is not null`,
    ],
    [
      'changed_by',
      `update activation_change set changed_by = 'mallory' where provider_id = $1 and capability = 'CHAT' and $2::uuid is not null`,
    ],
    [
      'version',
      `update activation_change set version = version + 10 where provider_id = $1 and capability = 'CHAT' and version = 2 and $2::uuid is not null`,
    ],
  ])('updating a history row fact (%s) is rejected', async (_column, text) => {
    const before = await db.query('select * from activation_change where provider_id = $1 order by id', [p]);
    const r = await attempt([text, [p, a]]);
    expect(r.code).toBe(CHECK);
    expect(r.message).toMatch(/immutable/);
    const after = await db.query('select * from activation_change where provider_id = $1 order by id', [p]);
    expect(after.rows).toEqual(before.rows);
  });

  test('only the publication mark of a history row may change', async () => {
    const r = await attempt([`update activation_change set published_at = now() where provider_id = $1`, [p]]);
    expect(r.code).toBeNull();
  });
});

describe('models and providers', () => {
  let p: string;
  beforeAll(async () => {
    p = await provider('catalog');
  });

  test.each([
    ['empty', '{}'],
    ['duplicated', '{CHAT,CHAT}'],
    ['unknown', '{CHAT,TELEPATHY}'],
    ['lower-case', '{chat}'],
  ])('capabilities %s are rejected', async (_label, caps) => {
    const r = await attempt([
      `insert into ai_model (id, provider_id, name, model_id, display_name, capabilities) values (gen_random_uuid(), $1, 'm', 'm', 'm', $2::text[])`,
      [p, caps],
    ]);
    expect(r.code).toBe(CHECK);
  });

  test('updating a model to empty capabilities is rejected', async () => {
    const m = await model(p, 'edit-me', ['CHAT']);
    const r = await attempt([`update ai_model set capabilities = '{}' where id = $1`, [m]]);
    expect(r.code).toBe(CHECK);
  });

  test.each(['Bad Slug', 'UPPER', '-lead', 'trail-', 'dou--ble', 'under_score', ''])('invalid slug %j is rejected', async (slug) => {
    const r = await attempt([`insert into provider (id, slug, name) values (gen_random_uuid(), $1, 'x')`, [slug]]);
    expect(r.code).toBe(CHECK);
  });

  test('a duplicate slug is rejected', async () => {
    const r = await attempt([`insert into provider (id, slug, name) values (gen_random_uuid(), 'catalog', 'again')`]);
    expect(r.code).toBe(UNIQUE);
  });

  test('a duplicate live model name per provider is rejected; a soft-deleted name can be reused', async () => {
    const first = await model(p, 'gpt-4o', ['CHAT']);
    const dup = await attempt([
      `insert into ai_model (id, provider_id, name, model_id, display_name, capabilities) values (gen_random_uuid(), $1, 'gpt-4o', 'x', 'x', '{CHAT}')`,
      [p],
    ]);
    expect(dup.code).toBe(UNIQUE);

    // The same name under another provider is fine.
    const other = await provider('catalog-other');
    await expect(model(other, 'gpt-4o', ['CHAT'])).resolves.toEqual(expect.any(String));

    await db.query('update ai_model set deleted_at = now() where id = $1', [first]);
    const reuse = await attempt([
      `insert into ai_model (id, provider_id, name, model_id, display_name, capabilities) values (gen_random_uuid(), $1, 'gpt-4o', 'x', 'x', '{CHAT}')`,
      [p],
    ]);
    expect(reuse.code).toBeNull();
    const { rows } = await db.query(
      `select count(*)::int as total, count(*) filter (where deleted_at is not null)::int as deleted from ai_model where provider_id = $1 and name = 'gpt-4o'`,
      [p],
    );
    expect(rows[0]).toEqual({ total: 2, deleted: 1 });
  });
});
