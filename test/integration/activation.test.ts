import { startTestServer, type GqlResult, type TestServer } from '../helpers/test-server';
import { activate, createModel, createProvider, errorCode, expectOk, query, type ModelRef } from '../helpers/factories';
import { waitFor } from '../helpers/wait';
import {
  ActiveModelDocument,
  ActiveModelsDocument,
  CreateModelSlotsDocument,
  DeactivateModelChangesDocument,
  DeleteModelChangesDocument,
  HistoryCursorsDocument,
  HistoryNodesDocument,
  ModelAndProviderModelsDocument,
  ModelStateDocument,
  ProviderIdDocument,
  UpdateModelSlotsDocument,
  type Capability,
  type CreateModelInput,
  type HistoryCursorsQuery,
  type HistoryNodesQuery,
  type UpdateModelInput,
} from '../generated/graphql';

/** What activating, deactivating, editing and deleting models does to slots and history, as a client sees it. */

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t?.close());

/** A provider slug no other test uses, so every test seeds exactly what it needs. */
let providers = 0;
async function freshProvider(prefix: string): Promise<string> {
  const slug = `${prefix}-${++providers}`;
  await createProvider(t, slug);
  return slug;
}

async function state(id: string): Promise<{ isActive: boolean; activeCapabilities: string[] } | null> {
  return expectOk(await t.op(ModelStateDocument, { id })).model ?? null;
}

async function holder(provider: string, capability: Capability): Promise<string | null> {
  return expectOk(await t.op(ActiveModelDocument, { provider, capability })).activeModel?.id ?? null;
}

