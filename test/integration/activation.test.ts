import { startTestServer, type TestServer } from '../helpers/test-server';
import { activate, CHANGE_FIELDS, createModel, createProvider, errorCode, expectOk, query, type ModelRef } from '../helpers/factories';

/** What activating, deactivating, editing and deleting models does to slots and history, as a client sees it. */

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t?.close());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function state(id: string): Promise<{ isActive: boolean; activeCapabilities: string[] } | null> {
  const res = expectOk(await t.gql(`query($id: ID!) { model(id: $id) { isActive activeCapabilities } }`, { id }));
  return res.model;
}

async function holder(provider: string, capability: string): Promise<string | null> {
  const res = expectOk(
    await t.gql(`query($p: String!, $c: Capability!) { activeModel(provider: $p, capability: $c) { id } }`, { p: provider, c: capability }),
  );
  return res.activeModel?.id ?? null;
}

async function historyCount(slug: string): Promise<number> {
  const [row] = await query(t, `select count(*)::int as n from activation_change c join provider p on p.id = c.provider_id where p.slug = $1`, [slug]);
  return row.n;
}

async function slots(slug: string): Promise<Record<string, { model_id: string | null; version: number }>> {
  const rows = await query(
    t,
    `select capability, model_id, version from activation_slot s join provider p on p.id = s.provider_id where p.slug = $1`,
    [slug],
  );
  return Object.fromEntries(rows.map((r) => [r.capability, { model_id: r.model_id, version: r.version }]));
}

async function deactivate(modelId: string, capabilities?: string[]) {
  return t.gql(
    `mutation($input: DeactivateModelInput!) { deactivateModel(input: $input) { model { id isActive activeCapabilities } changes { ${CHANGE_FIELDS} } } }`,
    { input: { modelId, ...(capabilities ? { capabilities } : {}) } },
  );
}

async function deleteModel(id: string) {
  return t.gql(`mutation($id: ID!) { deleteModel(id: $id) { id changes { ${CHANGE_FIELDS} } } }`, { id });
}

async function updateModel(input: Record<string, unknown>) {
  return t.gql(`mutation($input: UpdateModelInput!) { updateModel(input: $input) { id capabilities isActive activeCapabilities } }`, { input });
}

