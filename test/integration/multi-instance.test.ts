import type { Client } from 'graphql-ws';
import { print } from 'graphql';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { ADMIN_TOKEN, dropDatabase, freshDatabaseUrl, type GqlResult } from '../helpers/test-server';
import { collect, wsClient, type Collected } from '../helpers/ws-client';
import { redisProcess, startServerProcess, type RedisProcess, type ServerProcess } from '../helpers/server-process';
import { waitFor } from '../helpers/wait';
import { Client as PgClient } from 'pg';
import {
  ActivateChangesDocument,
  ActiveModelNameDocument,
  ChangeEventsDocument,
  CreateModelDocument,
  CreateProviderDocument,
  type Capability,
  type ChangeEventsSubscription,
} from '../generated/graphql';

/**
 * Two real server processes on one database and one Redis: a subscriber on B sees every change made
 * through A, once and in per-slot version order; a read on B right after a write on A returns has
 * the new value (the shared snapshot cache was invalidated before the mutation returned).
 *
 * The Redis is a private redis-server on a free port: pub/sub channels are global to a Redis server,
 * so a shared one would mix in events of other test files running at the same time.
 */

jest.setTimeout(120_000);

let redis: RedisProcess;
let databaseUrl: string;
let a: ServerProcess;
let b: ServerProcess;
const clients: Client[] = [];
const models: Record<string, string> = {};

