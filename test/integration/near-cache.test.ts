import Redis from 'ioredis';
import { ADMIN_TOKEN, dropDatabase, freshDatabaseUrl } from '../helpers/test-server';
import { redisProcess, startServerProcess, type RedisProcess, type ServerProcess } from '../helpers/server-process';

/**
 * The near cache (process memory in front of the Redis snapshots) under failure, with real server
 * processes on one database and a private redis-server (never the shared one):
 *  - warm reads on an instance cost no Redis command;
 *  - an instance that is too slow to acknowledge an invalidation (SIGSTOP) cannot answer stale once
 *    it runs again, and the others stay right meanwhile;
 *  - an instance that dies (SIGKILL) does not block writes for good, and leaves the lease registry;
 *  - a Redis restart: reads stay right throughout, and the near cache is used again afterwards;
 *  - an unknown provider remembered as unknown on B is found on B right after A creates it.
 */

jest.setTimeout(300_000);

let redis: RedisProcess;
let inspector: Redis;
let databaseUrl: string;
let env: Record<string, string>;
let a: ServerProcess;
let b: ServerProcess;
const extra: ServerProcess[] = [];
const models: Record<string, string> = {};

async function gql<T = unknown>(server: ServerProcess, query: string, variables: Record<string, unknown> = {}) {
  const res = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_TOKEN}` },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as { data: T; errors?: { message: string; extensions?: { code?: string } }[] };
}

async function ok<T = unknown>(server: ServerProcess, query: string, variables: Record<string, unknown> = {}) {
  const body = await gql<T>(server, query, variables);
  if (body.errors?.length) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

const read = async (server: ServerProcess, provider = 'near'): Promise<string | null> =>
  (
    await ok<{ activeModel: { name: string } | null }>(server, `query($p: String!) { activeModel(provider: $p, capability: CHAT) { name } }`, {
      p: provider,
    })
  ).activeModel?.name ?? null;
const activate = (server: ServerProcess, model: string) =>
  ok(server, `mutation($input: ActivateModelInput!) { activateModel(input: $input) { changes { version } } }`, {
    input: { modelId: models[model], capabilities: ['CHAT'] },
  });

/** How many times the private Redis has run `command` so far. */
async function calls(command: string): Promise<number> {
  const info = await inspector.info('commandstats');
  return Number(new RegExp(`cmdstat_${command}:calls=(\\d+)`).exec(info)?.[1] ?? 0);
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > until) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** True once 10 warm reads on `server` cost the shared cache no read (they come from process memory). */
async function readsFromMemory(server: ServerProcess, expected: string): Promise<boolean> {
  await read(server);
  const before = (await calls('mget')) + (await calls('get'));
  for (let i = 0; i < 10; i++) expect(await read(server)).toBe(expected);
  return (await calls('mget')) + (await calls('get')) === before;
}

/** Instances holding a valid lease (members of `<prefix>near:leases` scored by expiry, in Redis time). */
async function leaseHolders(): Promise<number> {
  const [, keys] = await inspector.scan('0', 'MATCH', '*near:leases', 'COUNT', 1000);
  const [seconds, micros] = await inspector.time();
  return keys.length ? inspector.zcount(keys[0], `(${Number(seconds) * 1000 + Math.floor(Number(micros) / 1000)}`, '+inf') : 0;
}

/** Write on `writer`, read on each reader: every read must answer the model just written. */
async function rounds(writer: ServerProcess, readers: ServerProcess[], count: number): Promise<string[]> {
  const mismatches: string[] = [];
  for (let i = 0; i < count; i++) {
    for (const r of readers) await read(r); // warm
    const model = ['m1', 'm2', 'm3'][i % 3];
    await activate(writer, model);
    for (const [j, r] of readers.entries()) {
      const seen = await read(r);
      if (seen !== model) mismatches.push(`round ${i}, reader ${j}: wrote ${model}, read ${seen}`);
    }
  }
  return mismatches;
}

beforeAll(async () => {
  redis = await redisProcess();
  inspector = new Redis(redis.url, { maxRetriesPerRequest: null });
  databaseUrl = freshDatabaseUrl('near');
  env = { DATABASE_URL: databaseUrl, REDIS_URL: redis.url, ADMIN_TOKEN, LOG_LEVEL: 'warn' };
  a = await startServerProcess(env, { timeoutMs: 120_000 });
  b = await startServerProcess(env, { timeoutMs: 120_000 });
  await ok(a, `mutation { createProvider(input: { slug: "near", name: "Near" }) { id } }`);
  for (const name of ['m1', 'm2', 'm3']) {
    const data = await ok<{ createModel: { id: string } }>(a, `mutation($input: CreateModelInput!) { createModel(input: $input) { id } }`, {
      input: { provider: 'near', name, modelId: `near/${name}`, capabilities: ['CHAT'] },
    });
    models[name] = data.createModel.id;
  }
  await activate(a, 'm1');
});

afterAll(async () => {
  for (const p of extra) p.child.kill('SIGCONT');
  await Promise.all([a?.stop(), b?.stop(), ...extra.map((p) => p.stop())]);
  inspector?.disconnect();
  await redis?.kill();
  if (databaseUrl) await dropDatabase(databaseUrl);
});

test('warm reads are answered from process memory (no Redis read per request), and stay right across instances', async () => {
  expect(await waitUntil(() => readsFromMemory(b, 'm1'), 20_000)).toBe(true);
  expect(await waitUntil(() => readsFromMemory(a, 'm1'), 20_000)).toBe(true);
  expect(await rounds(a, [b], 10)).toEqual([]);
  expect(await rounds(b, [a], 10)).toEqual([]);
  // And still from memory after all those invalidations.
  const current = await read(b);
  expect(await waitUntil(() => readsFromMemory(b, current!), 20_000)).toBe(true);
});

test('an unknown provider remembered on B is found on B as soon as createProvider returns on A', async () => {
  const unknown = async () => (await gql(b, `{ activeModel(provider: "late", capability: CHAT) { name } }`)).errors?.[0]?.extensions?.code;
  expect(await unknown()).toBe('NOT_FOUND');
  expect(await unknown()).toBe('NOT_FOUND'); // now from B's negative cache
  await ok(a, `mutation { createProvider(input: { slug: "late", name: "Late" }) { id } }`);
  expect(await gql(b, `{ activeModel(provider: "late", capability: CHAT) { name } }`)).toEqual({ data: { activeModel: null } });
});

test('an instance too slow to acknowledge (stopped) is fenced: writes return, and once it runs again it does not answer stale', async () => {
  const c = await startServerProcess(env, { timeoutMs: 120_000 });
  extra.push(c);
  expect(await rounds(a, [b, c], 3)).toEqual([]);
  const stale = await read(c);
  expect(await waitUntil(() => readsFromMemory(c, stale!), 20_000)).toBe(true); // C holds the value in memory

  c.child.kill('SIGSTOP');
  const next = ['m1', 'm2', 'm3'].find((m) => m !== stale)!;
  await activate(a, next); // returns once C's lease has run out (C cannot acknowledge)
  expect(await read(b)).toBe(next);
  c.child.kill('SIGCONT');
  expect(await read(c)).toBe(next);

  // Both sides say what happened (C on its first heartbeat after it runs again).
  expect(await waitUntil(async () => /missed an invalidation deadline/.test(c.output.join('\n')), 10_000)).toBe(true);
  expect(a.output.join('\n')).toMatch(/did not acknowledge an invalidation in time/);
  // C is back in service, right and warm again.
  expect(await rounds(a, [b, c], 5)).toEqual([]);
  expect(await rounds(c, [a, b], 3)).toEqual([]);
  expect(await waitUntil(async () => readsFromMemory(c, (await read(c))!), 20_000)).toBe(true);
  await c.stop();
});

test('an instance that dies: writes still return, reads on the others stay right, and it leaves the lease registry', async () => {
  const c = await startServerProcess(env, { timeoutMs: 120_000 });
  extra.push(c);
  expect(await waitUntil(async () => (await leaseHolders()) === 3, 20_000)).toBe(true);
  expect(await rounds(a, [b, c], 2)).toEqual([]);

  c.child.kill('SIGKILL');
  expect(await rounds(a, [b], 5)).toEqual([]);
  expect(await rounds(b, [a], 5)).toEqual([]);
  expect(await waitUntil(async () => (await leaseHolders()) === 2, 10_000)).toBe(true);
});

test('Redis restart: reads stay right while it is away (Postgres) and after it is back, and memory answers again', async () => {
  expect(await rounds(a, [b], 2)).toEqual([]);
  await redis.kill();
  // Away: activations and reads go on, right (the near caches stopped answering when Redis went).
  expect(await rounds(a, [b], 5)).toEqual([]);
  expect(await rounds(b, [a], 2)).toEqual([]);

  await redis.start();
  for (const s of [a, b]) {
    expect(await waitUntil(async () => (await fetch(`${s.url}/readyz`)).status === 200, 20_000)).toBe(true);
  }
  expect(await rounds(a, [b], 10)).toEqual([]);
  expect(await rounds(b, [a], 5)).toEqual([]);
  const current = await read(b);
  expect(await waitUntil(() => readsFromMemory(b, current!), 20_000)).toBe(true);
  expect(await rounds(a, [b], 5)).toEqual([]);
});
