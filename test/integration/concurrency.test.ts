import { stripVTControlCharacters } from 'node:util';
import { startTestServer, type GqlResult, type TestServer } from '../helpers/test-server';
import { activate, createModel, createProvider, errorCode, expectOk, query, type ModelRef } from '../helpers/factories';
import {
  ActiveModelIdDocument,
  DeleteModelChangesDocument,
  HistoryNodesDocument,
  ProviderModelSlotsDocument,
  type DeleteModelChangesMutation,
  type FactoryActivateModelMutation,
  type HistoryNodesQuery,
} from '../generated/graphql';

/**
 * Contention is never the client's problem: concurrent activations over real HTTP are serialized
 * per slot, every change is recorded once in version order, and the database ends consistent.
 */

let t: TestServer;
/** Every SQL statement the server sends: transactions that had to be rolled back and retried show up here. */
const statements: string[] = [];

beforeAll(async () => {
  t = await startTestServer({}, { onQuery: (s) => statements.push(s) });
});
afterAll(() => t?.close());

function rollbacks(): number {
  // Statements come with ANSI colour codes around the "[query]" prefix.
  return statements.filter((s) => /\brollback\b/i.test(stripVTControlCharacters(s))).length;
}

interface HistoryRow {
  id: string;
  version: number;
  model_id: string | null;
  previous_model_id: string | null;
}

async function slotHistory(providerId: string, capability: string): Promise<HistoryRow[]> {
  return query<HistoryRow>(
    t,
    `select id::text, version, model_id, previous_model_id from activation_change
      where provider_id = $1 and capability = $2 order by version`,
    [providerId, capability],
  );
}

async function slotRow(providerId: string, capability: string) {
  const [row] = await query<{ model_id: string | null; version: number }>(
    t,
    'select model_id, version from activation_slot where provider_id = $1 and capability = $2',
    [providerId, capability],
  );
  return row;
}

/** Versions 1..N without gap or duplicate, each change's previous model is the model before it, ids in commit order. */
function expectConsistentChain(history: HistoryRow[]): void {
  expect(history.map((h) => h.version)).toEqual(history.map((_, i) => i + 1));
  history.forEach((h, i) => {
    expect(h.previous_model_id).toBe(i === 0 ? null : history[i - 1].model_id);
    if (i > 0) expect(BigInt(h.id)).toBeGreaterThan(BigInt(history[i - 1].id));
  });
}

function expectNoErrors(results: GqlResult[]): void {
  const failed = results.filter((r) => r.status !== 200 || r.errors?.length);
  expect(failed.map((r) => ({ status: r.status, errors: r.errors }))).toEqual([]);
}

describe('many activations of one slot at once', () => {
  const CALLS = 60;
  let provider: { id: string; slug: string };
  let models: ModelRef[];
  let results: GqlResult<FactoryActivateModelMutation>[];

  beforeAll(async () => {
    provider = await createProvider(t, 'race');
    models = [];
    for (let i = 0; i < 40; i++) models.push(await createModel(t, 'race', `m${i}`, ['CHAT', 'CODE']));
    // 60 calls over 40 models: most are real changes, some may find their model already holding the slot.
    const calls = Array.from({ length: CALLS }, (_, i) => models[i % models.length]);
    results = await Promise.all(calls.map((m) => activate(t, m.id, { capabilities: ['CHAT'] })));
  });

  test('none fails', () => {
    expectNoErrors(results);
    expect(results).toHaveLength(CALLS);
  });

  test('the slot ends with exactly one holder, and nobody else holds CHAT', async () => {
    const rows = await query(t, `select model_id from activation_slot where provider_id = $1 and capability = 'CHAT'`, [provider.id]);
    expect(rows).toHaveLength(1);
    expect(rows[0].model_id).not.toBeNull();
    const res = expectOk(await t.op(ProviderModelSlotsDocument, { slug: 'race' }));
    const holders = res.provider!.models.filter((m) => m.activeCapabilities.includes('CHAT'));
    expect(holders.map((m) => m.id)).toEqual([rows[0].model_id]);
    // CODE was never asked for.
    expect(res.provider!.models.every((m) => !m.activeCapabilities.includes('CODE'))).toBe(true);
  });

  test('the history is consecutive 1..N, chained by previousModel, and N = the real changes = the slot version', async () => {
    const history = await slotHistory(provider.id, 'CHAT');
    expectConsistentChain(history);
    const reported = results.flatMap((r) => r.data.activateModel.changes);
    // Each call reports one change or none (its model already held the slot); together they are the history.
    for (const r of results) expect(r.data.activateModel.changes.length).toBeLessThanOrEqual(1);
    expect(reported.length).toBe(history.length);
    expect(history.length).toBeGreaterThanOrEqual(models.length - 1);
    expect(reported.map((c) => c.version).sort((a, b) => a - b)).toEqual(history.map((h) => h.version));
    const slot = await slotRow(provider.id, 'CHAT');
    expect(slot.version).toBe(history.length);
    expect(slot.model_id).toBe(history.at(-1)!.model_id);
  });

  test('each reported change agrees with the history row of its version, and `deactivated` is its previous model', async () => {
    const history = await slotHistory(provider.id, 'CHAT');
    const byVersion = new Map(history.map((h) => [h.version, h]));
    for (const r of results) {
      const [c] = r.data.activateModel.changes;
      if (!c) {
        expect(r.data.activateModel.deactivated).toEqual([]);
        continue;
      }
      const row = byVersion.get(c.version)!;
      expect(c.model?.id).toBe(row.model_id);
      expect(c.previousModel?.id ?? null).toBe(row.previous_model_id);
      expect(r.data.activateModel.deactivated.map((m: { id: string }) => m.id)).toEqual(row.previous_model_id ? [row.previous_model_id] : []);
    }
  });

  test('the API answers the same: activeModel is the last change, history pages are newest first without gaps', async () => {
    const history = await slotHistory(provider.id, 'CHAT');
    const active = expectOk(await t.op(ActiveModelIdDocument, { provider: 'race', capability: 'CHAT' }));
    expect(active.activeModel?.id).toBe(history.at(-1)!.model_id);

    const versions: number[] = [];
    let after: string | null | undefined = null;
    for (;;) {
      const page: HistoryNodesQuery = expectOk(await t.op(HistoryNodesDocument, { provider: 'race', capability: 'CHAT', first: 17, after }));
      versions.push(...page.activationHistory.edges.map((e) => e.node.version));
      if (!page.activationHistory.pageInfo.hasNextPage) break;
      after = page.activationHistory.pageInfo.endCursor;
    }
    expect(versions).toEqual(history.map((h) => h.version).reverse());
  });
});

