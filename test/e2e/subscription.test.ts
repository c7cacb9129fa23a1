import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import pino from 'pino';
import { startTestServer, type GqlErrorExtensions, type TestServer } from '../helpers/test-server';
import { collect, collectLive, wsClient, type Collected } from '../helpers/ws-client';
import {
  activate,
  createMember,
  createModel,
  createProvider,
  expectOk,
  query,
  type MemberRef,
  type ModelRef,
  type ProviderRef,
} from '../helpers/factories';
import { waitFor } from '../helpers/wait';
import { rawWs, type RawWs } from '../helpers/raw-ws';
import {
  ChangeEventsDocument,
  DeactivateModelDocument,
  RevokeApiTokenDocument,
  type Capability,
  type ChangeEventsSubscription,
  type ChangeEventsSubscriptionVariables,
} from '../generated/graphql';

/**
 * activeModelChanged over a real WebSocket (graphql-ws): authentication at connection time,
 * localized errors, filters, per-slot version order, and `since` replay with no gap and no
 * duplicate while activations keep committing concurrently.
 */

let t: TestServer;
let alpha: ProviderRef;
let member: MemberRef;
const models: Record<string, ModelRef> = {};
const clients: Client[] = [];

type Event = ChangeEventsSubscription;

function client(params: { token?: string | null; locale?: string } = {}): Client {
  const c = wsClient(t.url, params);
  clients.push(c);
  return c;
}

/** Connects and reports whether the server accepted the connection or closed it (with which code). */
function connectOutcome(connectionParams: Record<string, unknown>): Promise<{ connected: true } | { code: number; reason: string }> {
  return new Promise((resolve) => {
    const c = createClient({
      url: t.url.replace(/^http/, 'ws') + '/graphql',
      webSocketImpl: WebSocket,
      lazy: false,
      retryAttempts: 0,
      connectionParams,
      on: {
        connected: () => resolve({ connected: true }),
        closed: (event) => {
          const e = event as { code: number; reason: string };
          resolve({ code: e.code, reason: String(e.reason) });
        },
      },
      onNonLazyError: () => undefined,
    });
    clients.push(c);
  });
}

/** Subscribes and resolves once the server holds the feed (bus subscribed, slot versions read). */
async function subscribe(c: Client, variables: ChangeEventsSubscriptionVariables = {}): Promise<Collected<Event>> {
  return collectLive(t, c, ChangeEventsDocument, variables);
}

/** Subscribes where an error is expected; returns the first GraphQL error. */
async function subscriptionError(
  c: Client,
  variables: ChangeEventsSubscriptionVariables,
): Promise<{ message: string; extensions?: GqlErrorExtensions }> {
  const sub = collect(c, ChangeEventsDocument, variables);
  await sub.waitFor(1, 5000);
  const errors = sub.errors.flat() as { message: string; extensions?: GqlErrorExtensions }[];
  expect(sub.events).toEqual([]);
  expect(errors.length).toBeGreaterThan(0);
  return errors[0];
}

interface HistoryRow {
  id: string;
  slug: string;
  capability: string;
  version: number;
}

async function history(filter: { providerId?: string; capability?: string; afterId?: string } = {}): Promise<HistoryRow[]> {
  const where = ['true'];
  const params: unknown[] = [];
  if (filter.providerId) where.push(`c.provider_id = $${params.push(filter.providerId)}`);
  if (filter.capability) where.push(`c.capability = $${params.push(filter.capability)}`);
  if (filter.afterId) where.push(`c.id > $${params.push(filter.afterId)}`);
  return query<HistoryRow>(
    t,
    `select c.id::text as id, p.slug, c.capability, c.version from activation_change c join provider p on p.id = c.provider_id
      where ${where.join(' and ')} order by c.id`,
    params,
  );
}

async function lastHistoryId(): Promise<string> {
  const [row] = await query<{ id: string }>(t, 'select coalesce(max(id), 0)::text as id from activation_change');
  return row.id;
}

const cursorOf = (id: string) => id.padStart(20, '0');
const key = (slug: string, capability: string, version: number, cursor: string) => `${slug}/${capability}/v${version}@${cursor}`;
const eventKeys = (events: Event[]) => events.map(({ activeModelChanged: c }) => key(c.provider.slug, c.capability, c.version, c.cursor));
const historyKeys = (rows: HistoryRow[]) => rows.map((r) => key(r.slug, r.capability, r.version, cursorOf(r.id)));

/** Per slot: versions strictly consecutive in arrival order (starting after `from`, default: the first one seen). */
function expectConsecutivePerSlot(events: Event[], from?: Map<string, number>): void {
  const last = new Map(from ?? []);
  for (const { activeModelChanged: c } of events) {
    const slot = `${c.provider.slug}/${c.capability}`;
    const prev = last.get(slot);
    if (prev !== undefined) expect(`${slot} v${c.version}`).toBe(`${slot} v${prev + 1}`);
    last.set(slot, c.version);
  }
}