async function historyCount(slug: string): Promise<number> {
  const [row] = await query(t, `select count(*)::int as n from activation_change c join provider p on p.id = c.provider_id where p.slug = $1`, [
    slug,
  ]);
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

async function deactivate(modelId: string, capabilities?: Capability[]) {
  return t.op(DeactivateModelChangesDocument, { input: { modelId, ...(capabilities ? { capabilities } : {}) } });
}

async function deleteModel(id: string) {
  return t.op(DeleteModelChangesDocument, { id });
}

async function updateModel(input: UpdateModelInput) {
  return t.op(UpdateModelSlotsDocument, { input });
}

async function createModelSlots(input: CreateModelInput) {
  return t.op(CreateModelSlotsDocument, { input });
}

describe('activation is per slot', () => {
  /** a (CHAT, CODE) holds both; b (CHAT, CONTENT) then takes CHAT (step 1) and its default list (step 2). */
  async function seed(steps: 0 | 1 | 2) {
    const slug = await freshProvider('per-slot');
    const a = await createModel(t, slug, 'a', ['CHAT', 'CODE'], { active: true });
    const b = await createModel(t, slug, 'b', ['CHAT', 'CONTENT']);
    if (steps >= 1) expectOk(await activate(t, b.id, { capabilities: ['CHAT'] }));
    if (steps >= 2) expectOk(await activate(t, b.id));
    return { slug, a, b };
  }

  test('activating B for CHAT takes only CHAT from A; A keeps CODE', async () => {
    const { slug, a, b } = await seed(0);
    const res = expectOk(await activate(t, b.id, { capabilities: ['CHAT'] })).activateModel;
    expect(res.model).toEqual({ id: b.id, activeCapabilities: ['CHAT'] });
    expect(res.changes).toEqual([
      expect.objectContaining({
        capability: 'CHAT',
        version: 2,
        changedBy: 'admin',
        model: { id: b.id, name: 'b' },
        previousModel: { id: a.id, name: 'a' },
        provider: { slug },
      }),
    ]);
    expect(res.deactivated).toEqual([{ id: a.id, name: 'a' }]);
    expect(await state(a.id)).toEqual({ isActive: true, activeCapabilities: ['CODE'] });
    expect(await state(b.id)).toEqual({ isActive: true, activeCapabilities: ['CHAT'] });
    expect(await holder(slug, 'CHAT')).toBe(b.id);
    expect(await holder(slug, 'CODE')).toBe(a.id);
  });

  test('a call that changes nothing returns no changes and writes no history row', async () => {
    const { slug, b } = await seed(1);
    const before = await historyCount(slug);
    const slotsBefore = await slots(slug);
    const res = expectOk(await activate(t, b.id, { capabilities: ['CHAT'] })).activateModel;
    expect(res.changes).toEqual([]);
    expect(res.deactivated).toEqual([]);
    expect(await historyCount(slug)).toBe(before);
    expect(await slots(slug)).toEqual(slotsBefore);
  });

  test("the default capabilities are all of the model's; only slots that really change are reported", async () => {
    // b already holds CHAT: only CONTENT changes (it was empty, so nobody is deactivated).
    const { b } = await seed(1);
    const res = expectOk(await activate(t, b.id)).activateModel;
    expect(res.changes.map((c) => [c.capability, c.version, c.previousModel])).toEqual([['CONTENT', 1, null]]);
    expect(res.deactivated).toEqual([]);
    expect(res.model.activeCapabilities).toEqual(['CHAT', 'CONTENT']);
  });

  test('one change per changed slot, in capability order; deactivated lists each displaced model once', async () => {
    // a holds CODE (v1); b holds CHAT (v2) and CONTENT (v1).
    const { slug, a, b } = await seed(2);
    const c = await createModel(t, slug, 'c', ['CODE', 'CHAT', 'CONTENT']);
    const res = expectOk(await activate(t, c.id)).activateModel;
    expect(res.changes.map((x) => [x.capability, x.version, x.previousModel?.id])).toEqual([
      ['CHAT', 3, b.id],
      ['CODE', 2, a.id],
      ['CONTENT', 2, b.id],
    ]);
    expect(res.deactivated.map((m) => m.id).sort()).toEqual([a.id, b.id].sort());
    expect(res.model.activeCapabilities).toEqual(['CHAT', 'CODE', 'CONTENT']);
    expect(await state(a.id)).toEqual({ isActive: false, activeCapabilities: [] });
    expect(await state(b.id)).toEqual({ isActive: false, activeCapabilities: [] });
    // Change cursors increase in commit order.
    const cursors = res.changes.map((x) => x.cursor);
    expect([...cursors].sort()).toEqual(cursors);
  });

  test('a capability the model lacks is BAD_USER_INPUT and changes nothing', async () => {
    const { slug, a } = await seed(1);
    const before = await slots(slug);
    const res = await activate(t, a.id, { capabilities: ['CHAT', 'IMAGE'] });
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(res.errors![0].message).toMatch(/IMAGE/);
    expect(await slots(slug)).toEqual(before);
  });

  test('an empty or repeated capability list is BAD_USER_INPUT', async () => {
    const { a } = await seed(0);
    expect(errorCode(await activate(t, a.id, { capabilities: [] }))).toBe('BAD_USER_INPUT');
    expect(errorCode(await activate(t, a.id, { capabilities: ['CHAT', 'CHAT'] }))).toBe('BAD_USER_INPUT');
  });

  test('an unknown, malformed or deleted model id is NOT_FOUND', async () => {
    expect(errorCode(await activate(t, '00000000-0000-4000-8000-000000000000'))).toBe('NOT_FOUND');
    expect(errorCode(await activate(t, 'not-a-uuid'))).toBe('NOT_FOUND');
  });
});

describe('expectedVersion (compare-and-swap)', () => {
  /** a (CHAT, CODE) and b (CHAT); step 1: a takes CHAT (v1); step 2: b takes it (v2). */
  async function seed(steps: 0 | 1 | 2) {
    const slug = await freshProvider('cas');
    const a = await createModel(t, slug, 'a', ['CHAT', 'CODE']);
    const b = await createModel(t, slug, 'b', ['CHAT']);
    if (steps >= 1) expectOk(await activate(t, a.id, { capabilities: ['CHAT'] }));
    if (steps >= 2) expectOk(await activate(t, b.id, { capabilities: ['CHAT'] }));
    return { slug, a, b };
  }

  test('0 for a never-held slot works', async () => {
    const { a } = await seed(0);
    const res = expectOk(await activate(t, a.id, { capabilities: ['CHAT'], expectedVersion: 0 })).activateModel;
    expect(res.changes.map((c) => c.version)).toEqual([1]);
  });

  test('the current version works', async () => {
    const { a, b } = await seed(1);
    const res = expectOk(await activate(t, b.id, { capabilities: ['CHAT'], expectedVersion: 1 })).activateModel;
    expect(res.changes.map((c) => [c.version, c.previousModel?.id])).toEqual([[2, a.id]]);
  });

  test('a mismatch is CONFLICT (with the actual version) and nothing changes', async () => {
    const { slug, a, b } = await seed(2);
    const before = await slots(slug);
    const count = await historyCount(slug);
    for (const expectedVersion of [0, 1, 3]) {
      const res = await activate(t, a.id, { capabilities: ['CHAT'], expectedVersion });
      expect(errorCode(res)).toBe('CONFLICT');
      expect(res.errors![0].extensions!.actualVersion).toBe(2);
      expect(res.data).toBeNull();
    }
    expect(await slots(slug)).toEqual(before);
    expect(await historyCount(slug)).toBe(count);
    expect(await holder(slug, 'CHAT')).toBe(b.id);
  });

  test('more than one capability (given or defaulted) is BAD_USER_INPUT', async () => {
    const { slug, a } = await seed(2);
    const before = await slots(slug);
    const given = await activate(t, a.id, { capabilities: ['CHAT', 'CODE'], expectedVersion: 2 });
    expect(errorCode(given)).toBe('BAD_USER_INPUT');
    const defaulted = await activate(t, a.id, { expectedVersion: 2 });
    expect(errorCode(defaulted)).toBe('BAD_USER_INPUT');
    expect(await slots(slug)).toEqual(before);
  });

  test('with a single-capability model the default list is fine', async () => {
    const { slug } = await seed(2);
    const c = await createModel(t, slug, 'c', ['CHAT']);
    const res = expectOk(await activate(t, c.id, { expectedVersion: 2 })).activateModel;
    expect(res.changes.map((x) => x.version)).toEqual([3]);
  });

  test('a negative expectedVersion is BAD_USER_INPUT', async () => {
    const { a } = await seed(0);
    expect(errorCode(await activate(t, a.id, { capabilities: ['CODE'], expectedVersion: -1 }))).toBe('BAD_USER_INPUT');
  });
});

describe('deactivateModel', () => {
  /** a (CHAT, CODE, IMAGE) holds all three. */
  async function seed() {
    const slug = await freshProvider('deact');
    const a = await createModel(t, slug, 'a', ['CHAT', 'CODE', 'IMAGE'], { active: true });
    return { slug, a };
  }

  test('specific capabilities empty only those slots (version +1, model null)', async () => {
    const { slug, a } = await seed();
    const res = expectOk(await deactivate(a.id, ['CODE'])).deactivateModel;
    expect(res.changes).toEqual([
      expect.objectContaining({ capability: 'CODE', version: 2, model: null, previousModel: { id: a.id, name: 'a' } }),
    ]);
    expect(res.model.activeCapabilities).toEqual(['CHAT', 'IMAGE']);
    expect(await holder(slug, 'CODE')).toBeNull();
  });

  test('a slot the model does not hold is left alone (no change, no history row)', async () => {
    const { slug, a } = await seed();
    expectOk(await deactivate(a.id, ['CODE']));
    const count = await historyCount(slug);
    const res = expectOk(await deactivate(a.id, ['CODE'])).deactivateModel;
    expect(res.changes).toEqual([]);
    expect(await historyCount(slug)).toBe(count);
  });

  test("another model's slot is not emptied", async () => {
    const { slug, a } = await seed();
    const b = await createModel(t, slug, 'b', ['CHAT', 'CODE']);
    expectOk(await activate(t, b.id, { capabilities: ['CODE'] }));
    const res = expectOk(await deactivate(a.id, ['CODE'])).deactivateModel;
    expect(res.changes).toEqual([]);
    expect(await holder(slug, 'CODE')).toBe(b.id);
  });

  test('by default every slot the model holds is emptied', async () => {
    const { slug, a } = await seed();
    const b = await createModel(t, slug, 'b', ['CHAT', 'CODE']);
    expectOk(await activate(t, b.id, { capabilities: ['CODE'] }));
    const res = expectOk(await deactivate(a.id)).deactivateModel;
    expect(res.changes.map((c) => [c.capability, c.version, c.model])).toEqual([
      ['CHAT', 2, null],
      ['IMAGE', 2, null],
    ]);
    expect(res.model).toEqual({ id: a.id, isActive: false, activeCapabilities: [] });
    const active = expectOk(await t.op(ActiveModelsDocument, { provider: slug }));
    expect(active.activeModels.map((s) => s.capability)).toEqual(['CODE']);
  });

  test('a capability the model lacks is BAD_USER_INPUT; an unknown model is NOT_FOUND', async () => {
    const { a } = await seed();
    expect(errorCode(await deactivate(a.id, ['AUDIO']))).toBe('BAD_USER_INPUT');
    expect(errorCode(await deactivate('00000000-0000-4000-8000-000000000000'))).toBe('NOT_FOUND');
  });
});

describe('createModel(active: true) and updateModel', () => {
  test('createModel(active: true) takes all its slots, displacing their holders, with a history row each', async () => {
    const slug = await freshProvider('lifecycle');
    const old = await createModel(t, slug, 'old', ['CHAT']);
    expectOk(await activate(t, old.id));
    const res = expectOk(
      await createModelSlots({ provider: slug, name: 'fresh', modelId: 'x/fresh', capabilities: ['CODE', 'CHAT'], active: true }),
    ).createModel;
    expect(res).toMatchObject({ isActive: true, activeCapabilities: ['CHAT', 'CODE'], displayName: 'fresh' });
    const rows = await query(
      t,
      `select c.capability, c.version, c.model_id, c.previous_model_id from activation_change c join provider p on p.id = c.provider_id
        where p.slug = $1 order by c.id`,
      [slug],
    );
    expect(rows).toEqual([
      { capability: 'CHAT', version: 1, model_id: old.id, previous_model_id: null },
      { capability: 'CHAT', version: 2, model_id: res.id, previous_model_id: old.id },
      { capability: 'CODE', version: 1, model_id: res.id, previous_model_id: null },
    ]);
  });

  test('createModel without active holds nothing', async () => {
    const slug = await freshProvider('lifecycle');
    const res = expectOk(await createModelSlots({ provider: slug, name: 'idle', modelId: 'x/idle', capabilities: ['AUDIO'] })).createModel;
    expect(res).toMatchObject({ isActive: false, activeCapabilities: [] });
    expect(await holder(slug, 'AUDIO')).toBeNull();
  });

  test('a failed createModel(active: true) (duplicate name) leaves neither a model nor a change behind', async () => {
    const slug = await freshProvider('lifecycle');
    expectOk(await createModelSlots({ provider: slug, name: 'fresh', modelId: 'x/fresh', capabilities: ['CODE', 'CHAT'], active: true }));
    const count = await historyCount(slug);
    const before = await slots(slug);
    const res = await createModelSlots({ provider: slug, name: 'fresh', modelId: 'x/again', capabilities: ['IMAGE'], active: true });
    expect(errorCode(res)).toBe('CONFLICT');
    expect(await historyCount(slug)).toBe(count);
    expect(await slots(slug)).toEqual(before);
    const [n] = await query(
      t,
      `select count(*)::int as n from ai_model m join provider p on p.id = m.provider_id where m.name = 'fresh' and p.slug = $1`,
      [slug],
    );
    expect(n.n).toBe(1);
  });

  test('updateModel dropping a held capability empties that slot (model null, version +1)', async () => {
    const slug = await freshProvider('lifecycle');
    const m = await createModel(t, slug, 'shrinks', ['CONTENT', 'IMAGE', 'EMBEDDING'], { active: true });
    const before = await slots(slug);
    const res = expectOk(await updateModel({ id: m.id, capabilities: ['CONTENT', 'EMBEDDING'] })).updateModel;
    expect(res).toEqual({ id: m.id, capabilities: ['CONTENT', 'EMBEDDING'], isActive: true, activeCapabilities: ['CONTENT', 'EMBEDDING'] });
    const after = await slots(slug);
    expect(after.IMAGE).toEqual({ model_id: null, version: before.IMAGE.version + 1 });
    expect(after.CONTENT).toEqual(before.CONTENT);
    const page = expectOk(await t.op(HistoryNodesDocument, { provider: slug, capability: 'IMAGE', first: 1 }));
    expect(page.activationHistory.edges[0].node).toMatchObject({ version: before.IMAGE.version + 1, model: null, previousModel: { id: m.id } });
    expect(await holder(slug, 'IMAGE')).toBeNull();
  });

  test('updateModel adding a capability or dropping one it does not hold changes no slot', async () => {
    const slug = await freshProvider('lifecycle');
    const m = await createModel(t, slug, 'grows', ['AUDIO', 'EMBEDDING']);
    const count = await historyCount(slug);
    const res = expectOk(await updateModel({ id: m.id, capabilities: ['AUDIO', 'IMAGE'], displayName: 'Grows' })).updateModel;
    expect(res).toMatchObject({ capabilities: ['AUDIO', 'IMAGE'], isActive: false });
    expect(await historyCount(slug)).toBe(count);
  });

  test('updateModel validates like createModel', async () => {
    const slug = await freshProvider('lifecycle');
    const m = await createModel(t, slug, 'valid', ['CHAT']);
    expect(errorCode(await updateModel({ id: m.id, capabilities: [] }))).toBe('BAD_USER_INPUT');
    expect(errorCode(await updateModel({ id: m.id, capabilities: ['CHAT', 'CHAT'] }))).toBe('BAD_USER_INPUT');
    expect(errorCode(await updateModel({ id: '00000000-0000-4000-8000-000000000000', displayName: 'x' }))).toBe('NOT_FOUND');
  });
});

describe('deleteModel (soft delete)', () => {
  let a: ModelRef;
  let b: ModelRef;
  let deletedChanges: { capability: string; version: number; model?: unknown; previousModel?: { id: string } | null }[];
  beforeAll(async () => {
    await createProvider(t, 'soft');
    a = await createModel(t, 'soft', 'a', ['CHAT', 'CODE', 'IMAGE'], { active: true });
    b = await createModel(t, 'soft', 'b', ['IMAGE'], { active: true }); // takes IMAGE from a
    const res = expectOk(await deleteModel(a.id)).deleteModel;
    expect(res.id).toBe(a.id);
    deletedChanges = res.changes;
  });

  test('DeleteModelPayload.changes lists the slots it held, now empty', () => {
    expect(deletedChanges.map((c) => [c.capability, c.version, c.model, c.previousModel?.id])).toEqual([
      ['CHAT', 2, null, a.id],
      ['CODE', 2, null, a.id],
    ]);
  });

  test('model(id) is null and it is gone from provider.models; other models stay', async () => {
    const res = expectOk(await t.op(ModelAndProviderModelsDocument, { id: a.id, slug: 'soft' }));
    expect(res.model).toBeNull();
    expect(res.provider?.models).toEqual([{ id: b.id }]);
    expect(res.provider?.activeModels).toEqual([{ capability: 'IMAGE', model: { id: b.id } }]);
  });

  test('it can no longer be activated, deactivated, updated or deleted: NOT_FOUND', async () => {
    expect(errorCode(await activate(t, a.id))).toBe('NOT_FOUND');
    expect(errorCode(await deactivate(a.id))).toBe('NOT_FOUND');
    expect(errorCode(await updateModel({ id: a.id, displayName: 'zombie' }))).toBe('NOT_FOUND');
    expect(errorCode(await deleteModel(a.id))).toBe('NOT_FOUND');
  });

  test('the history still shows it as model and previousModel', async () => {
    const res = expectOk(await t.op(HistoryNodesDocument, { provider: 'soft' }));
    const nodes = res.activationHistory.edges.map(({ node: { capability, version, model, previousModel } }) => ({
      capability,
      version,
      model,
      previousModel,
    }));
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
    const slug = await freshProvider('soft-again');
    const gone = await createModel(t, slug, 'a', ['CHAT'], { active: true });
    expectOk(await deleteModel(gone.id));
    const again = await createModel(t, slug, 'a', ['CHAT']);
    expect(again.id).not.toBe(gone.id);
  });

  test('deleting a model that holds nothing writes no history row', async () => {
    const slug = await freshProvider('soft-idle');
    const idle = await createModel(t, slug, 'idle', ['AUDIO']);
    const count = await historyCount(slug);
    expect(expectOk(await deleteModel(idle.id)).deleteModel.changes).toEqual([]);
    expect(await historyCount(slug)).toBe(count);
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

    const all = expectOk(await t.op(ActiveModelsDocument, {})).activeModels;
    const ours = all.filter((s) => s.provider.slug.startsWith('order-'));
    expect(ours.map((s) => [s.provider.slug, s.capability, s.model.id])).toEqual([
      ['order-alpha', 'CODE', aCode.id],
      ['order-alpha', 'IMAGE', aCode.id],
      ['order-alpha', 'AUDIO', aAudio.id],
      ['order-zeta', 'CHAT', zChat.id],
      ['order-zeta', 'EMBEDDING', zEmb.id],
    ]);
    for (const s of ours) expect(s).toMatchObject({ version: 1, activatedBy: 'admin' });

    // The whole list follows the same order and has no empty slot.
    const CAPS = ['CHAT', 'CODE', 'CONTENT', 'IMAGE', 'AUDIO', 'EMBEDDING'];
    const keys = all.map((s) => [s.provider.slug, CAPS.indexOf(s.capability)] as const);
    const sorted = [...keys].sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : x[1] - y[1]));
    expect(keys).toEqual(sorted);
    const [held] = await query(t, `select count(*)::int as n from activation_slot where model_id is not null`);
    expect(all).toHaveLength(held.n);

    const one = expectOk(await t.op(ActiveModelsDocument, { provider: 'order-zeta' })).activeModels;
    expect(one.map((s) => s.capability)).toEqual(['CHAT', 'EMBEDDING']);
    expect(expectOk(await t.op(ActiveModelsDocument, { provider: 'order-mid' })).activeModels).toEqual([]);
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
    const steps: (() => Promise<{ changes: unknown[] }>)[] = [
      async () => expectOk(await activate(t, a.id)).activateModel,
      async () => expectOk(await activate(t, b.id)).activateModel,
      async () => expectOk(await deactivate(b.id)).deactivateModel,
      async () => expectOk(await activate(t, a.id)).activateModel,
    ];
    for (const step of steps) {
      // Each change lands at a later millisecond than the one before (GAP_MS apart at least), so an
      // instant SHIFT_MS after a change is before the next one. Waits for the clock, not a fixed time.
      const last = changedAt.at(-1);
      if (last)
        await waitFor(
          () => Date.now(),
          (now) => now >= Date.parse(last) + GAP_MS,
          { what: 'the clock to pass the last change' },
        );
      expect((await step()).changes).toHaveLength(1);
      changedAt.push(await lastChangedAt());
    }
  });

  const GAP_MS = 6;
  const SHIFT_MS = 2;

  async function lastChangedAt(): Promise<string> {
    const res = expectOk(await t.op(HistoryNodesDocument, { provider: 'timeline', first: 1 }));
    return res.activationHistory.edges[0].node.changedAt;
  }

  async function at(instant: Date | string, provider = 'timeline'): Promise<string | null> {
    const iso = typeof instant === 'string' ? instant : instant.toISOString();
    const res = expectOk(await t.op(ActiveModelDocument, { provider, capability: 'CHAT', at: iso }));
    return res.activeModel?.id ?? null;
  }

  const shift = (iso: string, ms: number) => new Date(new Date(iso).getTime() + ms);

  test('before the first change: null', async () => {
    expect(await at(shift(changedAt[0], -SHIFT_MS))).toBeNull();
    expect(await at('2000-01-01T00:00:00Z')).toBeNull();
  });

  test('between changes: the model of the latest change at or before T (an emptied slot is null)', async () => {
    expect(await at(shift(changedAt[0], SHIFT_MS))).toBe(a.id);
    expect(await at(shift(changedAt[1], SHIFT_MS))).toBe(b.id);
    expect(await at(shift(changedAt[2], SHIFT_MS))).toBe(null);
    expect(await at(shift(changedAt[3], SHIFT_MS))).toBe(a.id);
  });

  test('at exactly the changedAt the API reported: that change counts (changedAt <= T)', async () => {
    expect(await at(changedAt[0])).toBe(a.id);
    expect(await at(changedAt[1])).toBe(b.id);
    expect(await at(changedAt[2])).toBe(null);
    expect(await at(changedAt[3])).toBe(a.id);
  });

  test('a future instant answers the present', async () => {
    const slug = await freshProvider('timeline-future');
    const x = await createModel(t, slug, 'x', ['CHAT'], { active: true });
    const y = await createModel(t, slug, 'y', ['CHAT']);
    expect(await at(new Date(Date.now() + 24 * 3600_000), slug)).toBe(x.id);
    expectOk(await activate(t, y.id));
    expect(await at(new Date(Date.now() + 24 * 3600_000), slug)).toBe(y.id);
    expect(await holder(slug, 'CHAT')).toBe(y.id);
  });

  test('a malformed instant is a coded client error, not a 500', async () => {
    const res = await t.op(ActiveModelDocument, { provider: 'timeline', capability: 'CHAT', at: 'yesterday' });
    expect(res.status).toBeLessThan(500);
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
  });
});