async function op<T, V>(server: ServerProcess, document: TypedDocumentNode<T, V>, variables: V): Promise<GqlResult<T>> {
  const res = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_TOKEN}` },
    body: JSON.stringify({ query: print(document), variables }),
  });
  const body = (await res.json()) as { data: T; errors?: GqlResult['errors'] };
  return { status: res.status, data: body.data, errors: body.errors, headers: res.headers };
}

async function ok<T, V>(server: ServerProcess, document: TypedDocumentNode<T, V>, variables: V): Promise<T> {
  const res = await op(server, document, variables);
  if (res.errors?.length) throw new Error(JSON.stringify(res.errors));
  return res.data;
}

const activate = (server: ServerProcess, model: string, capabilities?: Capability[]) =>
  ok(server, ActivateChangesDocument, { input: { modelId: models[model], ...(capabilities ? { capabilities } : {}) } });
type Event = ChangeEventsSubscription;

/** Switches the "warm" CHAT slot to whichever of w1 and w2 does not hold it; returns that change's cursor. */
async function switchWarm(via: ServerProcess): Promise<string> {
  const [change] = (await activate(via, 'w1')).activateModel.changes;
  return change?.cursor ?? (await activate(via, 'w2')).activateModel.changes[0].cursor;
}

async function historyKeys(afterCursor: string): Promise<string[]> {
  const pg = new PgClient({ connectionString: databaseUrl });
  await pg.connect();
  try {
    const { rows } = await pg.query<{ id: string; slug: string; capability: string; version: number }>(
      `select c.id::text as id, p.slug, c.capability, c.version from activation_change c join provider p on p.id = c.provider_id
        where c.id > $1 order by c.id`,
      [afterCursor],
    );
    return rows.map((r) => `${r.slug}/${r.capability}/v${r.version}@${r.id.padStart(20, '0')}`);
  } finally {
    await pg.end();
  }
}
const eventKeys = (events: Event[]) => events.map(({ activeModelChanged: c }) => `${c.provider.slug}/${c.capability}/v${c.version}@${c.cursor}`);

/** Subscribes on `server` and returns once an event published through `via` has arrived (the subscription is live). */
async function liveSubscription(server: ServerProcess, via: ServerProcess): Promise<{ sub: Collected<Event>; baseline: string }> {
  const c = wsClient(server.url);
  clients.push(c);
  const sub = collect(c, ChangeEventsDocument, { provider: 'warm' });
  let lastCursor = '';
  for (let i = 0; i < 50; i++) {
    lastCursor = await switchWarm(via);
    await sub.waitFor(1, 200);
    if (sub.events.length) break;
  }
  if (!sub.events.length) throw new Error(`no event arrived on ${server.url}: ${JSON.stringify(sub.errors)}`);
  // The subscription is live: the last warm-up change reaches it, and nothing of the warm-up is in flight after it.
  await waitFor(() => sub.events.some((e) => e.activeModelChanged.cursor === lastCursor), Boolean, { what: 'the last warm-up event' });
  sub.stop();
  // `since` replays whatever commits before the new subscription is registered: no wait is needed.
  const live = collect(c, ChangeEventsDocument, { since: lastCursor });
  return { sub: live, baseline: lastCursor };
}

beforeAll(async () => {
  redis = await redisProcess();
  databaseUrl = freshDatabaseUrl('multi');
  const env = { DATABASE_URL: databaseUrl, REDIS_URL: redis.url, ADMIN_TOKEN, LOG_LEVEL: 'warn' };
  a = await startServerProcess(env);
  b = await startServerProcess(env);
  await ok(a, CreateProviderDocument, { input: { slug: 'shared', name: 'Shared' } });
  await ok(a, CreateProviderDocument, { input: { slug: 'warm', name: 'Warm' } });
  for (const [provider, name, caps] of [
    ['shared', 'm1', ['CHAT', 'CODE']],
    ['shared', 'm2', ['CHAT', 'CODE']],
    ['shared', 'm3', ['CHAT']],
    ['warm', 'w1', ['CHAT']],
    ['warm', 'w2', ['CHAT']],
  ] as const) {
    const data = await ok(a, CreateModelDocument, { input: { provider, name, modelId: `${provider}/${name}`, capabilities: [...caps] } });
    models[name] = data.createModel.id;
  }
});

afterAll(async () => {
  for (const c of clients) await c.dispose();
  await Promise.all([a?.stop(), b?.stop()]);
  await redis?.kill();
  if (databaseUrl) await dropDatabase(databaseUrl);
});

function expectExactly(sub: Collected<Event>, expected: string[]): void {
  expect(sub.errors).toEqual([]);
  const got = eventKeys(sub.events);
  expect(new Set(got).size).toBe(got.length); // no duplicate
  expect([...got].sort()).toEqual([...expected].sort()); // no gap, nothing foreign
  // Per slot: consecutive versions in arrival order.
  const last = new Map<string, number>();
  for (const { activeModelChanged: c } of sub.events) {
    const slot = `${c.provider.slug}/${c.capability}`;
    if (last.has(slot)) expect(`${slot} v${c.version}`).toBe(`${slot} v${last.get(slot)! + 1}`);
    last.set(slot, c.version);
  }
}

test('a subscriber on B receives every change made through A, in per-slot version order, none duplicated', async () => {
  const onB = await liveSubscription(b, a);
  const onA = await liveSubscription(a, a);

  // Sequential and concurrent activations through A, several slots, several changes per transaction.
  for (const [m, caps] of [
    ['m1', undefined],
    ['m2', ['CODE']],
    ['m3', undefined],
    ['m2', undefined],
  ] as const) {
    await activate(a, m, caps ? [...caps] : undefined);
  }
  const names = ['m1', 'm2', 'm3'];
  await Promise.all(
    Array.from({ length: 40 }, (_, i) => activate(a, names[i % 3], names[i % 3] === 'm3' ? undefined : [i % 2 ? 'CHAT' : 'CODE'])),
  );
  // A last change, committed after all the others: once it has arrived, anything else would have, too.
  const marker = await switchWarm(a);

  const expectedB = await historyKeys(onB.baseline);
  const expectedA = await historyKeys(onA.baseline);
  expect(expectedB.length).toBeGreaterThanOrEqual(30);
  const hasMarker = (sub: Collected<Event>) => () => sub.events.some((e) => e.activeModelChanged.cursor === marker) || sub.errors.length > 0;
  await waitFor(hasMarker(onB.sub), Boolean, { what: 'the marker change on B' });
  await waitFor(hasMarker(onA.sub), Boolean, { what: 'the marker change on A' });
  expectExactly(onB.sub, expectedB);
  expectExactly(onA.sub, expectedA);
  onA.sub.stop();
  onB.sub.stop();
});

test('read-after-write across instances: once activateModel returns on A, activeModel on B answers the new model (50 rounds)', async () => {
  const read = async (server: ServerProcess) =>
    (await ok(server, ActiveModelNameDocument, { provider: 'shared', capability: 'CHAT' })).activeModel?.name ?? null;
  const mismatches: string[] = [];
  for (let i = 0; i < 50; i++) {
    const model = ['m1', 'm2', 'm3'][i % 3];
    // Both caches warm with the current value, then write on one instance and read on the other.
    await read(a);
    await read(b);
    const [writer, reader] = i % 5 === 4 ? [b, a] : [a, b];
    await activate(writer, model, ['CHAT']);
    const seen = await read(reader);
    if (seen !== model) mismatches.push(`round ${i}: wrote ${model}, read ${seen}`);
  }
  expect(mismatches).toEqual([]);
});