async function activateOk(model: string, capabilities?: Capability[]) {
  return expectOk(await activate(t, models[model].id, capabilities ? { capabilities } : {}), `activate ${model}`);
}

/**
 * A marker: one more change of a slot (the first of `names` that does not hold it takes it), committed
 * after everything a test awaits. A subscriber that has received it has received everything before it,
 * so "nothing more arrives" is checked without waiting for a fixed time. Returns its cursor.
 */
async function marker(names: string[], capability: Capability): Promise<string> {
  for (const name of names) {
    const [change] = (await activateOk(name, [capability])).activateModel.changes;
    if (change) return change.cursor;
  }
  throw new Error(`no marker change: ${names.join(', ')} all hold ${capability}`);
}

const received = (sub: Collected<Event>, cursor: string) => () =>
  sub.errors.length > 0 || sub.events.some((e) => e.activeModelChanged.cursor === cursor);

beforeAll(async () => {
  t = await startTestServer({}, { logger: pino({ level: 'silent' }) });
  alpha = await createProvider(t, 'alpha');
  await createProvider(t, 'beta');
  for (const [name, caps] of [
    ['a1', ['CHAT', 'CODE']],
    ['a2', ['CHAT', 'CODE']],
    ['a3', ['CHAT']],
  ] as const) {
    models[name] = await createModel(t, 'alpha', name, [...caps]);
  }
  for (const name of ['b1', 'b2']) models[name] = await createModel(t, 'beta', name, ['CHAT']);
  member = await createMember(t, 'watcher');
});

afterAll(async () => {
  for (const c of clients) await c.dispose();
  await t?.close();
});

describe('authentication', () => {
  test('no token, a bad token and a revoked token are refused with 4403; a MEMBER may subscribe', async () => {
    expect(await connectOutcome({})).toMatchObject({ code: 4403 });
    expect(await connectOutcome({ authorization: 'Bearer not-a-real-token' })).toMatchObject({ code: 4403 });
    expect(await connectOutcome({ authorization: 'Basic abc' })).toMatchObject({ code: 4403 });

    const revoked = await createMember(t, 'revoked-member');
    expect(await connectOutcome({ authorization: `Bearer ${revoked.token}` })).toEqual({ connected: true });
    expectOk(await t.op(RevokeApiTokenDocument, { id: revoked.tokenId }), 'revoke');
    expect(await connectOutcome({ authorization: `Bearer ${revoked.token}` })).toMatchObject({ code: 4403 });

    const sub = await subscribe(client({ token: member.token }), { provider: 'beta' });
    const res = await activateOk('b1');
    const events = await sub.waitFor(1);
    expect(sub.errors).toEqual([]);
    expect(events.map((e) => e.activeModelChanged)).toEqual([
      expect.objectContaining({
        cursor: res.activateModel.changes[0].cursor,
        provider: { slug: 'beta' },
        model: { name: 'b1' },
        changedBy: 'admin',
      }),
    ]);
    sub.stop();
  });

  test('a token revoked while its socket is open: the socket is closed with 4403 (its subscriptions end)', async () => {
    const other = await createMember(t, 'soon-revoked');
    let closedWith: number | undefined;
    const c = createClient({
      url: t.url.replace(/^http/, 'ws') + '/graphql',
      webSocketImpl: WebSocket,
      lazy: false,
      retryAttempts: 0,
      connectionParams: { authorization: `Bearer ${other.token}` },
      on: { closed: (event) => (closedWith = (event as { code: number }).code) },
      onNonLazyError: () => undefined,
    });
    clients.push(c);
    const first = await subscribe(c, { provider: 'beta' });
    expect(first.errors).toEqual([]);
    expectOk(await t.op(RevokeApiTokenDocument, { id: other.tokenId }), 'revoke');
    // Contract (Limits): a revoked token's sockets are closed with 4403, on every instance.
    expect(await waitFor(() => closedWith, Boolean, { what: 'the socket to close' })).toBe(4403);
    expect(first.errors.length).toBeGreaterThan(0);
  });
});

