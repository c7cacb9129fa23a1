import { createHash } from 'node:crypto';
import { ADMIN_TOKEN, startTestServer, type GqlResult, type TestServer } from '../helpers/test-server';
import { createMember, errorCode, expectOk, query } from '../helpers/factories';
import {
  AuditLogDocument,
  CancelScheduledChangeDocument,
  CmActivateDocument,
  CmCreateProviderDocument,
  CmDeactivateDocument,
  CmDeleteModelDocument,
  CmRevertSlotDocument,
  CmRevokeTokenDocument,
  CmSetPersonalKeyDocument,
  CmUpdateModelDocument,
  CmUpdateProviderDocument,
  FactoryCreateApiTokenDocument,
  FactoryCreateModelDocument,
  FactoryCreateUserDocument,
  RemovePersonalApiKeyDocument,
  ScheduleActivationDocument,
  UpdateUserDocument,
  type AuditAction,
} from '../generated/graphql';

/**
 * The audit log: every mutation that succeeds and changes state writes exactly one event (in its own
 * transaction), failed and no-op mutations none; events carry actor, target, before/after and a
 * summary in the reader's locale; no secret used anywhere appears in any event; auditLog filters,
 * pages, and is ADMIN only.
 */

let t: TestServer;
/** Every secret the test hands to the server or gets from it. */
const secrets: string[] = [ADMIN_TOKEN];
const ids: Record<string, string> = {};

beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.close());

async function eventCount(): Promise<number> {
  return (await query(t, 'select count(*)::int as n from audit_event'))[0].n;
}

type EventRow = { action: string; target_type: string; target_id: string; actor_id: string | null; details: unknown };
async function latest(): Promise<EventRow> {
  return (await query<EventRow>(t, 'select action, target_type, target_id, actor_id, details from audit_event order by id desc limit 1'))[0];
}

/** Runs a step and checks how many events it wrote (and which). */
async function step<T>(what: string, run: () => Promise<GqlResult<T>>, expected: AuditAction | null, ok = true): Promise<T> {
  const before = await eventCount();
  const res = await run();
  if (ok) expectOk(res, what);
  else expect([what, res.errors?.length ? 'failed' : 'succeeded']).toEqual([what, 'failed']);
  const written = (await eventCount()) - before;
  expect([what, written]).toEqual([what, expected ? 1 : 0]);
  if (expected) expect([what, (await latest()).action]).toEqual([what, expected]);
  return res.data;
}