describe('activation is per slot', () => {
  let a: ModelRef;
  let b: ModelRef;
  beforeAll(async () => {
    await createProvider(t, 'per-slot');
    a = await createModel(t, 'per-slot', 'a', ['CHAT', 'CODE'], { active: true });
    b = await createModel(t, 'per-slot', 'b', ['CHAT', 'CONTENT']);
  });

  test('activating B for CHAT takes only CHAT from A; A keeps CODE', async () => {
    const res = expectOk(await activate(t, b.id, { capabilities: ['CHAT'] })).activateModel;
    expect(res.model).toEqual({ id: b.id, activeCapabilities: ['CHAT'] });
    expect(res.changes).toEqual([
      expect.objectContaining({ capability: 'CHAT', version: 2, changedBy: 'admin', model: { id: b.id, name: 'b' }, previousModel: { id: a.id, name: 'a' }, provider: { slug: 'per-slot' } }),
    ]);
    expect(res.deactivated).toEqual([{ id: a.id, name: 'a' }]);
    expect(await state(a.id)).toEqual({ isActive: true, activeCapabilities: ['CODE'] });
    expect(await state(b.id)).toEqual({ isActive: true, activeCapabilities: ['CHAT'] });
    expect(await holder('per-slot', 'CHAT')).toBe(b.id);
    expect(await holder('per-slot', 'CODE')).toBe(a.id);
  });

  test('a call that changes nothing returns no changes and writes no history row', async () => {
    const before = await historyCount('per-slot');
    const slotsBefore = await slots('per-slot');
    const res = expectOk(await activate(t, b.id, { capabilities: ['CHAT'] })).activateModel;
    expect(res.changes).toEqual([]);
    expect(res.deactivated).toEqual([]);
    expect(await historyCount('per-slot')).toBe(before);
    expect(await slots('per-slot')).toEqual(slotsBefore);
  });

  test("the default capabilities are all of the model's; only slots that really change are reported", async () => {
    // b already holds CHAT: only CONTENT changes (it was empty, so nobody is deactivated).
    const res = expectOk(await activate(t, b.id)).activateModel;
    expect(res.changes.map((c: any) => [c.capability, c.version, c.previousModel])).toEqual([['CONTENT', 1, null]]);
    expect(res.deactivated).toEqual([]);
    expect(res.model.activeCapabilities).toEqual(['CHAT', 'CONTENT']);
  });

  test('one change per changed slot, in capability order; deactivated lists each displaced model once', async () => {
    const c = await createModel(t, 'per-slot', 'c', ['CODE', 'CHAT', 'CONTENT']);
    const res = expectOk(await activate(t, c.id)).activateModel;
    expect(res.changes.map((x: any) => [x.capability, x.version, x.previousModel.id])).toEqual([
      ['CHAT', 3, b.id],
      ['CODE', 2, a.id],
      ['CONTENT', 2, b.id],
    ]);
    expect(res.deactivated.map((m: any) => m.id).sort()).toEqual([a.id, b.id].sort());
    expect(res.model.activeCapabilities).toEqual(['CHAT', 'CODE', 'CONTENT']);
    expect(await state(a.id)).toEqual({ isActive: false, activeCapabilities: [] });
    expect(await state(b.id)).toEqual({ isActive: false, activeCapabilities: [] });
    // Change cursors increase in commit order.
    const cursors = res.changes.map((x: any) => x.cursor);
    expect([...cursors].sort()).toEqual(cursors);
  });

  test('a capability the model lacks is BAD_USER_INPUT and changes nothing', async () => {
    const before = await slots('per-slot');
    const res = await activate(t, a.id, { capabilities: ['CHAT', 'IMAGE'] });
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(res.errors![0].message).toMatch(/IMAGE/);
    expect(await slots('per-slot')).toEqual(before);
  });

  test('an empty or repeated capability list is BAD_USER_INPUT', async () => {
    expect(errorCode(await activate(t, a.id, { capabilities: [] }))).toBe('BAD_USER_INPUT');
    expect(errorCode(await activate(t, a.id, { capabilities: ['CHAT', 'CHAT'] }))).toBe('BAD_USER_INPUT');
  });

  test('an unknown, malformed or deleted model id is NOT_FOUND', async () => {
    expect(errorCode(await activate(t, '00000000-0000-4000-8000-000000000000'))).toBe('NOT_FOUND');
    expect(errorCode(await activate(t, 'not-a-uuid'))).toBe('NOT_FOUND');
  });
});

