import { stripVTControlCharacters } from 'node:util';
import type { Client } from 'graphql-ws';
import pino from 'pino';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { collectLive, wsClient, type Collected } from '../helpers/ws-client';
import { redisProcess, type RedisProcess } from '../helpers/server-process';
import { activate, createModel, createProvider, expectOk, query, type ModelRef } from '../helpers/factories';
import { waitFor } from '../helpers/wait';
import { ActiveModelNameDocument, ChangeEventsDocument, type Capability, type ChangeEventsSubscription } from '../generated/graphql';

/**
 * Redis is a cache and a bus, never the source of truth. With a private redis-server that the test
 * kills (SIGKILL, nothing persisted) and starts again on the same port:
 *  - activations keep succeeding and reads keep answering right (from Postgres) while it is away;
 *  - once it is back, every subscriber receives exactly the history it missed, in per-slot version
 *    order, no duplicates, within seconds (outbox relay + resync on reconnect);
 *  - the snapshot cache is right again, and actually serves warm reads (no SQL at all: the token
 *    cache answers authentication, and it is on again too).
 */

jest.setTimeout(90_000);

let redis: RedisProcess;
let t: TestServer;
const statements: string[] = [];
const models: Record<string, ModelRef> = {};
const clients: Client[] = [];
let providerId: string;

type Event = ChangeEventsSubscription;
const clean = (s: string) => stripVTControlCharacters(s);

async function readActive(capability: Capability = 'CHAT'): Promise<string | null> {
  const res = expectOk(await t.op(ActiveModelNameDocument, { provider: 'outage', capability }));
  return res.activeModel?.name ?? null;
}

/** Statements one request issues, all before its response (the fire-and-forget lastUsedAt write excluded, see statement-count.test.ts). */
async function statementsOf(run: () => Promise<unknown>): Promise<string[]> {
  const from = statements.length;
  await run();
  // Not the request's: the lastUsedAt hint, and the outbox relay's idle probe on its timer.
  return statements
    .slice(from)
    .map(clean)
    .filter((s) => !/last_used_at|outbox relay probe|scheduled switch probe/.test(s));
}

async function historyKeys(filter: { afterId: string; capability?: string }): Promise<string[]> {
  const params: unknown[] = [filter.afterId];
  let where = 'c.id > $1';
  if (filter.capability) where += ` and c.capability = $${params.push(filter.capability)}`;
  const rows = await query<{ id: string; slug: string; capability: string; version: number }>(
    t,
    `select c.id::text as id, p.slug, c.capability, c.version from activation_change c join provider p on p.id = c.provider_id
      where ${where} order by c.id`,
    params,
  );
  return rows.map((r) => `${r.slug}/${r.capability}/v${r.version}@${r.id.padStart(20, '0')}`);
}
const eventKeys = (events: Event[]) => events.map(({ activeModelChanged: c }) => `${c.provider.slug}/${c.capability}/v${c.version}@${c.cursor}`);

function expectExactly(sub: Collected<Event>, expected: string[]): void {
  expect(sub.errors).toEqual([]);
  const got = eventKeys(sub.events);
  expect(new Set(got).size).toBe(got.length);
  expect([...got].sort()).toEqual([...expected].sort());
  const last = new Map<string, number>();
  for (const { activeModelChanged: c } of sub.events) {
    const slot = `${c.provider.slug}/${c.capability}`;
    if (last.has(slot)) expect(`${slot} v${c.version}`).toBe(`${slot} v${last.get(slot)! + 1}`);
    last.set(slot, c.version);
  }
}

