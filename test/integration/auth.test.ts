import { createHash } from 'node:crypto';
import { print } from 'graphql';
import { ADMIN_TOKEN, startTestServer, type GqlResult, type TestServer } from '../helpers/test-server';
import { createMember, createModel, createProvider, errorCode, expectOk, query, type MemberRef, type ModelRef } from '../helpers/factories';
import { waitFor } from '../helpers/wait';
import {
  ActivateModelDocument,
  CreateApiTokenDocument,
  CreateModelSlotsDocument,
  CreateProviderDocument,
  CreateUserDocument,
  DeactivateModelDocument,
  DeleteModelChangesDocument,
  MemberReadsEverythingDocument,
  RevokeApiTokenDocument,
  SchemaIntrospectionDocument,
  TypenameAndProvidersDocument,
  TypenameDocument,
  UpdateModelSlotsDocument,
  ViewerIdentityDocument,
  ViewerNameDocument,
  type CreateApiTokenInput,
} from '../generated/graphql';

/** Who may do what: tokens, roles, revocation and the ADMIN_TOKEN bootstrap. */

let t: TestServer;
let member: MemberRef;
let other: MemberRef;
let model: ModelRef;
/** Every token secret this file has seen, to prove none is stored in clear. */
const secrets: string[] = [ADMIN_TOKEN];

beforeAll(async () => {
  t = await startTestServer();
  await createProvider(t, 'acme');
  model = await createModel(t, 'acme', 'gpt', ['CHAT', 'CODE'], { active: true });
  member = await createMember(t, 'mia');
  other = await createMember(t, 'otto');
  secrets.push(member.token, other.token);
});
afterAll(() => t?.close());

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

async function viewer(token: string | null) {
  return t.op(ViewerIdentityDocument, {}, { token });
}

async function createToken(token: string, input: CreateApiTokenInput) {
  const res = await t.op(CreateApiTokenDocument, { input }, { token });
  if (res.data?.createApiToken?.token) secrets.push(res.data.createApiToken.token);
  return res;
}

async function revoke(token: string, id: string) {
  return t.op(RevokeApiTokenDocument, { id }, { token });
}

describe('authentication', () => {
  test('no token: UNAUTHENTICATED, HTTP 401, a JSON body with the code', async () => {
    const res = await viewer(null);
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    expect(errorCode(res)).toBe('UNAUTHENTICATED');
    expect(res.errors![0].message).toMatch(/Authorization: Bearer/);
    expect(res.data ?? null).toBeNull();
  });

  test.each([
    ['an unknown token', 'Bearer not-a-real-token'],
    ['a token with a different case', `Bearer ${ADMIN_TOKEN.toUpperCase()}`],
    ['another scheme', `Basic ${Buffer.from('admin:x').toString('base64')}`],
    ['a bare token without "Bearer"', ADMIN_TOKEN],
    ['"Bearer" without a token', 'Bearer '],
  ])('%s: UNAUTHENTICATED with HTTP 401', async (_label, authorization) => {
    const res = await fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization },
      body: JSON.stringify({ query: print(ViewerNameDocument) }),
    });
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    const body = await res.json();
    expect(body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    expect(body.data ?? null).toBeNull();
  });

  test('a mutation without a token changes nothing', async () => {
    const res = await t.op(CreateProviderDocument, { input: { slug: 'sneaky', name: 'Sneaky' } }, { token: null });
    expect(res.status).toBe(401);
    expect(errorCode(res)).toBe('UNAUTHENTICATED');
    expect(await query(t, `select id from provider where slug = 'sneaky'`)).toEqual([]);
  });

  test('an introspection-only query works without a token; mixed with a real field it does not', async () => {
    const schema = await t.op(SchemaIntrospectionDocument, {}, { token: null });
    expect(schema.status).toBe(200);
    expect(schema.errors).toBeUndefined();
    expect(schema.data.__schema.queryType.name).toBe('Query');
    expect(schema.data.__type?.enumValues?.map((v) => v.name)).toEqual(['CHAT', 'CODE', 'CONTENT', 'IMAGE', 'AUDIO', 'EMBEDDING']);

    const typename = await t.op(TypenameDocument, {}, { token: null });
    expect(typename.data).toEqual({ __typename: 'Query' });

    const mixed = await t.op(TypenameAndProvidersDocument, {}, { token: null });
    expect(mixed.status).toBe(401);
    expect(errorCode(mixed)).toBe('UNAUTHENTICATED');
  });

  test('ADMIN_TOKEN bootstraps the user "admin" with role ADMIN', async () => {
    const res = expectOk(await viewer(ADMIN_TOKEN));
    expect(res.viewer).toMatchObject({ name: 'admin', role: 'ADMIN' });
    const users = await query(t, `select name, role from app_user where name = 'admin'`);
    expect(users).toEqual([{ name: 'admin', role: 'ADMIN' }]);
  });
});