describe('expectedVersion (compare-and-swap)', () => {
  let a: ModelRef;
  let b: ModelRef;
  beforeAll(async () => {
    await createProvider(t, 'cas');
    a = await createModel(t, 'cas', 'a', ['CHAT', 'CODE']);
    b = await createModel(t, 'cas', 'b', ['CHAT']);
  });

  test('0 for a never-held slot works', async () => {
    const res = expectOk(await activate(t, a.id, { capabilities: ['CHAT'], expectedVersion: 0 })).activateModel;
    expect(res.changes.map((c: any) => c.version)).toEqual([1]);
  });

  test('the current version works', async () => {
    const res = expectOk(await activate(t, b.id, { capabilities: ['CHAT'], expectedVersion: 1 })).activateModel;
    expect(res.changes.map((c: any) => [c.version, c.previousModel.id])).toEqual([[2, a.id]]);
  });

  test('a mismatch is CONFLICT (with the actual version) and nothing changes', async () => {
    const before = await slots('cas');
    const count = await historyCount('cas');
    for (const expectedVersion of [0, 1, 3]) {
      const res = await activate(t, a.id, { capabilities: ['CHAT'], expectedVersion });
      expect(errorCode(res)).toBe('CONFLICT');
      expect(res.errors![0].extensions!.actualVersion).toBe(2);
      expect(res.data).toBeNull();
    }
    expect(await slots('cas')).toEqual(before);
    expect(await historyCount('cas')).toBe(count);
    expect(await holder('cas', 'CHAT')).toBe(b.id);
  });

  test('more than one capability (given or defaulted) is BAD_USER_INPUT', async () => {
    const before = await slots('cas');
    const given = await activate(t, a.id, { capabilities: ['CHAT', 'CODE'], expectedVersion: 2 });
    expect(errorCode(given)).toBe('BAD_USER_INPUT');
    const defaulted = await activate(t, a.id, { expectedVersion: 2 });
    expect(errorCode(defaulted)).toBe('BAD_USER_INPUT');
    expect(await slots('cas')).toEqual(before);
  });

  test('with a single-capability model the default list is fine', async () => {
    const c = await createModel(t, 'cas', 'c', ['CHAT']);
    const res = expectOk(await activate(t, c.id, { expectedVersion: 2 })).activateModel;
    expect(res.changes.map((x: any) => x.version)).toEqual([3]);
  });

  test('a negative expectedVersion is BAD_USER_INPUT', async () => {
    expect(errorCode(await activate(t, a.id, { capabilities: ['CODE'], expectedVersion: -1 }))).toBe('BAD_USER_INPUT');
  });
});

describe('deactivateModel', () => {
  let a: ModelRef;
  beforeAll(async () => {
    await createProvider(t, 'deact');
    a = await createModel(t, 'deact', 'a', ['CHAT', 'CODE', 'IMAGE'], { active: true });
  });

  test('specific capabilities empty only those slots (version +1, model null)', async () => {
    const res = expectOk(await deactivate(a.id, ['CODE'])).deactivateModel;
    expect(res.changes).toEqual([expect.objectContaining({ capability: 'CODE', version: 2, model: null, previousModel: { id: a.id, name: 'a' } })]);
    expect(res.model.activeCapabilities).toEqual(['CHAT', 'IMAGE']);
    expect(await holder('deact', 'CODE')).toBeNull();
  });

  test('a slot the model does not hold is left alone (no change, no history row)', async () => {
    const count = await historyCount('deact');
    const res = expectOk(await deactivate(a.id, ['CODE'])).deactivateModel;
    expect(res.changes).toEqual([]);
    expect(await historyCount('deact')).toBe(count);
  });

  test("another model's slot is not emptied", async () => {
    const b = await createModel(t, 'deact', 'b', ['CHAT', 'CODE']);
    expectOk(await activate(t, b.id, { capabilities: ['CODE'] }));
    const res = expectOk(await deactivate(a.id, ['CODE'])).deactivateModel;
    expect(res.changes).toEqual([]);
    expect(await holder('deact', 'CODE')).toBe(b.id);
  });

  test('by default every slot the model holds is emptied', async () => {
    const res = expectOk(await deactivate(a.id)).deactivateModel;
    expect(res.changes.map((c: any) => [c.capability, c.version, c.model])).toEqual([
      ['CHAT', 2, null],
      ['IMAGE', 2, null],
    ]);
    expect(res.model).toEqual({ id: a.id, isActive: false, activeCapabilities: [] });
    const active = expectOk(await t.gql(`{ activeModels(provider: "deact") { capability model { id } } }`));
    expect(active.activeModels.map((s: any) => s.capability)).toEqual(['CODE']);
  });

  test('a capability the model lacks is BAD_USER_INPUT; an unknown model is NOT_FOUND', async () => {
    expect(errorCode(await deactivate(a.id, ['AUDIO']))).toBe('BAD_USER_INPUT');
    expect(errorCode(await deactivate('00000000-0000-4000-8000-000000000000'))).toBe('NOT_FOUND');
  });
});