async function readyz(): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${t.url}/readyz`);
  return { status: res.status, body: await res.json() };
}

beforeAll(async () => {
  redis = await redisProcess();
  t = await startTestServer({ redisUrl: redis.url }, { logger: pino({ level: 'silent' }), onQuery: (s) => statements.push(s) });
  providerId = (await createProvider(t, 'outage')).id;
  for (const name of ['o1', 'o2', 'o3']) models[name] = await createModel(t, 'outage', name, ['CHAT', 'CODE']);
});

afterAll(async () => {
  for (const c of clients) await c.dispose();
  await t?.close();
  await redis?.kill();
});

test('with Redis up, warm reads come from the snapshot cache (and the token from the token cache): no SQL', async () => {
  expectOk(await activate(t, models.o1.id));
  expect(await readActive()).toBe('o1'); // fills the cache
  const hits = t.server.backplane.cache.hits;
  const sql = await statementsOf(async () => expect(await readActive()).toBe('o1'));
  expect(sql).toEqual([]);
  expect(t.server.backplane.cache.hits).toBeGreaterThan(hits);
});

test('Redis killed mid-run: activations and reads go on; when it is back every subscriber gets exactly the history, and the cache is right again', async () => {
  const [{ id: baseline }] = await query<{ id: string }>(t, 'select coalesce(max(id), 0)::text as id from activation_change');
  const subscribers: { sub: Collected<Event>; capability?: string }[] = [];
  for (const [variables, capability] of [
    [{}, undefined],
    [{ provider: 'outage' }, undefined],
    [{ capability: 'CHAT' }, 'CHAT'],
    [{ provider: 'outage', capability: 'CODE' }, 'CODE'],
  ] as const) {
    const c = wsClient(t.url);
    clients.push(c);
    subscribers.push({ sub: await collectLive(t, c, ChangeEventsDocument, variables), capability });
  }

  const names = ['o1', 'o2', 'o3'];
  let round = 0;
  /** One activation, then a read that must answer the model just activated. */
  const step = async () => {
    const i = round++;
    const name = names[i % 3];
    const capability: Capability = i % 2 ? 'CHAT' : 'CODE';
    const res = await activate(t, models[name].id, { capabilities: [capability] });
    expect(res.errors ?? []).toEqual([]);
    expect(await readActive(capability)).toBe(name);
  };

  // Phase 1: Redis up; a background stream of activations is running when Redis dies.
  for (let i = 0; i < 6; i++) await step();
  const background = (async () => {
    for (let i = 0; i < 10; i++) await step();
  })();
  await waitFor(
    () => round,
    (r) => r > 7,
    { what: 'the background activations to be under way' },
  );
  await redis.kill();

  // Phase 2: Redis away. Everything that does not need it keeps working.
  await background;
  for (let i = 0; i < 20; i++) await step();
  await Promise.all(Array.from({ length: 5 }, (_, i) => activate(t, models[names[i % 3]].id, { capabilities: ['CHAT'] })));
  expect(await readyz()).toMatchObject({ status: 503, body: { postgres: 'ok', redis: 'down' } });
  const duringOutage = await historyKeys({ afterId: baseline });
  expect(duringOutage.length).toBeGreaterThanOrEqual(30);

  // Phase 3: Redis back (empty: nothing was persisted); more activations.
  await redis.start();
  await waitFor(readyz, (r) => r.status === 200, { timeoutMs: 5000, what: '/readyz to say 200 again' });
  for (let i = 0; i < 6; i++) await step();

  const expectedNow = async () => ({
    all: await historyKeys({ afterId: baseline }),
    CHAT: await historyKeys({ afterId: baseline, capability: 'CHAT' }),
    CODE: await historyKeys({ afterId: baseline, capability: 'CODE' }),
  });
  const expectedOf = (expected: Awaited<ReturnType<typeof expectedNow>>, capability?: string) =>
    expected[(capability ?? 'all') as keyof typeof expected];
  let expected = await expectedNow();
  // Delivered within seconds of Redis coming back.
  await waitFor(() => subscribers.every(({ sub, capability }) => sub.events.length >= expectedOf(expected, capability).length), Boolean, {
    timeoutMs: 8000,
    what: 'every subscriber to receive the history it missed',
  });
  // The outbox relay publishes what failed during the outage (again, for subscribers that already
  // caught up from the history): those must be dropped as duplicates.
  const unpublished = async () =>
    (
      await query<{ n: number }>(t, 'select count(*)::int as n from activation_change where published_at is null and provider_id = $1', [
        providerId,
      ])
    )[0].n;
  await waitFor(unpublished, (n) => n === 0, { timeoutMs: 5000, what: 'the outbox to be published' });
  // Nothing more arrives: one more change per capability, committed after the relay's republishing,
  // is the last event each subscriber gets (anything the relay caused would have come before it).
  await step();
  await step();
  expected = await expectedNow();
  const lastKey = (keys: string[]) => keys[keys.length - 1];
  await waitFor(
    () => subscribers.every(({ sub, capability }) => eventKeys(sub.events).includes(lastKey(expectedOf(expected, capability)))),
    Boolean,
    { what: 'the last change to reach every subscriber' },
  );
  for (const { sub, capability } of subscribers) expectExactly(sub, expectedOf(expected, capability));

  // The cache is right again, and used again (warm reads: no SQL, authentication included).
  for (let i = 0; i < 6; i++) await step();
  await waitFor(
    async () => {
      await readActive('CHAT');
      return (await statementsOf(() => readActive('CHAT'))).length === 0;
    },
    Boolean,
    { timeoutMs: 5000, what: 'warm reads without SQL' },
  );
  for (const name of names) {
    expectOk(await activate(t, models[name].id, { capabilities: ['CHAT'] }));
    expect(await readActive('CHAT')).toBe(name);
    expect(await readActive('CHAT')).toBe(name);
  }
  for (const { sub } of subscribers) sub.stop();
});