describe('activations of distinct slots and multi-capability activations at once', () => {
  test('never deadlock (no transaction rolled back and retried) and never fail', async () => {
    await createProvider(t, 'wide-a');
    await createProvider(t, 'wide-b');
    const caps = ['CHAT', 'CODE', 'CONTENT', 'IMAGE', 'AUDIO', 'EMBEDDING'];
    const single: ModelRef[] = [];
    for (const slug of ['wide-a', 'wide-b']) {
      for (const c of caps) for (let i = 0; i < 3; i++) single.push(await createModel(t, slug, `${c.toLowerCase()}-${i}`, [c]));
    }
    const multi: ModelRef[] = [];
    for (let i = 0; i < 12; i++) multi.push(await createModel(t, 'wide-a', `multi-${i}`, ['CHAT', 'CODE']));

    const before = rollbacks();
    const results = await Promise.all([
      ...single.map((m) => activate(t, m.id)),
      // The same two slots asked for in opposite orders: locks are taken in one fixed order.
      ...multi.map((m, i) => activate(t, m.id, { capabilities: i % 2 ? ['CHAT', 'CODE'] : ['CODE', 'CHAT'] })),
      ...multi.map((m, i) => activate(t, m.id, { capabilities: i % 2 ? ['CODE', 'CHAT'] : ['CHAT', 'CODE'] })),
    ]);
    expectNoErrors(results);
    // A deadlock would show as a rolled-back (and retried) transaction; none happened.
    expect(rollbacks() - before).toBe(0);

    const providers = await query<{ id: string; slug: string }>(t, `select id, slug from provider where slug like 'wide-%'`);
    for (const p of providers) {
      for (const c of caps) {
        const history = await slotHistory(p.id, c);
        expectConsistentChain(history);
        const slot = await slotRow(p.id, c);
        expect(slot.model_id).not.toBeNull();
        expect(slot.version).toBe(history.length);
        expect(slot.model_id).toBe(history.at(-1)!.model_id);
      }
    }
    // A multi-capability activation is atomic per call: every CHAT+CODE call reported both slots or
    // only those it changed, never more than two.
    for (const r of results) expect(r.data.activateModel.changes.length).toBeLessThanOrEqual(2);
  });
});

