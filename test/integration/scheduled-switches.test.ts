import { Client } from 'pg';
import { dropDatabase, freshDatabaseUrl, startTestServer, type TestServer } from '../helpers/test-server';
import { activate, createMember, createModel, createProvider, errorCode, expectOk, query, sql } from '../helpers/factories';
import { waitFor } from '../helpers/wait';
import {
  AuditLogDocument,
  CancelScheduledChangeDocument,
  ScheduleActivationDocument,
  ScheduledChangesDocument,
  type Capability,
} from '../generated/graphql';

/**
 * Scheduled switches against real Postgres: validation, applying within the contract's bound, exactly
 * once across instances and restarts, FAILED on a failed check with nothing else changed, and cancel
 * racing apply. Several tests hold the workers back (startScheduleWorker: false) and make switches
 * due by moving `at` into the past in SQL: time passing, without waiting for it.
 */

jest.setTimeout(120_000);

const HOUR = 3_600_000;
const servers: TestServer[] = [];
const databases: string[] = [];

async function server(databaseUrl?: string, startWorker = true): Promise<TestServer> {
  const t = await startTestServer(databaseUrl ? { databaseUrl } : {}, { startScheduleWorker: startWorker });
  servers.push(t);
  return t;
}

afterAll(async () => {
  for (const t of servers.splice(0)) await t.close().catch(() => undefined);
  for (const db of databases) await dropDatabase(db);
});

const inAnHour = () => new Date(Date.now() + HOUR).toISOString();

async function schedule(
  t: TestServer,
  input: { modelId: string; capabilities?: Capability[]; expectedVersion?: number; at?: string; reason?: string },
) {
  return expectOk(await t.op(ScheduleActivationDocument, { input: { at: inAnHour(), ...input } }), 'scheduleActivation').scheduleActivation;
}

async function status(t: TestServer, id: string): Promise<{ status: string; failure_code: string | null }> {
  return (
    await query<{ status: string; failure_code: string | null }>(t, 'select status, failure_code from scheduled_change where id = $1', [id])
  )[0];
}

/** Everything PENDING falls due now (as if the clock had passed `at`). */
async function makeDue(t: TestServer, ids?: string[]): Promise<void> {
  await query(
    t,
    `update scheduled_change set at = date_trunc('milliseconds', clock_timestamp()) - interval '1 second'
      where status = 'PENDING' and ($1::uuid[] is null or id = any($1::uuid[]))`,
    [ids ?? null],
  );
}

async function auditCount(t: TestServer, action?: string): Promise<number> {
  const rows = await query(t, `select count(*)::int as n from audit_event where $1::text is null or action = $1`, [action ?? null]);
  return rows[0].n;
}