describe('one event per successful change, none for failures and no-ops', () => {
  test('providers, with shared keys', async () => {
    const key1 = 'sk-shared-AAAA-0123456789-first';
    const key2 = 'sk-shared-BBBB-9876543210-second';
    secrets.push(key1, key2);
    const p = await step(
      'createProvider',
      () => t.op(CmCreateProviderDocument, { input: { slug: 'audited', name: 'Audited', sharedApiKey: key1, sharedApiEnabled: true } }),
      'PROVIDER_CREATED',
    );
    ids.provider = p.createProvider.id;
    expect((await latest()).details).toMatchObject({ slug: 'audited', sharedApiKeyHint: '…irst' });
    await step('createProvider duplicate', () => t.op(CmCreateProviderDocument, { input: { slug: 'audited', name: 'Again' } }), null, false);
    await step(
      'updateProvider key',
      () => t.op(CmUpdateProviderDocument, { input: { slug: 'audited', sharedApiKey: key2 } }),
      'PROVIDER_UPDATED',
    );
    expect((await latest()).details).toMatchObject({ before: { sharedApiKeyHint: '…irst' }, after: { sharedApiKeyHint: '…cond' } });
    await step('updateProvider no-op', () => t.op(CmUpdateProviderDocument, { input: { slug: 'audited', name: 'Audited' } }), null);
    await step('updateProvider unknown', () => t.op(CmUpdateProviderDocument, { input: { slug: 'nope', name: 'x' } }), null, false);
  });

  test('models and slots', async () => {
    const a = await step(
      'createModel',
      () =>
        t.op(FactoryCreateModelDocument, {
          input: { provider: 'audited', name: 'a', modelId: 'v/a', capabilities: ['CHAT', 'CODE'], active: true },
        }),
      'MODEL_CREATED',
    );
    ids.a = a.createModel.id;
    const b = await step(
      'createModel b',
      () => t.op(FactoryCreateModelDocument, { input: { provider: 'audited', name: 'b', modelId: 'v/b', capabilities: ['CHAT'] } }),
      'MODEL_CREATED',
    );
    ids.b = b.createModel.id;
    await step('activate', () => t.op(CmActivateDocument, { input: { modelId: ids.b, reason: 'cheaper' } }), 'MODEL_ACTIVATED');
    expect((await latest()).details).toMatchObject({
      reason: 'cheaper',
      changes: [{ capability: 'CHAT', version: 2, before: ids.a, after: ids.b }],
    });
    await step('activate no-op', () => t.op(CmActivateDocument, { input: { modelId: ids.b } }), null);
    await step(
      'activate stale',
      () => t.op(CmActivateDocument, { input: { modelId: ids.a, capabilities: ['CHAT'], expectedVersion: 1 } }),
      null,
      false,
    );
    await step(
      'revert',
      () => t.op(CmRevertSlotDocument, { input: { provider: 'audited', capability: 'CHAT', toVersion: 1, reason: 'back' } }),
      'SLOT_REVERTED',
    );
    expect(await latest()).toMatchObject({ target_type: 'slot', target_id: 'audited/CHAT' });
    await step('revert no-op', () => t.op(CmRevertSlotDocument, { input: { provider: 'audited', capability: 'CHAT', toVersion: 1 } }), null);
    await step('deactivate', () => t.op(CmDeactivateDocument, { input: { modelId: ids.a, capabilities: ['CODE'] } }), 'MODEL_DEACTIVATED');
    await step('deactivate no-op', () => t.op(CmDeactivateDocument, { input: { modelId: ids.a, capabilities: ['CODE'] } }), null);
    await step('updateModel', () => t.op(CmUpdateModelDocument, { input: { id: ids.b, displayName: 'B!' } }), 'MODEL_UPDATED');
    expect((await latest()).details).toMatchObject({ before: { displayName: 'b' }, after: { displayName: 'B!' } });
    await step('updateModel no-op', () => t.op(CmUpdateModelDocument, { input: { id: ids.b, displayName: 'B!' } }), null);
    const s = await step(
      'schedule',
      () => t.op(ScheduleActivationDocument, { input: { modelId: ids.b, at: new Date(Date.now() + 3_600_000).toISOString() } }),
      'SCHEDULE_CREATED',
    );
    await step('cancel', () => t.op(CancelScheduledChangeDocument, { id: s.scheduleActivation.id }), 'SCHEDULE_CANCELLED');
    await step('cancel again', () => t.op(CancelScheduledChangeDocument, { id: s.scheduleActivation.id }), null, false);
    await step('deleteModel', () => t.op(CmDeleteModelDocument, { id: ids.b }), 'MODEL_DELETED');
    await step('deleteModel again', () => t.op(CmDeleteModelDocument, { id: ids.b }), null, false);
  });

  test('users, tokens and personal keys', async () => {
    const u = await step('createUser', () => t.op(FactoryCreateUserDocument, { input: { name: 'carol', role: 'ADMIN' } }), 'USER_CREATED');
    ids.carol = u.createUser.id;
    await step('createUser duplicate', () => t.op(FactoryCreateUserDocument, { input: { name: 'carol', role: 'MEMBER' } }), null, false);
    await step('updateUser', () => t.op(UpdateUserDocument, { input: { id: ids.carol, canUseSharedApi: false } }), 'USER_UPDATED');
    expect((await latest()).details).toMatchObject({ before: { canUseSharedApi: true }, after: { canUseSharedApi: false } });
    await step('updateUser no-op', () => t.op(UpdateUserDocument, { input: { id: ids.carol, canUseSharedApi: false } }), null);
    const tok = await step(
      'createApiToken',
      () => t.op(FactoryCreateApiTokenDocument, { input: { name: 'carol-ci', userId: ids.carol } }),
      'TOKEN_CREATED',
    );
    const carolToken = tok.createApiToken.token;
    secrets.push(carolToken);
    const own = await step(
      'createApiToken own',
      () => t.op(FactoryCreateApiTokenDocument, { input: { name: 'self' } }, { token: carolToken }),
      'TOKEN_CREATED',
    );
    secrets.push(own.createApiToken.token);
    expect((await latest()).actor_id).toBe(ids.carol);
    const personal1 = 'sk-personal-CCCC-1111111111';
    const personal2 = 'sk-personal-DDDD-2222222222';
    secrets.push(personal1, personal2);
    await step(
      'setPersonalApiKey',
      () => t.op(CmSetPersonalKeyDocument, { input: { provider: 'audited', apiKey: personal1 } }, { token: carolToken }),
      'PERSONAL_KEY_SET',
    );
    expect(await latest()).toMatchObject({ target_type: 'personalApiKey', actor_id: ids.carol });
    await step(
      'setPersonalApiKey same',
      () => t.op(CmSetPersonalKeyDocument, { input: { provider: 'audited', apiKey: personal1 } }, { token: carolToken }),
      null,
    );
    await step(
      'setPersonalApiKey other',
      () => t.op(CmSetPersonalKeyDocument, { input: { provider: 'audited', apiKey: personal2, useSharedApi: true } }, { token: carolToken }),
      'PERSONAL_KEY_SET',
    );
    expect((await latest()).details).toMatchObject({
      before: { keyHint: '…1111', useSharedApi: false },
      after: { keyHint: '…2222', useSharedApi: true },
    });
    await step(
      'removePersonalApiKey',
      () => t.op(RemovePersonalApiKeyDocument, { provider: 'audited' }, { token: carolToken }),
      'PERSONAL_KEY_REMOVED',
    );
    await step('removePersonalApiKey none', () => t.op(RemovePersonalApiKeyDocument, { provider: 'audited' }, { token: carolToken }), null);
    await step('revokeApiToken', () => t.op(CmRevokeTokenDocument, { id: own.createApiToken.apiToken.id }), 'TOKEN_REVOKED');
    await step('revokeApiToken again', () => t.op(CmRevokeTokenDocument, { id: own.createApiToken.apiToken.id }), null);
  });
});

