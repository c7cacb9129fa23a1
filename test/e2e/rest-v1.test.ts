import { createMember, createModel, createProvider, expectOk, activate, type ModelRef } from '../helpers/factories';
import { redisProcess, type RedisProcess } from '../helpers/server-process';
import { ADMIN_TOKEN, startTestServer, type TestServer } from '../helpers/test-server';

/**
 * GET /api/v1/ai-models/active_model/: the first version's REST endpoint (clients.md part 1),
 * compared field by field with the GraphQL answer, on two instances sharing a database and Redis.
 */

jest.setTimeout(120_000);

let redis: RedisProcess;
let t: TestServer;
let other: TestServer;
let models: Record<string, ModelRef>;
let memberToken: string;

const PATH = '/api/v1/ai-models/active_model/';

async function rest(server: TestServer, params: Record<string, string>, headers: Record<string, string> = {}, path = PATH) {
  const qs = new URLSearchParams(params).toString();
  const res = await fetch(`${server.url}${path}${qs ? `?${qs}` : ''}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...headers } });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, body: text ? JSON.parse(text) : null };
}

/** The result of GQL_ACTIVE. */
interface ActiveQuery {
  activeModel: {
    id: string;
    name: string;
    modelId: string;
    displayName: string;
    capabilities: string[];
    activeCapabilities: string[];
    isActive: boolean;
    provider: { slug: string; name: string };
  };
  activeModels: { capability: string; version: number; model: { id: string } | null }[];
}

const GQL_ACTIVE = `query($p: String!, $c: Capability!) {
  activeModel(provider: $p, capability: $c) { id name modelId displayName capabilities activeCapabilities isActive provider { slug name } }
  activeModels(provider: $p) { capability version model { id } }
}`;

beforeAll(async () => {
  redis = await redisProcess();
  t = await startTestServer({ redisUrl: redis.url });
  other = await startTestServer({ redisUrl: redis.url, databaseUrl: t.databaseUrl });
  await createProvider(t, 'openrouter', { name: 'OpenRouter' });
  models = {
    sonnet: await createModel(t, 'openrouter', 'claude-3.5-sonnet', ['CODE', 'CHAT'], {
      modelId: 'anthropic/claude-3.5-sonnet',
      displayName: 'Claude 3.5 Sonnet',
    }),
    gpt: await createModel(t, 'openrouter', 'gpt-4o', ['CHAT'], { modelId: 'openai/gpt-4o' }),
  };
  expectOk(await activate(t, models.sonnet.id, { capabilities: ['CHAT'] }));
  memberToken = (await createMember(t, 'legacy-service')).token;
});

afterAll(async () => {
  await other?.close();
  await t?.close();
  await redis?.kill();
});

test('200: the envelope and every field agree with the GraphQL activeModel (Persian by default header, English on request)', async () => {
  const gql = expectOk(await t.gql<ActiveQuery>(GQL_ACTIVE, { p: 'openrouter', c: 'CHAT' }));
  const g = gql.activeModel;
  const version = gql.activeModels.find((s) => s.capability === 'CHAT')!.version;

  const fa = await rest(t, { provider: 'openrouter', capability: 'chat' }, { 'accept-language': 'fa' });
  expect(fa.status).toBe(200);
  expect(fa.body.metaData).toEqual({ status: 'success', message: 'مدل فعال دریافت شد' });
  expect(fa.body.data).toEqual({
    id: g.id,
    name: g.name,
    model_id: g.modelId,
    display_name: g.displayName,
    provider_name: g.provider.name,
    provider: g.provider.slug,
    is_active: g.isActive,
    capabilities: ['chat', 'code'], // lower case, in the enum's order (created as CODE, CHAT)
    active_capabilities: g.activeCapabilities.map((c) => c.toLowerCase()),
    version,
  });
  expect([...g.capabilities].sort()).toEqual(['CHAT', 'CODE']);
  expect(fa.body.data).toMatchObject({
    name: 'claude-3.5-sonnet',
    model_id: 'anthropic/claude-3.5-sonnet',
    display_name: 'Claude 3.5 Sonnet',
    provider_name: 'OpenRouter',
    active_capabilities: ['chat'],
    is_active: true,
  });
  expect(fa.headers.get('etag')).toBe(`"openrouter:CHAT:${version}"`);
  expect(fa.headers.get('cache-control')).toBe('no-cache');
  expect(fa.headers.get('content-type')).toMatch(/^application\/json/);

  const en = await rest(t, { provider: 'openrouter', capability: 'CHAT' }, { 'accept-language': 'en' }, PATH.slice(0, -1));
  expect(en.status).toBe(200);
  expect(en.body.metaData.message).toBe('Active model retrieved');
  expect(en.body.data).toEqual(fa.body.data);
});

test('a MEMBER token may read', async () => {
  const res = await rest(t, { provider: 'openrouter', capability: 'chat' }, { authorization: `Bearer ${memberToken}` });
  expect(res.status).toBe(200);
  expect(res.body.data.name).toBe('claude-3.5-sonnet');
});

test('ETag: a matching If-None-Match gets 304 with no body; after a switch the tag moves on', async () => {
  const first = await rest(t, { provider: 'openrouter', capability: 'chat' });
  const etag = first.headers.get('etag')!;
  expect(etag).not.toMatch(/^W\//);
  const again = await rest(t, { provider: 'openrouter', capability: 'chat' }, { 'if-none-match': etag });
  expect(again.status).toBe(304);
  expect(again.text).toBe('');
  expect(again.headers.get('etag')).toBe(etag);

  expectOk(await activate(t, models.gpt.id, { capabilities: ['CHAT'] }));
  const after = await rest(t, { provider: 'openrouter', capability: 'chat' }, { 'if-none-match': etag });
  expect(after.status).toBe(200);
  expect(after.body.data.name).toBe('gpt-4o');
  expect(after.headers.get('etag')).toBe(`"openrouter:CHAT:${first.body.data.version + 1}"`);
  expectOk(await activate(t, models.sonnet.id, { capabilities: ['CHAT'] }));
});

test('read-after-write on another instance: never staler than the GraphQL query', async () => {
  for (const m of [models.gpt, models.sonnet, models.gpt, models.sonnet]) {
    const changes = expectOk(await activate(t, m.id, { capabilities: ['CHAT'] })).activateModel.changes;
    const r = await rest(other, { provider: 'openrouter', capability: 'chat' });
    const g = expectOk(await other.gql<ActiveQuery>(GQL_ACTIVE, { p: 'openrouter', c: 'CHAT' }));
    expect(r.body.data.id).toBe(m.id);
    expect(r.body.data.version).toBe(changes[0].version);
    expect(g.activeModel.id).toBe(r.body.data.id);
  }
});

test.each([
  ['missing provider', { capability: 'chat' }, {}, 400, 'BAD_USER_INPUT', /provider/],
  ['missing capability', { provider: 'openrouter' }, {}, 400, 'BAD_USER_INPUT', /capability/],
  ['unknown capability', { provider: 'openrouter', capability: 'video' }, {}, 400, 'BAD_USER_INPUT', /video/],
  ['no token', { provider: 'openrouter', capability: 'chat' }, { authorization: '' }, 401, 'UNAUTHENTICATED', /token/i],
  [
    'bad token',
    { provider: 'openrouter', capability: 'chat' },
    { authorization: 'Bearer nope-nope-nope-nope' },
    401,
    'UNAUTHENTICATED',
    /token/i,
  ],
  ['unknown provider', { provider: 'nobody', capability: 'chat' }, {}, 404, 'NOT_FOUND', /nobody/],
  ['empty slot', { provider: 'openrouter', capability: 'image' }, {}, 404, 'NO_ACTIVE_MODEL', /IMAGE/],
] as const)(
  '%s: the HTTP status and the code in the envelope, in English and Persian',
  async (_name, params, headers, status, code, message) => {
    const en = await rest(t, params, { ...headers, 'accept-language': 'en' });
    expect(en.status).toBe(status);
    expect(en.body).toEqual({ metaData: { status: 'error', message: expect.stringMatching(message), code }, data: null });
    const fa = await rest(t, params, { ...headers, 'accept-language': 'fa' });
    expect(fa.status).toBe(status);
    expect(fa.body.metaData.code).toBe(code);
    expect(fa.body.metaData.message).toMatch(/[\u0600-\u06FF]/);
    expect(fa.body.metaData.message).not.toBe(en.body.metaData.message);
  },
);
