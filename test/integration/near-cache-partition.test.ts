import { performance } from 'node:perf_hooks';
import Redis from 'ioredis';
import { ADMIN_TOKEN, dropDatabase, freshDatabaseUrl } from '../helpers/test-server';
import { redisProcess, startServerProcess, type RedisProcess, type ServerProcess } from '../helpers/server-process';
import { redisProxy, type RedisProxy } from '../helpers/redis-proxy';
import { waitFor } from '../helpers/wait';

/**
 * The near cache under a writer-only partition: instance B's Redis *subscriber* connections are cut
 * (it hears no invalidation) while its command connection works (it still heartbeats, reads and
 * writes Redis). B reaches a private redis-server through a proxy (helpers/redis-proxy.ts) that
 * partitions only the connections that sent a SUBSCRIBE; A reaches Redis directly.
 *
 * Read-after-write must hold: once activateModel returns on A, a read on B answers the new model,
 * every time, although B never hears the invalidation. And the writes on A must still return in
 * bounded time: B is fenced on each write it cannot acknowledge (ack deadline + its remaining lease).
 * A second such wait can add to it: while A waits, its change stays unpublished past the outbox
 * relay's grace (1 s), so a relay pass (B's, which cannot hear acks either and so fences A, or A's)
 * invalidates again while holding the change's row lock, which A's markPublished then waits for.
 */

jest.setTimeout(120_000);

/** The lease protocol's defaults (src/cache/instance-lease.ts). */
const ACK_DEADLINE_MS = 500;
const LEASE_MS = 1500;
/** A loaded machine is slow, not wrong: room for the HTTP round trip and the transaction. */
const WRITE_SLACK_MS = 2500;
/** A write while B is deaf: its own fence wait plus at most one relay pass's (see above). */
const PARTITIONED_WRITE_MS = 2 * (ACK_DEADLINE_MS + LEASE_MS) + WRITE_SLACK_MS;

let redis: RedisProcess;
let proxy: RedisProxy;
let inspector: Redis;
let databaseUrl: string;
let a: ServerProcess;
let b: ServerProcess;
const models: Record<string, string> = {};
const names = ['m1', 'm2', 'm3'];

async function ok<T = unknown>(server: ServerProcess, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const res = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_TOKEN}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data: T; errors?: unknown[] };
  if (body.errors?.length) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

const read = async (server: ServerProcess): Promise<string | null> =>
  (await ok<{ activeModel: { name: string } | null }>(server, `{ activeModel(provider: "part", capability: CHAT) { name } }`)).activeModel
    ?.name ?? null;

/** Activates `model` on `server`; resolves with how long the mutation took. */
async function activate(server: ServerProcess, model: string): Promise<number> {
  const started = performance.now();
  await ok(server, `mutation($input: ActivateModelInput!) { activateModel(input: $input) { changes { version } } }`, {
    input: { modelId: models[model], capabilities: ['CHAT'] },
  });
  return performance.now() - started;
}

/** Reads (GET or MGET) the private Redis has answered so far, from any client. */
async function redisReads(): Promise<number> {
  const info = await inspector.info('commandstats');
  const calls = (command: string) => Number(new RegExp(`cmdstat_${command}:calls=(\\d+)`).exec(info)?.[1] ?? 0);
  return calls('get') + calls('mget');
}

/** True once 10 reads on `server` all answer `expected` and cost Redis no read (process memory answered). */
async function readsFromMemory(server: ServerProcess, expected: string): Promise<boolean> {
  await read(server);
  const before = await redisReads();
  for (let i = 0; i < 10; i++) if ((await read(server)) !== expected) return false;
  return (await redisReads()) === before;
}

/** Instances holding a valid lease (members of `<prefix>near:leases` scored by expiry, in Redis time). */
async function leaseHolders(): Promise<number> {
  const [, keys] = await inspector.scan('0', 'MATCH', '*near:leases', 'COUNT', 1000);
  const [seconds, micros] = await inspector.time();
  return keys.length ? inspector.zcount(keys[0], `(${Number(seconds) * 1000 + Math.floor(Number(micros) / 1000)}`, '+inf') : 0;
}

/**
 * One write on A per round, each while B holds the previous model in memory under a valid lease (so a
 * missed invalidation would show); after each write returns, `readsAfter` reads on B must all answer
 * the new model. Returns the mismatches and the write durations.
 */
async function partitionedRounds(count: number, readsAfter = 5, { warm = true } = {}) {
  const mismatches: string[] = [];
  const writeMs: number[] = [];
  for (let i = 0; i < count; i++) {
    const before = (await read(b))!;
    // B takes a new lease after each fence (its heartbeat still works): wait until it answers from memory again.
    if (warm) await waitFor(() => readsFromMemory(b, before), Boolean, { timeoutMs: 15_000, what: `B answering ${before} from memory` });
    const model = names[(names.indexOf(before) + 1) % names.length];
    writeMs.push(await activate(a, model));
    for (let j = 0; j < readsAfter; j++) {
      const seen = await read(b);
      if (seen !== model) mismatches.push(`round ${i}, read ${j}: wrote ${model} on A, B answered ${seen}`);
    }
  }
  return { mismatches, writeMs };
}