describe('scheduling', () => {
  let t: TestServer;
  let model: { id: string };

  beforeAll(async () => {
    t = await server();
    await createProvider(t, 'sched');
    model = await createModel(t, 'sched', 'm1', ['CHAT', 'CODE']);
  });

  test('bad requests are refused with BAD_USER_INPUT / NOT_FOUND / FORBIDDEN and write nothing', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ modelId: model.id, at: new Date(Date.now() - 1000).toISOString() }, 'BAD_USER_INPUT'],
      [{ modelId: model.id, at: new Date(Date.now() + 367 * 24 * HOUR).toISOString() }, 'BAD_USER_INPUT'],
      [{ modelId: model.id, capabilities: ['IMAGE'] }, 'BAD_USER_INPUT'],
      [{ modelId: model.id, expectedVersion: 0 }, 'BAD_USER_INPUT'],
      [{ modelId: model.id, reason: 'x'.repeat(501) }, 'BAD_USER_INPUT'],
      [{ modelId: '00000000-0000-4000-8000-000000000000' }, 'NOT_FOUND'],
    ];
    for (const [input, code] of cases) {
      const res = await t.op(ScheduleActivationDocument, { input: { at: inAnHour(), ...input } as never });
      expect([JSON.stringify(input), errorCode(res)]).toEqual([JSON.stringify(input), code]);
    }
    const member = await createMember(t, 'sched-member');
    const forbidden = await t.op(ScheduleActivationDocument, { input: { modelId: model.id, at: inAnHour() } }, { token: member.token });
    expect(errorCode(forbidden)).toBe('FORBIDDEN');
    expect(errorCode(await t.op(ScheduledChangesDocument, { first: 5 }, { token: member.token }))).toBe('FORBIDDEN');
    expect(await auditCount(t, 'SCHEDULE_CREATED')).toBe(0);
    expect(Number((await query(t, 'select count(*) from scheduled_change'))[0].count)).toBe(0);
  });

  test('a switch applies within 2 s after `at`, as its author, with its reason; listed and audited once', async () => {
    const at = new Date(Date.now() + 1200);
    const created = await schedule(t, { modelId: model.id, capabilities: ['CHAT'], at: at.toISOString(), reason: '  night rollout  ' });
    expect(created).toMatchObject({ status: 'PENDING', reason: 'night rollout', capabilities: ['CHAT'], appliedAt: null, changes: [] });
    expect(created.createdBy.name).toBe('admin');

    const applied = await waitFor(
      async () => expectOk(await t.op(ScheduledChangesDocument, { first: 5, provider: 'sched', status: 'APPLIED' })).scheduledChanges.edges,
      (edges) => edges.some((e) => e.node.id === created.id),
      { what: 'the switch to be APPLIED', timeoutMs: 30_000 },
    );
    const node = applied.find((e) => e.node.id === created.id)!.node;
    expect(node.changes).toEqual([
      expect.objectContaining({ capability: 'CHAT', version: 1, changedBy: 'admin', model: { name: 'm1' }, previousModel: null }),
    ]);
    // The contract's bound, measured on the server's own timestamps.
    expect(new Date(node.appliedAt!).getTime() - at.getTime()).toBeLessThanOrEqual(2000);
    expect(new Date(node.appliedAt!).getTime()).toBeGreaterThanOrEqual(at.getTime());

    const rows = await query(t, 'select reason, scheduled_change_id from activation_change where scheduled_change_id = $1', [created.id]);
    expect(rows).toEqual([{ reason: 'night rollout', scheduled_change_id: created.id }]);

    const log = expectOk(await t.op(AuditLogDocument, { targetType: 'scheduledChange' })).auditLog.edges.map((e) => e.node);
    expect(log.filter((e) => e.targetId === created.id).map((e) => e.action)).toEqual(['SCHEDULE_APPLIED', 'SCHEDULE_CREATED']);
    expect(log.find((e) => e.action === 'SCHEDULE_APPLIED')!.actor!.name).toBe('admin');
    expect(await auditCount(t, 'MODEL_ACTIVATED')).toBe(0);
  });

  test('a stale expectedVersion makes it FAILED (CONFLICT, message in the reader’s locale) and changes nothing', async () => {
    const m2 = await createModel(t, 'sched', 'm2', ['CODE']);
    const s = await schedule(t, { modelId: m2.id, capabilities: ['CODE'], expectedVersion: 0 });
    expectOk(await activate(t, model.id, { capabilities: ['CODE'] })); // CODE goes to version 1 first
    const historyBefore = await query(t, 'select count(*)::int as n from activation_change');
    await makeDue(t, [s.id]);
    await waitFor(
      () => status(t, s.id),
      (r) => r.status !== 'PENDING',
      { what: 'the stale switch to settle', timeoutMs: 30_000 },
    );
    const fa = expectOk(await t.op(ScheduledChangesDocument, { first: 5, status: 'FAILED' }, { locale: 'fa' })).scheduledChanges.edges.find(
      (e) => e.node.id === s.id,
    )!.node;
    expect(fa).toMatchObject({ status: 'FAILED', failureCode: 'CONFLICT', changes: [] });
    expect(fa.failureMessage).toMatch(/[\u0600-\u06FF]/);
    expect(fa.appliedAt).not.toBeNull();
    const en = expectOk(await t.op(ScheduledChangesDocument, { first: 5, status: 'FAILED' })).scheduledChanges.edges.find(
      (e) => e.node.id === s.id,
    )!.node;
    expect(en.failureMessage).toContain('is at version 1, not 0');
    expect(await query(t, 'select count(*)::int as n from activation_change')).toEqual(historyBefore);
    const slot = await query(
      t,
      `select m.name, s.version from activation_slot s join ai_model m on m.id = s.model_id join provider p on p.id = s.provider_id where p.slug = 'sched' and s.capability = 'CODE'`,
    );
    expect(slot).toEqual([{ name: 'm1', version: 1 }]);
    expect(await auditCount(t, 'SCHEDULE_FAILED')).toBe(1);
  });

  test('a model deleted since makes it FAILED (NOT_FOUND)', async () => {
    const doomed = await createModel(t, 'sched', 'doomed', ['CHAT']);
    const s = await schedule(t, { modelId: doomed.id });
    expectOk(await t.gql(`mutation($id: ID!) { deleteModel(id: $id) { id } }`, { id: doomed.id }));
    await makeDue(t, [s.id]);
    expect(
      await waitFor(
        () => status(t, s.id),
        (r) => r.status !== 'PENDING',
        { what: 'the switch to settle', timeoutMs: 30_000 },
      ),
    ).toEqual({ status: 'FAILED', failure_code: 'NOT_FOUND' });
  });

  test('cancel: PENDING becomes CANCELLED; cancelling again, or an applied switch, is CONFLICT; unknown is NOT_FOUND', async () => {
    const s = await schedule(t, { modelId: model.id, capabilities: ['CHAT'] });
    const cancelled = expectOk(await t.op(CancelScheduledChangeDocument, { id: s.id })).cancelScheduledChange;
    expect(cancelled.status).toBe('CANCELLED');
    expect(cancelled.appliedAt).not.toBeNull();
    expect(errorCode(await t.op(CancelScheduledChangeDocument, { id: s.id }))).toBe('CONFLICT');
    expect(errorCode(await t.op(CancelScheduledChangeDocument, { id: '00000000-0000-4000-8000-000000000000' }))).toBe('NOT_FOUND');
    expect(errorCode(await t.op(CancelScheduledChangeDocument, { id: 'nope' }))).toBe('NOT_FOUND');
    const applied = (await query(t, `select id from scheduled_change where status = 'APPLIED' limit 1`))[0];
    expect(errorCode(await t.op(CancelScheduledChangeDocument, { id: applied.id }))).toBe('CONFLICT');
  });

  test('scheduledChanges: by `at` then id, paged, filtered', async () => {
    const p = await createProvider(t, 'sched-list');
    const m = await createModel(t, p.slug, 'l1', ['CHAT']);
    const base = Date.now() + 5 * HOUR;
    const ids: string[] = [];
    for (const offset of [3, 1, 2, 1]) ids.push((await schedule(t, { modelId: m.id, at: new Date(base + offset * 1000).toISOString() })).id);
    const seen: string[] = [];
    let after: string | null | undefined;
    do {
      const page = expectOk(await t.op(ScheduledChangesDocument, { provider: p.slug, first: 3, after })).scheduledChanges;
      seen.push(...page.edges.map((e) => e.node.id));
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
    } while (after);
    const sameAt = [ids[1], ids[3]].sort();
    expect(seen).toEqual([...sameAt, ids[2], ids[0]]);
    expect(errorCode(await t.op(ScheduledChangesDocument, { first: 5, provider: 'no-such' }))).toBe('NOT_FOUND');
    expect(errorCode(await t.op(ScheduledChangesDocument, { first: 0 }))).toBe('BAD_USER_INPUT');
    expect(errorCode(await t.op(ScheduledChangesDocument, { first: 5, after: 'garbage' }))).toBe('BAD_USER_INPUT');
  });
});