describe('a MEMBER', () => {
  test('is the viewer with role MEMBER', async () => {
    expect(expectOk(await viewer(member.token)).viewer).toEqual({ id: member.id, name: 'mia', role: 'MEMBER' });
  });

  test('may read providers, models, active models and history', async () => {
    const res = expectOk(await t.op(MemberReadsEverythingDocument, { id: model.id, provider: 'acme' }, { token: member.token }));
    expect(res.providers).toEqual([{ slug: 'acme', models: [{ name: 'gpt', isActive: true }] }]);
    expect(res.model).toEqual({ name: 'gpt', activeCapabilities: ['CHAT', 'CODE'] });
    expect(res.activeModel).toEqual({ name: 'gpt' });
    expect(res.activeModels).toHaveLength(2);
    expect(res.activationHistory.edges).toHaveLength(2);
  });

  const asMember = () => ({ token: member.token });
  test.each<[string, () => Promise<GqlResult>]>([
    ['createProvider', () => t.op(CreateProviderDocument, { input: { slug: 'mine', name: 'Mine' } }, asMember())],
    [
      'createModel',
      () => t.op(CreateModelSlotsDocument, { input: { provider: 'acme', name: 'mine', modelId: 'm', capabilities: ['CHAT'] } }, asMember()),
    ],
    [
      'createModel(active: true)',
      () =>
        t.op(
          CreateModelSlotsDocument,
          { input: { provider: 'acme', name: 'mine', modelId: 'm', capabilities: ['CHAT'], active: true } },
          asMember(),
        ),
    ],
    ['activateModel', () => t.op(ActivateModelDocument, { input: { modelId: model.id, capabilities: ['CHAT'] } }, asMember())],
    ['deactivateModel', () => t.op(DeactivateModelDocument, { input: { modelId: model.id } }, asMember())],
    ['updateModel', () => t.op(UpdateModelSlotsDocument, { input: { id: model.id, capabilities: ['CODE'] } }, asMember())],
    ['deleteModel', () => t.op(DeleteModelChangesDocument, { id: model.id }, asMember())],
    ['createUser', () => t.op(CreateUserDocument, { input: { name: 'eve', role: 'ADMIN' } }, asMember())],
  ])('may not %s: FORBIDDEN, and nothing changes', async (_label, send) => {
    const snapshot = async () => ({
      providers: await query(t, 'select slug from provider order by slug'),
      models: await query(t, 'select name, capabilities, deleted_at from ai_model order by name'),
      slots: await query(t, 'select capability, model_id, version from activation_slot order by capability'),
      history: await query(t, 'select count(*)::int as n from activation_change'),
      users: await query(t, 'select name, role from app_user order by name'),
    });
    const before = await snapshot();
    const res = await send();
    expect(res.status).toBeLessThan(500);
    expect(errorCode(res)).toBe('FORBIDDEN');
    expect(res.errors![0].message).toMatch(/MEMBER/);
    expect(await snapshot()).toEqual(before);
  });

  test('creates and revokes its own tokens', async () => {
    const created = expectOk(await createToken(member.token, { name: 'laptop' })).createApiToken;
    expect(created.token).toMatch(/^sb_/);
    expect(created.apiToken.user).toEqual({ id: member.id, name: 'mia', role: 'MEMBER' });
    expect(expectOk(await viewer(created.token)).viewer.name).toBe('mia');

    // Naming oneself explicitly is the same.
    const explicit = expectOk(await createToken(member.token, { name: 'ci', userId: member.id })).createApiToken;
    expect(explicit.apiToken.user.id).toBe(member.id);

    const revoked = expectOk(await revoke(member.token, created.apiToken.id)).revokeApiToken;
    expect(revoked).toEqual({ id: created.apiToken.id, name: 'laptop', user: { name: 'mia' } });
    expect(errorCode(await viewer(created.token))).toBe('UNAUTHENTICATED');
    // Its other tokens still work.
    expect(expectOk(await viewer(explicit.token)).viewer.name).toBe('mia');
    expect(expectOk(await viewer(member.token)).viewer.name).toBe('mia');
  });

  test("may not create a token for someone else (FORBIDDEN) or revoke someone else's (NOT_FOUND)", async () => {
    const forOther = await createToken(member.token, { name: 'evil', userId: other.id });
    expect(errorCode(forOther)).toBe('FORBIDDEN');
    const forAdmin = await createToken(member.token, { name: 'evil', userId: (await viewer(ADMIN_TOKEN)).data.viewer.id });
    expect(errorCode(forAdmin)).toBe('FORBIDDEN');
    const [count] = await query(t, `select count(*)::int as n from api_token where name = 'evil'`);
    expect(count.n).toBe(0);

    const res = await revoke(member.token, other.tokenId);
    expect(errorCode(res)).toBe('NOT_FOUND');
    // The same answer as for a token that does not exist: nothing is revealed.
    expect(errorCode(await revoke(member.token, '00000000-0000-4000-8000-000000000000'))).toBe('NOT_FOUND');
    expect(expectOk(await viewer(other.token)).viewer.name).toBe('otto');
  });
});