beforeAll(async () => {
  redis = await redisProcess();
  proxy = await redisProxy(redis.port);
  inspector = new Redis(redis.url, { maxRetriesPerRequest: null });
  databaseUrl = freshDatabaseUrl('near_part');
  const env = { DATABASE_URL: databaseUrl, ADMIN_TOKEN, LOG_LEVEL: 'warn' };
  // One after the other: the first one migrates the fresh database.
  a = await startServerProcess({ ...env, REDIS_URL: redis.url }, { timeoutMs: 60_000 });
  b = await startServerProcess({ ...env, REDIS_URL: proxy.url }, { timeoutMs: 60_000 });
  await ok(a, `mutation { createProvider(input: { slug: "part", name: "Part" }) { id } }`);
  for (const name of names) {
    const data = await ok<{ createModel: { id: string } }>(a, `mutation($input: CreateModelInput!) { createModel(input: $input) { id } }`, {
      input: { provider: 'part', name, modelId: `part/${name}`, capabilities: ['CHAT'] },
    });
    models[name] = data.createModel.id;
  }
  await activate(a, 'm1');
});

afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  await proxy?.close();
  inspector?.disconnect();
  await redis?.kill();
  if (databaseUrl) await dropDatabase(databaseUrl);
});

test('before the partition: B goes through the proxy, holds a lease, answers from memory, and acknowledges', async () => {
  await waitFor(leaseHolders, (n) => n === 2, { timeoutMs: 20_000, what: 'both instances holding a lease' });
  const subscribers = proxy.connections.filter((c) => c.subscriber).map((c) => c.name);
  expect(subscribers).toContain('switchboard-lease-sub');
  await waitFor(() => readsFromMemory(b, 'm1'), Boolean, { timeoutMs: 20_000, what: 'B answering from memory' });
  const { mismatches, writeMs } = await partitionedRounds(3);
  expect(mismatches).toEqual([]);
  // Healthy: B acknowledges, nobody is fenced, so no write waits out a lease.
  expect(a.output.join('\n')).not.toMatch(/did not acknowledge/);
  expect(Math.max(...writeMs)).toBeLessThan(ACK_DEADLINE_MS + WRITE_SLACK_MS);
});

test('subscriber connections black-holed (open, silent): B never answers stale after a write on A returns, and writes return', async () => {
  proxy.setMode('blackhole');
  const cut = proxy.connections.filter((c) => c.blackholed);
  expect(cut.map((c) => c.name)).toContain('switchboard-lease-sub');
  expect(proxy.connections.filter((c) => !c.blackholed).length).toBeGreaterThan(0); // the command connections

  const { mismatches, writeMs } = await partitionedRounds(5);
  expect(mismatches).toEqual([]);
  // Each write waits for B's acknowledgement until the deadline, fences B, then waits out B's lease.
  expect(Math.max(...writeMs)).toBeLessThan(PARTITIONED_WRITE_MS);
  expect(a.output.join('\n')).toMatch(/did not acknowledge an invalidation in time/);

  // B's command connection works: it learns of each fence and takes a new lease (the "writer-only" partition).
  await waitFor(() => /missed an invalidation deadline/.test(b.output.join('\n')), Boolean, {
    timeoutMs: 10_000,
    what: 'B learning of its fence',
  });
  await waitFor(leaseHolders, (n) => n === 2, { timeoutMs: 10_000, what: 'B holding a lease again' });
  // The black-holed connections were never closed: B has no way to tell it is deaf.
  expect(cut.every((c) => !c.client.destroyed && !c.upstream.destroyed)).toBe(true);
});

test('subscriber connections closed (B reconnects, is cut again on SUBSCRIBE, then heals): reads stay right throughout', async () => {
  // Closing drops B's lease at once ('close' event), so B answers from Redis during the gap: no warm-up here.
  proxy.setMode('cut');
  await waitFor(() => /Redis connection lost/.test(b.output.join('\n')), Boolean, { timeoutMs: 10_000, what: 'B seeing its subscriber closed' });
  const gap = await partitionedRounds(4, 5, { warm: false });
  expect(gap.mismatches).toEqual([]);
  expect(Math.max(...gap.writeMs)).toBeLessThan(PARTITIONED_WRITE_MS);

  // Healed: B re-subscribes, takes a lease, answers from memory again, and acknowledges in time.
  proxy.setMode('forward');
  await waitFor(() => proxy.connections.some((c) => c.subscriber && c.name === 'switchboard-lease-sub'), Boolean, {
    timeoutMs: 10_000,
    what: 'B re-subscribed',
  });
  await waitFor(leaseHolders, (n) => n === 2, { timeoutMs: 10_000, what: 'B holding a lease again' });
  const fencedBefore = (a.output.join('\n').match(/did not acknowledge/g) ?? []).length;
  const healed = await partitionedRounds(3);
  expect(healed.mismatches).toEqual([]);
  expect((a.output.join('\n').match(/did not acknowledge/g) ?? []).length).toBe(fencedBefore);
  expect(Math.max(...healed.writeMs)).toBeLessThan(ACK_DEADLINE_MS + WRITE_SLACK_MS);
});
