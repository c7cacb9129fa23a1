import { print } from 'graphql';
import type { Client } from 'graphql-ws';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { createModel, createProvider, errorCode, expectOk, query } from '../helpers/factories';
import { collect, wsClient } from '../helpers/ws-client';
import { waitFor } from '../helpers/wait';
import {
  CmActivateDocument,
  CmChangedDocument,
  CmDeactivateDocument,
  CmDeleteModelDocument,
  CmHistoryDocument,
  CmRevertSlotDocument,
  CmUpdateModelDocument,
  ScheduleActivationDocument,
  type CmActivateMutationVariables,
  type CmChangedSubscription,
} from '../generated/graphql';

/**
 * Reasons on every switch (stored with each slot change, returned in payloads, history and the
 * subscription), revertSlot through the single activation path, and activationHistory's filters.
 */

let t: TestServer;
let ws: Client;
const m: Record<string, string> = {};

beforeAll(async () => {
  t = await startTestServer();
  ws = wsClient(t.url);
  await createProvider(t, 'rv');
  await createProvider(t, 'rv-other');
  m.a = (await createModel(t, 'rv', 'a', ['CHAT', 'CODE'])).id;
  m.b = (await createModel(t, 'rv', 'b', ['CHAT', 'CODE'])).id;
  m.c = (await createModel(t, 'rv', 'c', ['CHAT'])).id;
  m.o = (await createModel(t, 'rv-other', 'o', ['CHAT'])).id;
});
afterAll(async () => {
  await ws?.dispose();
  await t?.close();
});

const activate = async (input: CmActivateMutationVariables['input']) => t.op(CmActivateDocument, { input });

describe('reasons', () => {
  test('trimmed and stored with every slot change; returned by the payload, the history and the subscription', async () => {
    const since = (await query<{ id: string }>(t, `select coalesce(max(id), 0)::text as id from activation_change`))[0].id.padStart(20, '0');
    const sub = collect<CmChangedSubscription>(ws, print(CmChangedDocument), { provider: 'rv', since });
    const res = expectOk(await activate({ modelId: m.a, reason: '  incident 42: b is down  ' })).activateModel;
    expect(res.changes.map((c) => [c.capability, c.reason])).toEqual([
      ['CHAT', 'incident 42: b is down'],
      ['CODE', 'incident 42: b is down'],
    ]);
    const none = expectOk(await activate({ modelId: m.b, capabilities: ['CODE'], reason: '   ' })).activateModel;
    expect(none.changes[0].reason).toBeNull();
    const off = expectOk(await t.op(CmDeactivateDocument, { input: { modelId: m.b, reason: 'code freeze' } })).deactivateModel;
    expect(off.changes.map((c) => [c.capability, c.model, c.reason])).toEqual([['CODE', null, 'code freeze']]);

    const events = await sub.waitFor(4);
    expect(events.map((e) => [e.activeModelChanged.capability, e.activeModelChanged.version, e.activeModelChanged.reason])).toEqual([
      ['CHAT', 1, 'incident 42: b is down'],
      ['CODE', 1, 'incident 42: b is down'],
      ['CODE', 2, null],
      ['CODE', 3, 'code freeze'],
    ]);
    sub.stop();
    const history = expectOk(await t.op(CmHistoryDocument, { provider: 'rv', first: 4 })).activationHistory.edges.map((e) => e.node.reason);
    expect(history).toEqual(['code freeze', null, 'incident 42: b is down', 'incident 42: b is down']);
  });

  test('longer than 500 characters: BAD_USER_INPUT, nothing changes', async () => {
    const before = await query(t, 'select count(*)::int as n from activation_change');
    expect(errorCode(await activate({ modelId: m.b, reason: 'x'.repeat(501) }))).toBe('BAD_USER_INPUT');
    expect(errorCode(await t.op(CmDeactivateDocument, { input: { modelId: m.a, reason: 'y'.repeat(501) } }))).toBe('BAD_USER_INPUT');
    expect(expectOk(await activate({ modelId: m.c, reason: 'z'.repeat(500) })).activateModel.changes[0].reason).toHaveLength(500);
    expect((await query(t, 'select count(*)::int as n from activation_change'))[0].n).toBe(before[0].n + 1);
  });
});