describe('createModel(active: true) and updateModel', () => {
  beforeAll(async () => {
    await createProvider(t, 'lifecycle');
  });

  test('createModel(active: true) takes all its slots, displacing their holders, with a history row each', async () => {
    const old = await createModel(t, 'lifecycle', 'old', ['CHAT']);
    expectOk(await activate(t, old.id));
    const res = expectOk(
      await t.gql(
        `mutation { createModel(input: {provider: "lifecycle", name: "fresh", modelId: "x/fresh", capabilities: [CODE, CHAT], active: true}) { id isActive activeCapabilities displayName } }`,
      ),
    ).createModel;
    expect(res).toMatchObject({ isActive: true, activeCapabilities: ['CHAT', 'CODE'], displayName: 'fresh' });
    const rows = await query(
      t,
      `select c.capability, c.version, c.model_id, c.previous_model_id from activation_change c join provider p on p.id = c.provider_id
        where p.slug = 'lifecycle' order by c.id`,
    );
    expect(rows).toEqual([
      { capability: 'CHAT', version: 1, model_id: old.id, previous_model_id: null },
      { capability: 'CHAT', version: 2, model_id: res.id, previous_model_id: old.id },
      { capability: 'CODE', version: 1, model_id: res.id, previous_model_id: null },
    ]);
  });

  test('createModel without active holds nothing', async () => {
    const res = expectOk(
      await t.gql(`mutation { createModel(input: {provider: "lifecycle", name: "idle", modelId: "x/idle", capabilities: [AUDIO]}) { isActive activeCapabilities } }`),
    ).createModel;
    expect(res).toEqual({ isActive: false, activeCapabilities: [] });
    expect(await holder('lifecycle', 'AUDIO')).toBeNull();
  });

  test('a failed createModel(active: true) (duplicate name) leaves neither a model nor a change behind', async () => {
    const count = await historyCount('lifecycle');
    const before = await slots('lifecycle');
    const res = await t.gql(
      `mutation { createModel(input: {provider: "lifecycle", name: "fresh", modelId: "x/again", capabilities: [IMAGE], active: true}) { id } }`,
    );
    expect(errorCode(res)).toBe('CONFLICT');
    expect(await historyCount('lifecycle')).toBe(count);
    expect(await slots('lifecycle')).toEqual(before);
    const [n] = await query(t, `select count(*)::int as n from ai_model where name = 'fresh'`);
    expect(n.n).toBe(1);
  });

  test('updateModel dropping a held capability empties that slot (model null, version +1)', async () => {
    const m = await createModel(t, 'lifecycle', 'shrinks', ['CONTENT', 'IMAGE', 'EMBEDDING'], { active: true });
    const before = await slots('lifecycle');
    const res = expectOk(await updateModel({ id: m.id, capabilities: ['CONTENT', 'EMBEDDING'] })).updateModel;
    expect(res).toEqual({ id: m.id, capabilities: ['CONTENT', 'EMBEDDING'], isActive: true, activeCapabilities: ['CONTENT', 'EMBEDDING'] });
    const after = await slots('lifecycle');
    expect(after.IMAGE).toEqual({ model_id: null, version: before.IMAGE.version + 1 });
    expect(after.CONTENT).toEqual(before.CONTENT);
    const page = expectOk(
      await t.gql(`{ activationHistory(provider: "lifecycle", capability: IMAGE, first: 1) { edges { node { version model { id } previousModel { id } } } } }`),
    );
    expect(page.activationHistory.edges[0].node).toEqual({ version: before.IMAGE.version + 1, model: null, previousModel: { id: m.id } });
    expect(await holder('lifecycle', 'IMAGE')).toBeNull();
  });

  test('updateModel adding a capability or dropping one it does not hold changes no slot', async () => {
    const m = await createModel(t, 'lifecycle', 'grows', ['AUDIO', 'EMBEDDING']);
    const count = await historyCount('lifecycle');
    const res = expectOk(await updateModel({ id: m.id, capabilities: ['AUDIO', 'IMAGE'], displayName: 'Grows' })).updateModel;
    expect(res).toMatchObject({ capabilities: ['AUDIO', 'IMAGE'], isActive: false });
    expect(await historyCount('lifecycle')).toBe(count);
  });

  test('updateModel validates like createModel', async () => {
    const m = await createModel(t, 'lifecycle', 'valid', ['CHAT']);
    expect(errorCode(await updateModel({ id: m.id, capabilities: [] }))).toBe('BAD_USER_INPUT');
    expect(errorCode(await updateModel({ id: m.id, capabilities: ['CHAT', 'CHAT'] }))).toBe('BAD_USER_INPUT');
    expect(errorCode(await updateModel({ id: '00000000-0000-4000-8000-000000000000', displayName: 'x' }))).toBe('NOT_FOUND');
  });
});