describe('an ADMIN', () => {
  test('creates tokens for anyone, and they act as that user', async () => {
    const created = expectOk(await createToken(ADMIN_TOKEN, { name: 'for-otto', userId: other.id })).createApiToken;
    expect(created.apiToken.user).toEqual({ id: other.id, name: 'otto', role: 'MEMBER' });
    expect(expectOk(await viewer(created.token)).viewer).toEqual({ id: other.id, name: 'otto', role: 'MEMBER' });
    // An ADMIN may revoke it, too.
    expectOk(await revoke(ADMIN_TOKEN, created.apiToken.id));
    expect(errorCode(await viewer(created.token))).toBe('UNAUTHENTICATED');
  });

  test('a token for an unknown user is NOT_FOUND', async () => {
    expect(errorCode(await createToken(ADMIN_TOKEN, { name: 'ghost', userId: '00000000-0000-4000-8000-000000000000' }))).toBe('NOT_FOUND');
  });

  test('createUser with a taken name is CONFLICT', async () => {
    const res = await t.op(CreateUserDocument, { input: { name: 'mia', role: 'ADMIN' } });
    expect(errorCode(res)).toBe('CONFLICT');
    expect(res.errors![0].message).toMatch(/mia/);
    expect(errorCode(await t.op(CreateUserDocument, { input: { name: 'admin', role: 'MEMBER' } }))).toBe('CONFLICT');
    expect(await query(t, `select role from app_user where name = 'mia'`)).toEqual([{ role: 'MEMBER' }]);
  });

  test('a created ADMIN user may do admin things with its token', async () => {
    const boss = await createMember(t, 'boss', 'ADMIN');
    secrets.push(boss.token);
    expect(expectOk(await viewer(boss.token)).viewer.role).toBe('ADMIN');
    expectOk(await t.op(CreateProviderDocument, { input: { slug: 'boss-made', name: 'Boss' } }, { token: boss.token }));
  });
});