describe('revertSlot', () => {
  // rv/CHAT so far: v1 a, v2 c.
  test('puts the slot back to the model of an earlier version as a new change; the displaced model keeps its other slots', async () => {
    expectOk(await activate({ modelId: m.a, capabilities: ['CODE'] })); // a holds CODE too
    const r = expectOk(
      await t.op(CmRevertSlotDocument, {
        input: { provider: 'rv', capability: 'CHAT', toVersion: 1, expectedVersion: 2, reason: 'c regressed' },
      }),
    ).revertSlot;
    expect(r.changes).toEqual([
      expect.objectContaining({
        capability: 'CHAT',
        version: 3,
        reason: 'c regressed',
        model: { id: m.a, name: 'a' },
        previousModel: { id: m.c, name: 'c' },
      }),
    ]);
    expect(r.deactivated).toEqual([{ id: m.c, name: 'c', activeCapabilities: [] }]);
    // Reverting back to before a (v2: c) displaces a from CHAT only.
    const back = expectOk(await t.op(CmRevertSlotDocument, { input: { provider: 'rv', capability: 'CHAT', toVersion: 2 } })).revertSlot;
    expect(back.deactivated).toEqual([{ id: m.a, name: 'a', activeCapabilities: ['CODE'] }]);
    expect(back.changes[0]).toMatchObject({ version: 4, reason: null, model: { name: 'c' } });
  });

  test('reverting to what the slot holds changes nothing; to version 0 empties it', async () => {
    // v4 holds c, as v2 did.
    const same = expectOk(await t.op(CmRevertSlotDocument, { input: { provider: 'rv', capability: 'CHAT', toVersion: 2 } })).revertSlot;
    expect(same).toEqual({ changes: [], deactivated: [] });
    const empty = expectOk(await t.op(CmRevertSlotDocument, { input: { provider: 'rv', capability: 'CHAT', toVersion: 0 } })).revertSlot;
    expect(empty.changes[0]).toMatchObject({ version: 5, model: null, previousModel: { name: 'c' } });
  });

  test('bad versions: BAD_USER_INPUT; stale expectedVersion: CONFLICT; unknown provider: NOT_FOUND; nothing changes', async () => {
    const before = (await query(t, 'select count(*)::int as n from activation_change'))[0].n;
    // With the Int extremes: -2147483648 once reached Postgres as `-2147483648::int`, an SQL error (fuzz seed 1135211560).
    for (const toVersion of [-1, -2147483648, 5, 6, 99, 2147483647]) {
      expect([toVersion, errorCode(await t.op(CmRevertSlotDocument, { input: { provider: 'rv', capability: 'CHAT', toVersion } }))]).toEqual([
        toVersion,
        'BAD_USER_INPUT',
      ]);
    }
    expect(errorCode(await t.op(CmRevertSlotDocument, { input: { provider: 'rv', capability: 'IMAGE', toVersion: 0 } }))).toBe('BAD_USER_INPUT');
    expect(
      errorCode(await t.op(CmRevertSlotDocument, { input: { provider: 'rv', capability: 'CHAT', toVersion: 1, expectedVersion: 4 } })),
    ).toBe('CONFLICT');
    expect(errorCode(await t.op(CmRevertSlotDocument, { input: { provider: 'nope', capability: 'CHAT', toVersion: 0 } }))).toBe('NOT_FOUND');
    expect((await query(t, 'select count(*)::int as n from activation_change'))[0].n).toBe(before);
  });

  test('a model deleted since, or that lost the capability: CONFLICT, nothing changes', async () => {
    const d = (await createModel(t, 'rv', 'd', ['CHAT', 'CODE'])).id;
    const e = (await createModel(t, 'rv', 'e', ['CHAT', 'CODE'])).id;
    expectOk(await activate({ modelId: d, capabilities: ['CODE'] }));
    const dVersion = (
      await query(
        t,
        `select s.version from activation_slot s join provider p on p.id = s.provider_id where p.slug = 'rv' and s.capability = 'CODE'`,
      )
    )[0].version;
    expectOk(await activate({ modelId: e, capabilities: ['CODE'] }));
    expectOk(await t.op(CmUpdateModelDocument, { input: { id: d, capabilities: ['CHAT'] } }));
    const before = (await query(t, 'select count(*)::int as n from activation_change'))[0].n;
    expect(errorCode(await t.op(CmRevertSlotDocument, { input: { provider: 'rv', capability: 'CODE', toVersion: dVersion } }))).toBe('CONFLICT');
    expectOk(await t.op(CmDeleteModelDocument, { id: d }));
    const afterDelete = (await query(t, 'select count(*)::int as n from activation_change'))[0].n;
    expect(afterDelete).toBe(before); // d held no slot any more
    expect(errorCode(await t.op(CmRevertSlotDocument, { input: { provider: 'rv', capability: 'CODE', toVersion: dVersion } }))).toBe('CONFLICT');
    expect((await query(t, 'select count(*)::int as n from activation_change'))[0].n).toBe(before);
  });
});