describe('deleteModel (soft delete)', () => {
  let a: ModelRef;
  let b: ModelRef;
  let deletedChanges: any[];
  beforeAll(async () => {
    await createProvider(t, 'soft');
    a = await createModel(t, 'soft', 'a', ['CHAT', 'CODE', 'IMAGE'], { active: true });
    b = await createModel(t, 'soft', 'b', ['IMAGE'], { active: true }); // takes IMAGE from a
    const res = expectOk(await deleteModel(a.id)).deleteModel;
    expect(res.id).toBe(a.id);
    deletedChanges = res.changes;
  });

  test('DeleteModelPayload.changes lists the slots it held, now empty', () => {
    expect(deletedChanges.map((c) => [c.capability, c.version, c.model, c.previousModel.id])).toEqual([
      ['CHAT', 2, null, a.id],
      ['CODE', 2, null, a.id],
    ]);
  });

  test('model(id) is null and it is gone from provider.models; other models stay', async () => {
    const res = expectOk(
      await t.gql(`query($id: ID!) { model(id: $id) { id } provider(slug: "soft") { models { id } activeModels { capability model { id } } } }`, { id: a.id }),
    );
    expect(res.model).toBeNull();
    expect(res.provider.models).toEqual([{ id: b.id }]);
    expect(res.provider.activeModels).toEqual([{ capability: 'IMAGE', model: { id: b.id } }]);
  });

  test('it can no longer be activated, deactivated, updated or deleted: NOT_FOUND', async () => {
    expect(errorCode(await activate(t, a.id))).toBe('NOT_FOUND');
    expect(errorCode(await deactivate(a.id))).toBe('NOT_FOUND');
    expect(errorCode(await updateModel({ id: a.id, displayName: 'zombie' }))).toBe('NOT_FOUND');
    expect(errorCode(await deleteModel(a.id))).toBe('NOT_FOUND');
  });

  test('the history still shows it as model and previousModel', async () => {
    const res = expectOk(
      await t.gql(`{ activationHistory(provider: "soft") { edges { node { capability version model { id name } previousModel { id name } } } } }`),
    );
    const nodes = res.activationHistory.edges.map((e: any) => e.node);
    expect(nodes).toEqual(
      expect.arrayContaining([
        { capability: 'CHAT', version: 1, model: { id: a.id, name: 'a' }, previousModel: null },
        { capability: 'CHAT', version: 2, model: null, previousModel: { id: a.id, name: 'a' } },
        { capability: 'IMAGE', version: 2, model: { id: b.id, name: 'b' }, previousModel: { id: a.id, name: 'a' } },
      ]),
    );
    expect(nodes).toHaveLength(6);
  });

  test('its name can be used again by a new model', async () => {
    const again = await createModel(t, 'soft', 'a', ['CHAT']);
    expect(again.id).not.toBe(a.id);
  });

  test('deleting a model that holds nothing writes no history row', async () => {
    const idle = await createModel(t, 'soft', 'idle', ['AUDIO']);
    const count = await historyCount('soft');
    expect(expectOk(await deleteModel(idle.id)).deleteModel.changes).toEqual([]);
    expect(await historyCount('soft')).toBe(count);
  });
});

