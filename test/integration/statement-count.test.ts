import { stripVTControlCharacters } from 'node:util';
import pino from 'pino';
import { dropDatabase, freshDatabaseUrl, startTestServer, type TestServer } from '../helpers/test-server';
import { activate, createModel, createProvider, expectOk } from '../helpers/factories';
import { waitFor } from '../helpers/wait';
import { ActiveModelIdDocument, ThirtyActiveModelsDocument, type ThirtyActiveModelsQuery, type Capability } from '../generated/graphql';

/**
 * Batching and caching, counted in SQL statements (every statement MikroORM sends reaches onQuery):
 * 30 aliased activeModel lookups over 5 providers, each with `provider { slug }` and
 * `activeCapabilities`, cost at most 4 statements on a cold server (authentication included), and
 * none once the snapshot cache and the token cache are warm — in-process and with Redis.
 *
 * The one statement that is not part of the request: AuthService's lastUsedAt hint
 * (`update api_token set last_used_at ...`), written fire-and-forget on another connection at most
 * once a minute per token. It shows up on the first request of a fresh server; it is counted
 * separately (at most one, never on the warm request) instead of being hidden in the budget.
 */

const CAPABILITIES: Capability[] = ['CHAT', 'CODE', 'CONTENT', 'IMAGE', 'AUDIO', 'EMBEDDING'];
/** The providers the 30 aliases of ThirtyActiveModels (test/operations/statement-count.graphql) look up. */
const PROVIDERS = ['p0', 'p1', 'p2', 'p3', 'p4'];

let databaseUrl: string;
const providerIds: string[] = [];
/** alias → expected answer */
const expected: Partial<ThirtyActiveModelsQuery> = {};

beforeAll(async () => {
  databaseUrl = freshDatabaseUrl('stmts');
  const seed = await startTestServer({ databaseUrl }, { logger: pino({ level: 'silent' }) });
  try {
    for (const [i, slug] of PROVIDERS.entries()) {
      providerIds.push((await createProvider(seed, slug)).id);
      const x = await createModel(seed, slug, 'x', CAPABILITIES);
      const y = await createModel(seed, slug, 'y', ['CHAT', 'CODE', 'CONTENT']);
      await createModel(seed, slug, 'idle', ['CHAT']);
      // x holds everything but CHAT/CODE (i even) or CHAT/CODE/CONTENT (i odd); the last provider keeps EMBEDDING empty.
      expectOk(await activate(seed, x.id, { capabilities: i === 4 ? ['IMAGE', 'AUDIO'] : ['CONTENT', 'IMAGE', 'AUDIO', 'EMBEDDING'] }));
      expectOk(await activate(seed, y.id, { capabilities: i % 2 ? ['CHAT', 'CODE', 'CONTENT'] : ['CHAT', 'CODE'] }));
    }
    const answer = expectOk(await seed.op(ThirtyActiveModelsDocument, {}));
    Object.assign(expected, answer);
  } finally {
    await seed.close();
  }
  // Sanity: held and empty slots, several models per provider.
  const values = Object.values(expected);
  expect(values).toHaveLength(30);
  expect(values.filter((v) => v === null).length).toBeGreaterThan(0);
  expect(new Set(values.filter(Boolean).map((v) => v!.name)).size).toBe(2);
});

afterAll(async () => {
  if (databaseUrl) await dropDatabase(databaseUrl);
});

const clean = (s: string) => stripVTControlCharacters(s).replace(/^\[query\]\s*/, '');
const isLastUsedHint = (s: string) => /update\s+"?api_token"?\s+set\s+"?last_used_at"?/i.test(s);