describe('errors', () => {
  test('an unknown provider is NOT_FOUND, in the connection locale', async () => {
    const en = await subscriptionError(client(), { provider: 'nope' });
    expect(en.extensions?.code).toBe('NOT_FOUND');
    expect(en.message).toContain('nope');
    const fa = await subscriptionError(client({ locale: 'fa' }), { provider: 'nope' });
    expect(fa.extensions?.code).toBe('NOT_FOUND');
    expect(fa.message).toMatch(/[\u0600-\u06FF]/);
    expect(fa.message).toContain('nope');
    expect(fa.message).not.toBe(en.message);
  });

  test.each(['abc', '-1', '1.5', '99999999999999999999', ''])('a malformed since (%p) is BAD_USER_INPUT', async (since) => {
    const en = await subscriptionError(client(), { since });
    expect(en.extensions?.code).toBe('BAD_USER_INPUT');
    const fa = await subscriptionError(client({ locale: 'fa' }), { since });
    expect(fa.extensions?.code).toBe('BAD_USER_INPUT');
    expect(fa.message).toMatch(/[\u0600-\u06FF]/);
  });
});

describe('delivery', () => {
  test('60 subscriptions of one document, 3 per socket: each change once to each, under its own id, in order; a completed one stops alone', async () => {
    // Shared documents are sent without graphql-ws's per-subscription loop (shared-subscribe.ts): this
    // is that path over real sockets, several subscriptions per socket.
    const doc = 'subscription Shared { activeModelChanged(provider: "beta", capability: CHAT) { cursor version } }';
    const sockets: RawWs[] = await Promise.all(Array.from({ length: 20 }, () => rawWs(t.url, member.token)));
    const subs = sockets.flatMap((socket, i) => ['a', 'b', 'c'].map((letter) => ({ socket, id: `sub-${i}-${letter}` })));
    for (const { socket, id } of subs) socket.subscribe(id, doc);
    const cursorsOf = ({ socket, id }: (typeof subs)[number]) =>
      socket.messages.filter((m) => m.id === id && m.type === 'next').map((m) => (m.payload as { data: Event }).data.activeModelChanged.cursor);
    const flip = (() => {
      let n = 0;
      return async () => (await activateOk(n++ % 2 ? 'b1' : 'b2', ['CHAT'])).activateModel.changes[0].cursor;
    })();
    // Live once a change reaches every subscription (a subscription is live some time after its subscribe message).
    for (let probe = await flip(); subs.some((sub) => !cursorsOf(sub).includes(probe)); probe = await flip()) {
      await waitFor(() => subs.every((sub) => cursorsOf(sub).includes(probe)), Boolean, {
        timeoutMs: 2000,
        what: 'every subscription live',
      }).catch(() => undefined);
    }
    const before = new Map(subs.map((sub) => [sub.id, cursorsOf(sub).length]));
    const sent = [await flip()];
    await waitFor(() => subs.every((sub) => cursorsOf(sub).includes(sent[0])), Boolean, { what: 'the first change everywhere' });
    const completed = subs[1]; // sub-0-b: its socket's other two subscriptions go on
    completed.socket.socket.send(JSON.stringify({ id: completed.id, type: 'complete' }));
    sent.push(await flip(), await flip());
    await waitFor(() => subs.every((sub) => sub === completed || cursorsOf(sub).includes(sent[2])), Boolean, {
      what: 'the last change everywhere',
    });
    for (const sub of subs) {
      const after = cursorsOf(sub).slice(before.get(sub.id));
      expect({ id: sub.id, after }).toEqual({ id: sub.id, after: sub === completed ? sent.slice(0, 1) : sent });
    }
    expect(sockets.flatMap((s) => s.messages.filter((m) => m.type === 'error'))).toEqual([]);
    for (const s of sockets) s.close();
  });

  test('filters by provider and capability; each slot in version order, exactly the history', async () => {
    const baseline = await lastHistoryId();
    const c = client({ token: member.token });
    const all = await subscribe(c);
    const alphaOnly = await subscribe(c, { provider: 'alpha' });
    const chatOnly = await subscribe(c, { capability: 'CHAT' });
    const alphaCode = await subscribe(c, { provider: 'alpha', capability: 'CODE' });

    for (const [m, caps] of [
      ['a1', undefined],
      ['b2', undefined],
      ['a2', ['CODE']],
      ['a3', undefined],
      ['b1', undefined],
      ['a2', undefined],
      ['a1', ['CODE']],
    ] as const) {
      await activateOk(m, caps ? [...caps] : undefined);
    }
    expectOk(await t.op(DeactivateModelDocument, { input: { modelId: models.a1.id } }));
    expect((await history({ afterId: baseline })).length).toBe(9);
    expect((await history({ afterId: baseline, providerId: alpha.id, capability: 'CODE' })).length).toBe(4);

    // Markers: alpha's CODE slot (seen by all, alphaOnly, alphaCode), then beta's CHAT slot (all, chatOnly).
    const alphaCodeMarker = await marker(['a2', 'a1'], 'CODE');
    const betaChatMarker = await marker(['b1', 'b2'], 'CHAT');
    const expected = {
      all: historyKeys(await history({ afterId: baseline })),
      alphaOnly: historyKeys(await history({ afterId: baseline, providerId: alpha.id })),
      chatOnly: historyKeys(await history({ afterId: baseline, capability: 'CHAT' })),
      alphaCode: historyKeys(await history({ afterId: baseline, providerId: alpha.id, capability: 'CODE' })),
    };
    const subs = { all, alphaOnly, chatOnly, alphaCode };
    const lastMarker = { all: betaChatMarker, alphaOnly: alphaCodeMarker, chatOnly: betaChatMarker, alphaCode: alphaCodeMarker };
    for (const [name, sub] of Object.entries(subs)) {
      await waitFor(received(sub, lastMarker[name as keyof typeof lastMarker]), Boolean, { what: `the marker on ${name}` });
      expect({ name, events: eventKeys(sub.events), errors: sub.errors }).toEqual({
        name,
        events: expected[name as keyof typeof expected],
        errors: [],
      });
      expectConsecutivePerSlot(sub.events);
      sub.stop();
    }
    // The emptied slot is a change like any other: model null, previous model set.
    const emptied = all.events
      .map((e) => e.activeModelChanged)
      .find((c) => c.provider.slug === 'alpha' && c.capability === 'CODE' && c.version === 4);
    expect(emptied).toMatchObject({ provider: { slug: 'alpha' }, capability: 'CODE', version: 4, model: null, previousModel: { name: 'a1' } });
  });

  test('since replays exactly what was missed, then live, with no gap and no duplicate while 100 activations run concurrently', async () => {
    const race = await createProvider(t, 'race');
    const caps: Capability[] = ['CHAT', 'CODE', 'CONTENT'];
    const raceModels = await Promise.all(['r1', 'r2', 'r3', 'r4'].map((n) => createModel(t, 'race', n, caps)));
    const c = client({ token: member.token });
    const first = await subscribe(c, { provider: 'race' });

    let n = 0;
    const fire = (count: number) =>
      Array.from({ length: count }, () => {
        const i = n++;
        const model = raceModels[(i * 7) % raceModels.length];
        // Mostly single slots, sometimes all three at once (several changes in one transaction).
        const capabilities = i % 5 === 0 ? undefined : [caps[i % caps.length]];
        return activate(t, model.id, capabilities ? { capabilities } : {});
      });

    const batchA = fire(50);
    await waitFor(() => first.events.length >= 10, Boolean, { what: '10 events on the first connection' });
    // The client goes away mid-stream and comes back with the last cursor it saw...
    const seen = [...first.events];
    first.stop();
    expect(seen.length).toBeGreaterThanOrEqual(10);
    const since = seen
      .map((e) => e.activeModelChanged.cursor)
      .sort()
      .at(-1)!;
    // ...while more activations are committing.
    const batchB = fire(50);
    // No need to wait until it is live: `since` replays whatever commits before it is.
    const second = collect(c, ChangeEventsDocument, { provider: 'race', since });
    const results = await Promise.all([...batchA, ...batchB]);
    for (const r of results) expect(r.errors ?? []).toEqual([]);
    // And nothing more arrives than the history: a last change marks the end.
    models.r1 = raceModels[0];
    models.r2 = raceModels[1];
    const last = await marker(['r1', 'r2'], 'CHAT');

    const expected = historyKeys(await history({ providerId: race.id }));
    await waitFor(received(second, last), Boolean, { timeoutMs: 15_000, what: 'the marker on the second connection' });

    const union = [...eventKeys(seen), ...eventKeys(second.events)];
    expect(second.errors).toEqual([]);
    // Each cursor once, and exactly the history (as sets: order across slots is not promised).
    expect(new Set(union).size).toBe(union.length);
    expect([...union].sort()).toEqual([...expected].sort());
    // The replay starts strictly after `since`; the first connection saw nothing after it.
    for (const e of second.events) expect(e.activeModelChanged.cursor > since).toBe(true);
    // Per slot, versions are consecutive across both connections, from 1.
    expectConsecutivePerSlot([...seen, ...second.events], new Map(caps.map((cap) => [`race/${cap}`, 0])));
    // And the history itself: every activation that changed something is in it.
    const changed = results.reduce((sum, r) => sum + r.data.activateModel.changes.length, 0);
    expect(expected.length).toBe(changed + 1); // + the marker
    second.stop();
  });

  test('since with no filter from the very first cursor replays the whole history in cursor order', async () => {
    const [first] = await history();
    const sub = await subscribe(client(), { since: cursorOf(first.id) });
    const last = await marker(['b1', 'b2'], 'CHAT');
    await waitFor(received(sub, last), Boolean, { what: 'the marker' });
    const all = await history();
    expect(eventKeys(sub.events)).toEqual(historyKeys(all.slice(1)));
    sub.stop();
  });
});