describe('compare-and-swap with expectedVersion', () => {
  test('of K callers with the same expectedVersion exactly one wins; the others get CONFLICT and change nothing', async () => {
    const p = await createProvider(t, 'cas');
    const first = await createModel(t, 'cas', 'first', ['CHAT'], { active: true });
    const contenders: ModelRef[] = [];
    for (let i = 0; i < 12; i++) contenders.push(await createModel(t, 'cas', `c${i}`, ['CHAT']));
    const before = await slotRow(p.id, 'CHAT');
    expect(before).toEqual({ model_id: first.id, version: 1 });

    const results = await Promise.all(contenders.map((m) => activate(t, m.id, { capabilities: ['CHAT'], expectedVersion: 1 })));
    const winners = results.filter((r) => !r.errors);
    const losers = results.filter((r) => r.errors);
    expect(winners).toHaveLength(1);
    expect(losers).toHaveLength(contenders.length - 1);
    for (const r of losers) {
      expect(r.status).toBe(200);
      expect(errorCode(r)).toBe('CONFLICT');
      expect(r.errors).toHaveLength(1);
    }
    const winner = winners[0].data.activateModel;
    expect(winner.changes).toHaveLength(1);
    expect(winner.changes[0]).toMatchObject({ version: 2, previousModel: { id: first.id } });

    const after = await slotRow(p.id, 'CHAT');
    expect(after).toEqual({ model_id: winner.model.id, version: 2 });
    expect(await slotHistory(p.id, 'CHAT')).toHaveLength(2);
    // The losers hold nothing.
    const losersHolding = await query(
      t,
      `select 1 from activation_slot where provider_id = $1 and model_id = any($2::uuid[]) and model_id <> $3`,
      [p.id, contenders.map((m) => m.id), winner.model.id],
    );
    expect(losersHolding).toEqual([]);
  });

  test('a round of CAS callers, each retrying with the version it was told, all eventually win once, in order', async () => {
    const p = await createProvider(t, 'cas-retry');
    const contenders: ModelRef[] = [];
    for (let i = 0; i < 8; i++) contenders.push(await createModel(t, 'cas-retry', `r${i}`, ['CODE']));
    const attempts = await Promise.all(
      contenders.map(async (m) => {
        let expected = 0;
        for (let n = 1; n <= 50; n++) {
          const r = await activate(t, m.id, { capabilities: ['CODE'], expectedVersion: expected });
          if (!r.errors) return n;
          expect(errorCode(r)).toBe('CONFLICT');
          const actual = r.errors[0].extensions!.actualVersion;
          expect(typeof actual).toBe('number');
          expected = actual!;
        }
        throw new Error('never won');
      }),
    );
    expect(attempts).toHaveLength(contenders.length);
    const history = await slotHistory(p.id, 'CODE');
    expectConsistentChain(history);
    expect(history).toHaveLength(contenders.length);
    expect(new Set(history.map((h) => h.model_id))).toEqual(new Set(contenders.map((m) => m.id)));
  });
});

describe('deleteModel racing activateModel of the same model', () => {
  test('the end state is consistent: a deleted model holds nothing, every change is in the history once', async () => {
    const p = await createProvider(t, 'del-race');
    const keeper = await createModel(t, 'del-race', 'keeper', ['CHAT', 'CODE'], { active: true });
    const outcomes: { code: string | undefined; op: string }[] = [];
    const deleted: string[] = [];
    const rollbacksBefore = rollbacks();

    for (let round = 0; round < 8; round++) {
      const victim = await createModel(t, 'del-race', `victim-${round}`, ['CHAT', 'CODE']);
      deleted.push(victim.id);
      type Outcome = ['activate' | 'keeper', GqlResult] | ['delete', GqlResult<DeleteModelChangesMutation>];
      const ops: Promise<Outcome>[] = [
        ...Array.from({ length: 4 }, (_, i) =>
          activate(t, victim.id, { capabilities: i % 2 ? ['CHAT'] : ['CHAT', 'CODE'] }).then((r): Outcome => ['activate', r]),
        ),
        t.op(DeleteModelChangesDocument, { id: victim.id }).then((r): Outcome => ['delete', r]),
        activate(t, keeper.id).then((r): Outcome => ['keeper', r]),
      ];
      const ordered = round % 2 ? [...ops].reverse() : ops; // the delete sometimes first, sometimes last
      for (const outcome of await Promise.all(ordered)) {
        const [op, r] = outcome;
        expect(r.status).toBe(200);
        outcomes.push({ op, code: errorCode(r) });
        if (outcome[0] === 'delete') {
          expect(r.errors).toBeUndefined();
          // Whatever the delete emptied was the victim's, and is now empty.
          for (const c of outcome[1].data.deleteModel.changes) {
            expect(c.model).toBeNull();
            expect(c.previousModel?.id).toBe(victim.id);
          }
        }
      }
    }
    // An activation either ran before the delete (success) or after it (NOT_FOUND); nothing else.
    for (const o of outcomes) {
      if (o.op === 'activate') expect([undefined, 'NOT_FOUND']).toContain(o.code);
      else expect(o.code).toBeUndefined();
    }

    const holdingDeleted = await query(
      t,
      `select s.capability, m.name from activation_slot s join ai_model m on m.id = s.model_id where m.deleted_at is not null`,
    );
    expect(holdingDeleted).toEqual([]);
    const live = await query(t, `select id from ai_model where provider_id = $1 and deleted_at is null`, [p.id]);
    expect(live.map((r) => r.id)).toEqual([keeper.id]);
    for (const c of ['CHAT', 'CODE']) {
      const history = await slotHistory(p.id, c);
      expectConsistentChain(history);
      const slot = await slotRow(p.id, c);
      expect(slot.version).toBe(history.length);
      expect(slot.model_id).toBe(history.at(-1)!.model_id);
    }
    // No change was made to a model after its deletion.
    const late = await query(
      t,
      `select c.version from activation_change c join ai_model m on m.id = c.model_id
        where m.deleted_at is not null and c.changed_at > m.deleted_at`,
    );
    expect(late).toEqual([]);
    // Every rolled-back transaction is one of the NOT_FOUND answers above: none was a deadlock
    // broken by Postgres and retried (a deleteModel used to deadlock with an activation displacing it).
    expect(rollbacks() - rollbacksBefore).toBe(outcomes.filter((o) => o.code).length);
  });
});