describe.each([
  ['in-process cache', undefined],
  ['Redis cache', process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379'],
])('%s', (_label, redisUrl) => {
  let t: TestServer;
  const statements: string[] = [];

  beforeAll(async () => {
    t = await startTestServer({ databaseUrl, redisUrl }, { logger: pino({ level: 'silent' }), onQuery: (s) => statements.push(clean(s)) });
    // A shared Redis may hold snapshots of these providers from an earlier run: start cold.
    await t.server.backplane.cache.invalidate(providerIds);
    // The outbox relay polls on a timer (begin; select ... for update skip locked; commit, every 500 ms):
    // not part of any request, so it is stopped here (mutations still publish directly).
    await t.server.services.outbox.stop();
    // Likewise the scheduled-switch worker's idle probe (one indexed select a second).
    await t.server.services.scheduleWorker.stop();
  });
  afterAll(() => t?.close());

  async function measure(): Promise<{ request: string[]; hints: string[] }> {
    const from = statements.length;
    const res = await t.op(ThirtyActiveModelsDocument, {});
    expect(res.errors ?? []).toEqual([]);
    expect(res.data).toEqual(expected);
    const all = statements.slice(from);
    return { request: all.filter((s) => !isLastUsedHint(s)), hints: all.filter(isLastUsedHint) };
  }

  test('cold: at most 4 statements (authentication, providers, slots, held models); warm: none', async () => {
    const cold = await measure();
    if (process.env.SHOW_SQL) console.log(JSON.stringify(cold, null, 1));
    expect(cold.request.length).toBeLessThanOrEqual(4);
    expect(cold.request[0]).toMatch(/from api_token/);
    expect(cold.hints.length).toBeLessThanOrEqual(1);

    // The cache fill and the lastUsedAt hint are fire-and-forget: the read is warm once they have landed.
    const warm = await waitFor(measure, (m) => m.request.length === 0 && m.hints.length === 0, { what: 'a warm read without SQL' });
    expect(warm.request).toEqual([]);
    expect(warm.hints).toEqual([]);

    // A change invalidates only what it touches: the next read reloads that provider (slots + held models) and nothing else.
    const x = expectOk(await t.op(ActiveModelIdDocument, { provider: 'p0', capability: 'IMAGE' })).activeModel!.id;
    const y = expectOk(await t.op(ActiveModelIdDocument, { provider: 'p0', capability: 'CHAT' })).activeModel!.id;
    expectOk(await activate(t, x, { capabilities: ['CHAT'] }));
    const after = statements.length;
    const res = expectOk(await t.op(ThirtyActiveModelsDocument, {}));
    const reread = statements.slice(after).filter((s) => !isLastUsedHint(s));
    expect(res.q0_0).toEqual({ name: 'x', provider: { slug: 'p0' }, activeCapabilities: ['CHAT', 'CONTENT', 'IMAGE', 'AUDIO', 'EMBEDDING'] });
    expect(reread.length).toBeLessThanOrEqual(3);
    expect(reread.filter((s) => /from "?provider"?/.test(s) && !/activation_slot/.test(s))).toEqual([]);
    // Put it back for the other cache mode.
    expectOk(await activate(t, y, { capabilities: ['CHAT'] }));
  });

  test('unknown provider: the first read asks Postgres once, warm ones not at all; creating it makes it found at once', async () => {
    const slug = redisUrl ? 'ghost-redis' : 'ghost-memory';
    const read = () => t.gql(`query($p: String!) { activeModel(provider: $p, capability: CHAT) { name } }`, { p: slug });
    const count = async () => {
      const from = statements.length;
      const res = await read();
      expect(res.errors?.map((e) => e.extensions?.code)).toEqual(['NOT_FOUND']);
      await new Promise((r) => setTimeout(r, 50));
      return statements.slice(from).filter((s) => !isLastUsedHint(s));
    };
    // With Redis, process memory answers only while this instance holds its near-cache lease
    // (taken within a heartbeat of start-up): wait for that state, not for a time.
    const lease = (t.server.backplane.cache as { lease?: { valid(): boolean } }).lease;
    for (let i = 0; i < 100 && lease && !lease.valid(); i++) await new Promise((r) => setTimeout(r, 50));
    expect((await count()).filter((s) => /from "?provider"?/.test(s))).toHaveLength(1);
    for (let i = 0; i < 3; i++) expect(await count()).toEqual([]);

    await createProvider(t, slug);
    const res = await read();
    expect(res.errors ?? []).toEqual([]);
    expect(res.data).toEqual({ activeModel: null });
  });
});