describe('activeModels', () => {
  test('lists held slots only, ordered by provider slug, then capability in enum order', async () => {
    // Created out of order, activated out of order.
    for (const slug of ['order-zeta', 'order-alpha', 'order-mid']) await createProvider(t, slug);
    const zEmb = await createModel(t, 'order-zeta', 'emb', ['EMBEDDING'], { active: true });
    const zChat = await createModel(t, 'order-zeta', 'chat', ['CHAT'], { active: true });
    const aAudio = await createModel(t, 'order-alpha', 'audio', ['AUDIO'], { active: true });
    const aCode = await createModel(t, 'order-alpha', 'code', ['CODE', 'IMAGE'], { active: true });
    await createModel(t, 'order-mid', 'idle', ['CHAT']); // order-mid holds nothing

    const all = expectOk(await t.gql(`{ activeModels { provider { slug } capability version activatedBy model { id } } }`)).activeModels;
    const ours = all.filter((s: any) => s.provider.slug.startsWith('order-'));
    expect(ours.map((s: any) => [s.provider.slug, s.capability, s.model.id])).toEqual([
      ['order-alpha', 'CODE', aCode.id],
      ['order-alpha', 'IMAGE', aCode.id],
      ['order-alpha', 'AUDIO', aAudio.id],
      ['order-zeta', 'CHAT', zChat.id],
      ['order-zeta', 'EMBEDDING', zEmb.id],
    ]);
    for (const s of ours) expect(s).toMatchObject({ version: 1, activatedBy: 'admin' });

    // The whole list follows the same order and has no empty slot.
    const CAPS = ['CHAT', 'CODE', 'CONTENT', 'IMAGE', 'AUDIO', 'EMBEDDING'];
    const keys = all.map((s: any) => [s.provider.slug, CAPS.indexOf(s.capability)]);
    const sorted = [...keys].sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : x[1] - y[1]));
    expect(keys).toEqual(sorted);
    const [held] = await query(t, `select count(*)::int as n from activation_slot where model_id is not null`);
    expect(all).toHaveLength(held.n);

    const one = expectOk(await t.gql(`{ activeModels(provider: "order-zeta") { capability } }`)).activeModels;
    expect(one.map((s: any) => s.capability)).toEqual(['CHAT', 'EMBEDDING']);
    expect(expectOk(await t.gql(`{ activeModels(provider: "order-mid") { capability } }`)).activeModels).toEqual([]);
  });
});

describe('activeModel(at:)', () => {
  let a: ModelRef;
  let b: ModelRef;
  let changedAt: string[];
  beforeAll(async () => {
    await createProvider(t, 'timeline');
    a = await createModel(t, 'timeline', 'a', ['CHAT']);
    b = await createModel(t, 'timeline', 'b', ['CHAT']);
    changedAt = [];
    const steps = [
      () => activate(t, a.id),
      () => activate(t, b.id),
      () => deactivate(b.id),
      () => activate(t, a.id),
    ];
    for (const step of steps) {
      await sleep(30);
      const res = expectOk(await step()) as any;
      const payload = res.activateModel ?? res.deactivateModel;
      expect(payload.changes).toHaveLength(1);
      changedAt.push(await lastChangedAt());
      await sleep(30);
    }
  });

  async function lastChangedAt(): Promise<string> {
    const res = expectOk(await t.gql(`{ activationHistory(provider: "timeline", first: 1) { edges { node { changedAt } } } }`));
    return res.activationHistory.edges[0].node.changedAt;
  }

  async function at(instant: Date | string): Promise<string | null> {
    const iso = typeof instant === 'string' ? instant : instant.toISOString();
    const res = expectOk(await t.gql(`query($at: DateTime) { activeModel(provider: "timeline", capability: CHAT, at: $at) { id } }`, { at: iso }));
    return res.activeModel?.id ?? null;
  }

  const shift = (iso: string, ms: number) => new Date(new Date(iso).getTime() + ms);

  test('before the first change: null', async () => {
    expect(await at(shift(changedAt[0], -15))).toBeNull();
    expect(await at('2000-01-01T00:00:00Z')).toBeNull();
  });

  test('between changes: the model of the latest change at or before T (an emptied slot is null)', async () => {
    expect(await at(shift(changedAt[0], 15))).toBe(a.id);
    expect(await at(shift(changedAt[1], 15))).toBe(b.id);
    expect(await at(shift(changedAt[2], 15))).toBe(null);
    expect(await at(shift(changedAt[3], 15))).toBe(a.id);
  });

  test('at exactly the changedAt the API reported: that change counts (changedAt <= T)', async () => {
    expect(await at(changedAt[0])).toBe(a.id);
    expect(await at(changedAt[1])).toBe(b.id);
    expect(await at(changedAt[2])).toBe(null);
    expect(await at(changedAt[3])).toBe(a.id);
  });

  test('a future instant answers the present', async () => {
    expect(await at(new Date(Date.now() + 24 * 3600_000))).toBe(a.id);
    expectOk(await activate(t, b.id));
    expect(await at(new Date(Date.now() + 24 * 3600_000))).toBe(b.id);
    expect(await holder('timeline', 'CHAT')).toBe(b.id);
  });

  test('a malformed instant is a coded client error, not a 500', async () => {
    const res = await t.gql(`query($at: DateTime) { activeModel(provider: "timeline", capability: CHAT, at: $at) { id } }`, { at: 'yesterday' });
    expect(res.status).toBeLessThan(500);
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
  });
});