describe('revocation', () => {
  test('a revoked token stops working on the very next request', async () => {
    const created = expectOk(await createToken(member.token, { name: 'short-lived' })).createApiToken;
    // Used (so any cache would be warm), then revoked, then used again at once.
    expect(expectOk(await viewer(created.token)).viewer.name).toBe('mia');
    expectOk(await revoke(created.token, created.apiToken.id)); // a token may revoke itself
    const next = await viewer(created.token);
    expect(next.status).toBe(401);
    expect(errorCode(next)).toBe('UNAUTHENTICATED');
    const [row] = await query(t, 'select revoked_at from api_token where id = $1', [created.apiToken.id]);
    expect(row.revoked_at).toBeInstanceOf(Date);
  });

  test('revoking twice is harmless', async () => {
    const created = expectOk(await createToken(member.token, { name: 'twice' })).createApiToken;
    expectOk(await revoke(member.token, created.apiToken.id));
    expectOk(await revoke(member.token, created.apiToken.id));
    expect(errorCode(await viewer(created.token))).toBe('UNAUTHENTICATED');
  });
});

describe('token storage', () => {
  test('only hashes are stored: no secret appears anywhere in api_token', async () => {
    const rows = await query(t, 'select row_to_json(api_token)::text as json, token_hash from api_token');
    expect(rows.length).toBeGreaterThanOrEqual(secrets.length);
    const dump = rows.map((r) => r.json).join('\n');
    for (const secret of secrets) {
      expect(dump).not.toContain(secret);
      expect(rows.map((r) => r.token_hash)).toContain(sha256(secret));
    }
    // And nowhere else in the database either.
    const tables = await query(
      t,
      `select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'`,
    );
    for (const { table_name } of tables) {
      const all = await query(t, `select coalesce(string_agg(row_to_json(x)::text, ''), '') as s from "${table_name}" x`);
      for (const secret of secrets) expect(all[0].s).not.toContain(secret);
    }
  });
});

describe('restart with a different ADMIN_TOKEN', () => {
  test('revokes the old token, the new one works as "admin", other tokens survive', async () => {
    const rotated = 'rotated-admin-token-fedcba9876543210';
    const adminId = expectOk(await viewer(ADMIN_TOKEN)).viewer.id;
    // An instance still running meanwhile, with the old token in its token cache. Instances share
    // invalidations through Redis (without REDIS_URL a server is one instance on its own, like `t`).
    const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
    const running = await startTestServer({ databaseUrl: t.databaseUrl, redisUrl });
    expect(expectOk(await running.op(ViewerIdentityDocument)).viewer.id).toBe(adminId);
    const second = await startTestServer({ databaseUrl: t.databaseUrl, adminToken: rotated, redisUrl });
    try {
      const viaSecond = (token: string) => second.op(ViewerIdentityDocument, {}, { token });
      expect(expectOk(await viaSecond(rotated)).viewer).toEqual({ id: adminId, name: 'admin', role: 'ADMIN' });
      const old = await second.op(ViewerNameDocument, {}, { token: ADMIN_TOKEN });
      expect(old.status).toBe(401);
      expect(errorCode(old)).toBe('UNAUTHENTICATED');
      // The other instance drops it on the AUTH_CHANGED event that bootstrapAdmin published.
      const onRunning = await waitFor(
        () => running.op(ViewerNameDocument, {}, { token: ADMIN_TOKEN }),
        (res) => res.status === 401,
        { timeoutMs: 2000, what: 'the running instance to drop the old ADMIN_TOKEN' },
      );
      expect(onRunning.status).toBe(401);
      expect(errorCode(onRunning)).toBe('UNAUTHENTICATED');
      expect(expectOk(await viaSecond(member.token)).viewer.name).toBe('mia');
      const stored = await query(t, 'select token_hash, revoked_at from api_token where from_env order by created_at');
      expect(stored.find((r) => r.token_hash === sha256(ADMIN_TOKEN))?.revoked_at).toBeInstanceOf(Date);
      expect(stored.find((r) => r.token_hash === sha256(rotated))?.revoked_at).toBeNull();
      const dump = (await query(t, 'select row_to_json(api_token)::text as json from api_token')).map((r) => r.json).join('\n');
      expect(dump).not.toContain(rotated);
    } finally {
      await second.close();
      await running.close();
    }
  });
});