describe('activationHistory', () => {
  const models: ModelRef[] = [];
  let all: HistoryNodesQuery['activationHistory']['edges'];
  beforeAll(async () => {
    await createProvider(t, 'paged');
    for (let i = 0; i < 3; i++) models.push(await createModel(t, 'paged', `m${i}`, ['CHAT', 'CODE']));
    // 7 changes: CHAT m0, CODE m0 (v1 each), CHAT m1, CHAT m2, CODE m2, CHAT emptied, CODE m1.
    expectOk(await activate(t, models[0].id));
    expectOk(await activate(t, models[1].id, { capabilities: ['CHAT'] }));
    expectOk(await activate(t, models[2].id));
    expectOk(await deactivate(models[2].id, ['CHAT']));
    expectOk(await activate(t, models[1].id, { capabilities: ['CODE'] }));
    all = expectOk(await t.op(HistoryNodesDocument, { provider: 'paged', first: 100 })).activationHistory.edges;
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
    let after: string | null | undefined = null;
    const pages: { n: number; hasNextPage: boolean }[] = [];
    for (;;) {
      const res: HistoryCursorsQuery = expectOk(await t.op(HistoryCursorsDocument, { provider: 'paged', first: 3, after }));
      const { edges, pageInfo } = res.activationHistory;
      seen.push(...edges.map((e) => e.cursor));
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
    const full = expectOk(await t.op(HistoryCursorsDocument, { provider: 'paged', first: 7 }));
    expect(full.activationHistory.edges).toHaveLength(7);
    expect(full.activationHistory.pageInfo.hasNextPage).toBe(false);
    const empty = expectOk(await t.op(HistoryCursorsDocument, { provider: 'paged', after: full.activationHistory.pageInfo.endCursor }));
    expect(empty.activationHistory).toEqual({ edges: [], pageInfo: { hasNextPage: false, endCursor: null } });
  });

  test('the capability filter keeps one slot; the default page size is 20', async () => {
    const code = expectOk(await t.op(HistoryNodesDocument, { provider: 'paged', capability: 'CODE' }));
    expect(code.activationHistory.edges.map((e) => e.node.version)).toEqual([3, 2, 1]);
    expect(code.activationHistory.edges.every((e) => e.node.capability === 'CODE')).toBe(true);

    await createProvider(t, 'paged-many');
    const m = [await createModel(t, 'paged-many', 'x', ['CHAT']), await createModel(t, 'paged-many', 'y', ['CHAT'])];
    for (let i = 0; i < 22; i++) expectOk(await activate(t, m[i % 2].id));
    const page = expectOk(await t.op(HistoryNodesDocument, { provider: 'paged-many' }));
    expect(page.activationHistory.edges).toHaveLength(20);
    expect(page.activationHistory.edges[0].node.version).toBe(22);
    expect(page.activationHistory.pageInfo.hasNextPage).toBe(true);
  });

  test.each([0, -1, 101, 1000])('first: %d is BAD_USER_INPUT', async (first) => {
    const res = await t.op(HistoryCursorsDocument, { provider: 'paged', first });
    expect(res.status).toBeLessThan(500);
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
  });

  test.each([1, 100])('first: %d is accepted', async (first) => {
    expectOk(await t.op(HistoryCursorsDocument, { provider: 'paged', first }));
  });

  test.each(['abc', '', '-1', '1.5', '99999999999999999999', ' 1', 'MDAwMQ=='])('after: %j is BAD_USER_INPUT', async (after) => {
    const res = await t.op(HistoryCursorsDocument, { provider: 'paged', after });
    expect(res.status).toBeLessThan(500);
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
  });
});

describe('an unknown provider', () => {
  test.each<[string, () => Promise<GqlResult>]>([
    ['activeModel', () => t.op(ActiveModelDocument, { provider: 'nope', capability: 'CHAT' })],
    ['activeModel(at:)', () => t.op(ActiveModelDocument, { provider: 'nope', capability: 'CHAT', at: '2020-01-01T00:00:00Z' })],
    ['activeModels(provider:)', () => t.op(ActiveModelsDocument, { provider: 'nope' })],
    ['activationHistory', () => t.op(HistoryCursorsDocument, { provider: 'nope' })],
    ['createModel', () => createModelSlots({ provider: 'nope', name: 'm', modelId: 'm', capabilities: ['CHAT'] })],
  ])('is NOT_FOUND in %s', async (_label, send) => {
    const res = await send();
    expect(res.status).toBe(200);
    expect(errorCode(res)).toBe('NOT_FOUND');
    expect(res.errors![0].message).toMatch(/nope/);
  });

  test('provider(slug:) answers null (it is nullable by contract)', async () => {
    expect(expectOk(await t.op(ProviderIdDocument, { slug: 'nope' })).provider).toBeNull();
  });
});