describe('activationHistory filters', () => {
  test('provider is optional; changedBy; from/to on changedAt (from inclusive, to exclusive)', async () => {
    expectOk(await activate({ modelId: m.o, reason: 'other provider' }));
    const all = expectOk(await t.op(CmHistoryDocument, { first: 100 })).activationHistory.edges.map((e) => e.node);
    expect(new Set(all.map((c) => c.provider.slug))).toEqual(new Set(['rv', 'rv-other']));
    expect(all[0]).toMatchObject({ provider: { slug: 'rv-other' }, reason: 'other provider' });
    const cursors = all.map((c) => c.cursor);
    expect([...cursors].sort().reverse()).toEqual(cursors);

    expect(expectOk(await t.op(CmHistoryDocument, { changedBy: 'admin', first: 100 })).activationHistory.edges).toHaveLength(all.length);
    expect(expectOk(await t.op(CmHistoryDocument, { changedBy: 'nobody' })).activationHistory.edges).toEqual([]);

    const pivot = all[Math.floor(all.length / 2)];
    const from = expectOk(await t.op(CmHistoryDocument, { from: pivot.changedAt, first: 100 })).activationHistory.edges.map((e) => e.node);
    const to = expectOk(await t.op(CmHistoryDocument, { to: pivot.changedAt, first: 100 })).activationHistory.edges.map((e) => e.node);
    expect(from.map((c) => c.cursor)).toContain(pivot.cursor);
    expect(to.map((c) => c.cursor)).not.toContain(pivot.cursor);
    expect(from.every((c) => c.changedAt >= pivot.changedAt)).toBe(true);
    expect(to.every((c) => c.changedAt <= pivot.changedAt)).toBe(true);
    expect(from.length + to.length).toBe(all.length);

    const paged: string[] = [];
    let after: string | null | undefined;
    do {
      const page = expectOk(await t.op(CmHistoryDocument, { provider: 'rv', capability: 'CHAT', first: 2, after })).activationHistory;
      paged.push(...page.edges.map((e) => e.node.cursor));
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
    } while (after);
    expect(paged).toEqual(all.filter((c) => c.provider.slug === 'rv' && c.capability === 'CHAT').map((c) => c.cursor));
  });

  test('a scheduled switch’s change names it, with the reason', async () => {
    const at = new Date(Date.now() + 800).toISOString();
    const s = expectOk(
      await t.op(ScheduleActivationDocument, { input: { modelId: m.b, capabilities: ['CHAT'], at, reason: 'planned' } }),
    ).scheduleActivation;
    const change = await waitFor(
      async () => expectOk(await t.op(CmHistoryDocument, { provider: 'rv', capability: 'CHAT', first: 1 })).activationHistory.edges[0].node,
      (c) => c.scheduledChange?.id === s.id,
      { what: 'the scheduled change in the history', timeoutMs: 30_000 },
    );
    expect(change).toMatchObject({ reason: 'planned', model: { name: 'b' }, scheduledChange: { id: s.id, status: 'APPLIED' } });
  });
});