describe('no secret ever appears in an event', () => {
  test('every row and every rendered summary (en, fa) is free of every secret used, its hash and its ciphertext', async () => {
    const stored = await query(
      t,
      `select shared_api_key_encrypted as c from provider where shared_api_key_encrypted is not null
                                   union all select key_encrypted from personal_api_key`,
    );
    const needles = [...secrets, ...secrets.map((s) => createHash('sha256').update(s).digest('hex')), ...stored.map((r) => r.c as string)];
    const rows = (await query(t, 'select row_to_json(e)::text as json from audit_event e')).map((r) => r.json as string);
    expect(rows.length).toBeGreaterThan(20);
    const pages: string[] = [];
    for (const locale of ['en', 'fa']) pages.push(JSON.stringify(expectOk(await t.op(AuditLogDocument, { first: 100 }, { locale })).auditLog));
    const leaks = needles.flatMap((needle) => [...rows, ...pages].filter((text) => text.includes(needle)).map(() => needle.slice(0, 8) + '…'));
    expect(leaks).toEqual([]);
  });
});

describe('auditLog', () => {
  test('newest first, with actor, target, summary in the reader’s locale and details', async () => {
    const en = expectOk(await t.op(AuditLogDocument, { first: 3 })).auditLog;
    expect(en.edges).toHaveLength(3);
    const [newest] = en.edges.map((e) => e.node);
    expect(newest).toMatchObject({ action: 'TOKEN_REVOKED', targetType: 'apiToken', actor: { name: 'admin' } });
    expect(newest.summary).toMatch(/^admin revoked token "self" of carol/);
    const fa = expectOk(await t.op(AuditLogDocument, { first: 1 }, { locale: 'fa' })).auditLog.edges[0].node;
    expect(fa.summary).toMatch(/[\u0600-\u06FF]/);
    const ats = en.edges.map((e) => e.node.at);
    expect([...ats].sort().reverse()).toEqual(ats);
  });

  test('filters: actor, action, target type, from/to; paging visits every event once', async () => {
    const byCarol = expectOk(await t.op(AuditLogDocument, { actorId: ids.carol, first: 100 })).auditLog.edges.map((e) => e.node);
    expect(byCarol.length).toBeGreaterThan(0);
    expect(byCarol.every((e) => e.actor?.id === ids.carol)).toBe(true);
    const keys = expectOk(await t.op(AuditLogDocument, { action: 'PERSONAL_KEY_SET', first: 100 })).auditLog.edges;
    expect(keys).toHaveLength(2);
    const slots = expectOk(await t.op(AuditLogDocument, { targetType: 'slot', first: 100 })).auditLog.edges;
    expect(slots.map((e) => e.node.action)).toEqual(['SLOT_REVERTED']);

    const all = expectOk(await t.op(AuditLogDocument, { first: 100 })).auditLog.edges.map((e) => e.node);
    const middle = all[Math.floor(all.length / 2)];
    const newer = expectOk(await t.op(AuditLogDocument, { from: middle.at, first: 100 })).auditLog.edges.map((e) => e.node);
    const older = expectOk(await t.op(AuditLogDocument, { to: middle.at, first: 100 })).auditLog.edges.map((e) => e.node);
    expect(newer.every((e) => e.at >= middle.at)).toBe(true);
    expect(older.every((e) => e.at < middle.at)).toBe(true);
    expect(newer.length + older.length).toBe(all.length);

    const paged: string[] = [];
    let after: string | null | undefined;
    do {
      const page = expectOk(await t.op(AuditLogDocument, { first: 7, after })).auditLog;
      paged.push(...page.edges.map((e) => e.node.id));
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
    } while (after);
    expect(paged).toEqual(all.map((e) => e.id));
  });

  test('MEMBER: FORBIDDEN; bad arguments: BAD_USER_INPUT', async () => {
    const { token } = await createMember(t, 'mallory');
    expect(errorCode(await t.op(AuditLogDocument, {}, { token }))).toBe('FORBIDDEN');
    expect(errorCode(await t.op(AuditLogDocument, { first: 101 }))).toBe('BAD_USER_INPUT');
    expect(errorCode(await t.op(AuditLogDocument, { after: '%%%' }))).toBe('BAD_USER_INPUT');
    expect(errorCode(await t.op(AuditLogDocument, { targetType: 'planet' }))).toBe('BAD_USER_INPUT');
    expect(errorCode(await t.op(AuditLogDocument, { actorId: 'not-an-id' }))).toBe('BAD_USER_INPUT');
  });
});