describe('activationHistory', () => {
  const models: ModelRef[] = [];
  let all: { cursor: string; node: any }[];
  beforeAll(async () => {
    await createProvider(t, 'paged');
    for (let i = 0; i < 3; i++) models.push(await createModel(t, 'paged', `m${i}`, ['CHAT', 'CODE']));
    // 7 changes: CHAT m0, CODE m0 (v1 each), CHAT m1, CHAT m2, CODE m2, CHAT emptied, CODE m1.
    expectOk(await activate(t, models[0].id));
    expectOk(await activate(t, models[1].id, { capabilities: ['CHAT'] }));
    expectOk(await activate(t, models[2].id));
    expectOk(await deactivate(models[2].id, ['CHAT']));
    expectOk(await activate(t, models[1].id, { capabilities: ['CODE'] }));
    all = expectOk(
      await t.gql(`{ activationHistory(provider: "paged", first: 100) { edges { cursor node { cursor capability version model { name } } } pageInfo { hasNextPage endCursor } } }`),
    ).activationHistory.edges;
  });

  test('newest first, in commit order; the edge cursor is the node cursor', () => {
    expect(all.map((e) => [e.node.capability, e.node.version, e.node.model?.name ?? null])).toEqual([
      ['CODE', 3, 'm1'],
      ['CHAT', 4, null],
      ['CODE', 2, 'm2'],
      ['CHAT', 3, 'm2'],
      ['CHAT', 2, 'm1'],
      ['CODE', 1, 'm0'],
      ['CHAT', 1, 'm0'],
    ]);
    for (const e of all) expect(e.cursor).toBe(e.node.cursor);
    const cursors = all.map((e) => e.cursor);
    expect([...cursors].sort().reverse()).toEqual(cursors);
  });

  test('first/after pages through everything once; hasNextPage and endCursor tell where a page ends', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    const pages: { n: number; hasNextPage: boolean }[] = [];
    for (;;) {
      const res: any = expectOk(
        await t.gql(`query($after: String) { activationHistory(provider: "paged", first: 3, after: $after) { edges { cursor } pageInfo { hasNextPage endCursor } } }`, { after }),
      );
      const { edges, pageInfo } = res.activationHistory;
      seen.push(...edges.map((e: any) => e.cursor));
      pages.push({ n: edges.length, hasNextPage: pageInfo.hasNextPage });
      expect(pageInfo.endCursor).toBe(edges.at(-1)?.cursor ?? null);
      if (!pageInfo.hasNextPage) break;
      after = pageInfo.endCursor;
    }
    expect(pages).toEqual([
      { n: 3, hasNextPage: true },
      { n: 3, hasNextPage: true },
      { n: 1, hasNextPage: false },
    ]);
    expect(seen).toEqual(all.map((e) => e.cursor));
  });

  test('an exactly full last page says hasNextPage false; after the last cursor the page is empty', async () => {
    const full: any = expectOk(await t.gql(`{ activationHistory(provider: "paged", first: 7) { edges { cursor } pageInfo { hasNextPage endCursor } } }`));
    expect(full.activationHistory.edges).toHaveLength(7);
    expect(full.activationHistory.pageInfo.hasNextPage).toBe(false);
    const empty: any = expectOk(
      await t.gql(`query($after: String) { activationHistory(provider: "paged", after: $after) { edges { cursor } pageInfo { hasNextPage endCursor } } }`, {
        after: full.activationHistory.pageInfo.endCursor,
      }),
    );
    expect(empty.activationHistory).toEqual({ edges: [], pageInfo: { hasNextPage: false, endCursor: null } });
  });

  test('the capability filter keeps one slot; the default page size is 20', async () => {
    const code: any = expectOk(await t.gql(`{ activationHistory(provider: "paged", capability: CODE) { edges { node { capability version } } } }`));
    expect(code.activationHistory.edges.map((e: any) => e.node.version)).toEqual([3, 2, 1]);
    expect(code.activationHistory.edges.every((e: any) => e.node.capability === 'CODE')).toBe(true);

    await createProvider(t, 'paged-many');
    const m = [await createModel(t, 'paged-many', 'x', ['CHAT']), await createModel(t, 'paged-many', 'y', ['CHAT'])];
    for (let i = 0; i < 22; i++) expectOk(await activate(t, m[i % 2].id));
    const page: any = expectOk(await t.gql(`{ activationHistory(provider: "paged-many") { edges { node { version } } pageInfo { hasNextPage } } }`));
    expect(page.activationHistory.edges).toHaveLength(20);
    expect(page.activationHistory.edges[0].node.version).toBe(22);
    expect(page.activationHistory.pageInfo.hasNextPage).toBe(true);
  });

  test.each([0, -1, 101, 1000])('first: %d is BAD_USER_INPUT', async (first) => {
    const res = await t.gql(`query($first: Int) { activationHistory(provider: "paged", first: $first) { edges { cursor } } }`, { first });
    expect(res.status).toBeLessThan(500);
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
  });

  test.each([1, 100])('first: %d is accepted', async (first) => {
    expectOk(await t.gql(`query($first: Int) { activationHistory(provider: "paged", first: $first) { edges { cursor } } }`, { first }));
  });

  test.each(['abc', '', '-1', '1.5', '99999999999999999999', ' 1', 'MDAwMQ=='])('after: %j is BAD_USER_INPUT', async (after) => {
    const res = await t.gql(`query($after: String) { activationHistory(provider: "paged", after: $after) { edges { cursor } } }`, { after });
    expect(res.status).toBeLessThan(500);
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
  });
});

describe('an unknown provider', () => {
  test.each([
    ['activeModel', `{ activeModel(provider: "nope", capability: CHAT) { id } }`],
    ['activeModel(at:)', `{ activeModel(provider: "nope", capability: CHAT, at: "2020-01-01T00:00:00Z") { id } }`],
    ['activeModels(provider:)', `{ activeModels(provider: "nope") { capability } }`],
    ['activationHistory', `{ activationHistory(provider: "nope") { edges { cursor } } }`],
    ['createModel', `mutation { createModel(input: {provider: "nope", name: "m", modelId: "m", capabilities: [CHAT]}) { id } }`],
  ])('is NOT_FOUND in %s', async (_label, q) => {
    const res = await t.gql(q);
    expect(res.status).toBe(200);
    expect(errorCode(res)).toBe('NOT_FOUND');
    expect(res.errors![0].message).toMatch(/nope/);
  });

  test('provider(slug:) answers null (it is nullable by contract)', async () => {
    expect(expectOk(await t.gql(`{ provider(slug: "nope") { id } }`)).provider).toBeNull();
  });
});