describe('exactly once', () => {
  test('two instances racing over 50 due switches apply each exactly once', async () => {
    const databaseUrl = freshDatabaseUrl('race');
    databases.push(databaseUrl);
    const a = await server(databaseUrl, false);
    const b = await server(databaseUrl, false);
    const ids: string[] = [];
    for (let p = 0; p < 10; p++) {
      const provider = await createProvider(a, `race-${p}`);
      const m = await createModel(a, provider.slug, 'm', ['CHAT', 'CODE', 'CONTENT', 'IMAGE', 'AUDIO']);
      for (const capability of ['CHAT', 'CODE', 'CONTENT', 'IMAGE', 'AUDIO'] as Capability[]) {
        ids.push((await schedule(p % 2 ? a : b, { modelId: m.id, capabilities: [capability], expectedVersion: 0 })).id);
      }
    }
    await makeDue(a);
    const settledBy: Record<string, string[]> = { a: [], b: [] };
    const count = (name: 'a' | 'b') => (id: string) => settledBy[name].push(id);
    // Both workers start at once over the same 50 due rows.
    a.server.services.scheduleWorker.onSettled(count('a'));
    b.server.services.scheduleWorker.onSettled(count('b'));
    a.server.services.scheduleWorker.start();
    b.server.services.scheduleWorker.start();
    await waitFor(
      async () => Number((await query(a, `select count(*) from scheduled_change where status = 'PENDING'`))[0].count),
      (n) => n === 0,
      { what: 'every switch to settle', timeoutMs: 30_000 },
    );
    const rows = await query(a, `select status, count(*)::int as n from scheduled_change group by status`);
    expect(rows).toEqual([{ status: 'APPLIED', n: 50 }]);
    // One history row and one audit event per switch; no switch settled by both instances.
    const perSwitch = await query(
      a,
      `select s.id, (select count(*)::int from activation_change c where c.scheduled_change_id = s.id) as changes,
              (select count(*)::int from audit_event e where e.target_id = s.id::text and e.action = 'SCHEDULE_APPLIED') as events
         from scheduled_change s`,
    );
    expect(perSwitch.filter((r) => r.changes !== 1 || r.events !== 1)).toEqual([]);
    expect([...settledBy.a, ...settledBy.b].sort()).toEqual([...ids].sort());
    expect(settledBy.a.filter((id) => settledBy.b.includes(id))).toEqual([]);
  });

  test('a switch that falls due while no instance runs is applied at the next start', async () => {
    const databaseUrl = freshDatabaseUrl('restart');
    databases.push(databaseUrl);
    const first = await server(databaseUrl);
    await createProvider(first, 'restart');
    const m = await createModel(first, 'restart', 'r1', ['CHAT']);
    const at = new Date(Date.now() + 1500);
    const s = await schedule(first, { modelId: m.id, at: at.toISOString() });
    await first.close();
    servers.splice(servers.indexOf(first), 1);
    // Wait (for the database's clock, not a fixed time) until it is due with nothing running.
    const pg = await sql(databaseUrl);
    try {
      await waitFor(async () => (await pg.query(`select clock_timestamp() > $1::timestamptz as due`, [at])).rows[0].due, Boolean, {
        what: 'the switch to fall due',
        timeoutMs: 30_000,
      });
      expect((await pg.query('select status from scheduled_change where id = $1', [s.id])).rows[0].status).toBe('PENDING');
    } finally {
      await pg.end();
    }
    const second = await server(databaseUrl);
    expect(
      await waitFor(
        () => status(second, s.id),
        (r) => r.status !== 'PENDING',
        { what: 'the switch to apply after restart', timeoutMs: 30_000 },
      ),
    ).toEqual({ status: 'APPLIED', failure_code: null });
  });

  test('a claim held by a dead instance is taken over once its connection is gone', async () => {
    const t = await server(undefined, false);
    await createProvider(t, 'dead');
    const m = await createModel(t, 'dead', 'd1', ['CHAT', 'CODE']);
    const held = await schedule(t, { modelId: m.id, capabilities: ['CHAT'] });
    const free = await schedule(t, { modelId: m.id, capabilities: ['CODE'] });
    await makeDue(t);
    // A "dead instance": a connection holding the row lock of a claim, as a worker mid-apply would.
    const zombie = new Client({ connectionString: t.databaseUrl });
    await zombie.connect();
    zombie.on('error', () => undefined);
    await zombie.query('begin');
    await zombie.query('select id from scheduled_change where id = $1 for update', [held.id]);
    t.server.services.scheduleWorker.start();
    await waitFor(
      () => status(t, free.id),
      (r) => r.status === 'APPLIED',
      { what: 'the free switch to apply', timeoutMs: 30_000 },
    );
    expect((await status(t, held.id)).status).toBe('PENDING');
    // The process dies: Postgres ends its connection, its transaction and its locks.
    const pid = (await zombie.query('select pg_backend_pid() as pid')).rows[0].pid;
    await query(t, 'select pg_terminate_backend($1)', [pid]);
    await waitFor(
      () => status(t, held.id),
      (r) => r.status === 'APPLIED',
      { what: 'the orphaned claim to be taken over', timeoutMs: 30_000 },
    );
    await zombie.end().catch(() => undefined);
  });

  test('cancel racing apply on the same due switches: exactly one of the two wins each', async () => {
    const t = await server(undefined, false);
    await createProvider(t, 'race-cancel');
    const models = [];
    for (let i = 0; i < 4; i++) models.push(await createModel(t, 'race-cancel', `c${i}`, ['CHAT', 'CODE', 'CONTENT', 'IMAGE', 'AUDIO']));
    const ids: string[] = [];
    for (const m of models)
      for (const c of ['CHAT', 'CODE', 'CONTENT', 'IMAGE', 'AUDIO'] as Capability[])
        ids.push((await schedule(t, { modelId: m.id, capabilities: [c] })).id);
    await makeDue(t);
    t.server.services.scheduleWorker.start();
    const cancels = await Promise.all(ids.map((id) => t.op(CancelScheduledChangeDocument, { id })));
    await waitFor(
      async () => Number((await query(t, `select count(*) from scheduled_change where status = 'PENDING'`))[0].count),
      (n) => n === 0,
      { what: 'every switch to settle', timeoutMs: 30_000 },
    );
    const final = new Map((await query(t, 'select id, status from scheduled_change')).map((r) => [r.id, r.status]));
    const changes = new Map(
      (
        await query(
          t,
          'select scheduled_change_id as id, count(*)::int as n from activation_change where scheduled_change_id is not null group by 1',
        )
      ).map((r) => [r.id, r.n]),
    );
    ids.forEach((id, i) => {
      const cancelWon = !cancels[i].errors;
      if (cancelWon) {
        expect([id, final.get(id), changes.get(id) ?? 0]).toEqual([id, 'CANCELLED', 0]);
      } else {
        expect([id, errorCode(cancels[i]), final.get(id)]).toEqual([id, 'CONFLICT', 'APPLIED']);
      }
    });
    const events = await query(
      t,
      `select target_id, count(*)::int as n from audit_event where action in ('SCHEDULE_CANCELLED', 'SCHEDULE_APPLIED') group by 1`,
    );
    expect(events.filter((e) => e.n !== 1)).toEqual([]);
    expect(events).toHaveLength(ids.length);
  });
});
