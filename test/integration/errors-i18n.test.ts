import { Writable } from 'node:stream';
import pino from 'pino';
import { translate } from '../../src/common/i18n/translate';
import { SecretBox } from '../../src/common/secret-box';
import { loadConfig } from '../../src/config/config';
import { ADMIN_TOKEN, startTestServer, type TestServer } from '../helpers/test-server';
import { createProvider, errorCode, expectOk, query } from '../helpers/factories';

/** Every failure is a coded JSON error in the caller's language; nothing is a 500; secrets stay secret. */

let t: TestServer;
const logLines: string[] = [];
/** Every HTTP status seen by this file: none may be 500. */
const statuses: number[] = [];

beforeAll(async () => {
  // Log everything the server says, to check no secret is ever written there.
  const sink = new Writable({
    write(chunk, _enc, done) {
      logLines.push(String(chunk));
      done();
    },
  });
  t = await startTestServer({}, { logger: pino({ level: 'trace' }, sink) });
  await createProvider(t, 'taken');
});
afterAll(async () => {
  expect(statuses.filter((s) => s >= 500)).toEqual([]);
  await t?.close();
});

async function gql(q: string, variables: Record<string, unknown> = {}, locale?: string) {
  const res = await t.gql(q, variables, { locale });
  statuses.push(res.status);
  return res;
}

async function raw(path: string, init: RequestInit & { token?: string | null } = {}) {
  const headers = new Headers(init.headers);
  if (init.token !== null) headers.set('authorization', `Bearer ${init.token ?? ADMIN_TOKEN}`);
  const res = await fetch(`${t.url}${path}`, { ...init, headers });
  statuses.push(res.status);
  const text = await res.text();
  let body: any;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', text, body };
}

const BAD_PROVIDER = `mutation { createProvider(input: {slug: "Bad Slug", name: " "}) { id } }`;
const PERSIAN = /[\u0600-\u06FF]/;

describe('validation errors', () => {
  test('are BAD_USER_INPUT with one message per field problem, in English by default', async () => {
    const res = await gql(BAD_PROVIDER);
    expect(res.status).toBe(200);
    expect(res.errors).toHaveLength(1);
    const [err] = res.errors!;
    expect(err.extensions!.code).toBe('BAD_USER_INPUT');
    const fields: { field: string; message: string }[] = err.extensions!.fields;
    expect(fields.map((f) => f.field)).toEqual(expect.arrayContaining(['slug', 'name']));
    expect(fields.find((f) => f.field === 'slug')!.message).toBe(translate('en', 'input.slug', { field: 'slug' }));
    expect(fields.find((f) => f.field === 'name')!.message).toBe(translate('en', 'input.blank', { field: 'name' }));
    expect(err.message).toMatch(/^Invalid input: /);
    expect(err.message).toContain(fields[0].message);
    expect(err.message).not.toMatch(PERSIAN);
    expect(await query(t, `select 1 from provider where slug = 'Bad Slug'`)).toEqual([]);
  });

  test.each(['fa', 'fa-IR,fa;q=0.9', 'FA', 'de;q=1, fa;q=0.5'])('are in Persian with Accept-Language %j', async (locale) => {
    const res = await gql(BAD_PROVIDER, {}, locale);
    const [err] = res.errors!;
    expect(err.extensions!.code).toBe('BAD_USER_INPUT');
    const fields: { field: string; message: string }[] = err.extensions!.fields;
    expect(fields.find((f) => f.field === 'slug')!.message).toBe(translate('fa', 'input.slug', { field: 'slug' }));
    expect(err.message).toMatch(PERSIAN);
    expect(err.message.startsWith(translate('fa', 'input.invalid', { details: '' }))).toBe(true);
  });

  test.each(['de', 'zh-CN', 'fa;q=0', '*', 'not a locale;;;', 'en-US,en;q=0.9'])('fall back to English with Accept-Language %j', async (locale) => {
    const res = await gql(BAD_PROVIDER, {}, locale);
    const [err] = res.errors!;
    expect(err.extensions!.code).toBe('BAD_USER_INPUT');
    expect(err.message).not.toMatch(PERSIAN);
    expect(err.extensions!.fields.find((f: any) => f.field === 'slug').message).toBe(translate('en', 'input.slug', { field: 'slug' }));
  });

  test('name the field for models, too (capabilities, name, modelId)', async () => {
    const res = await gql(`mutation { createModel(input: {provider: "taken", name: "has space", modelId: "", capabilities: []}) { id } }`);
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    const fields = res.errors![0].extensions!.fields.map((f: any) => f.field);
    expect(fields).toEqual(expect.arrayContaining(['name', 'modelId', 'capabilities']));
  });

  test('of arguments (first out of range) say which argument, in Persian too', async () => {
    const res = await gql(`{ activationHistory(provider: "taken", first: 0) { edges { cursor } } }`, {}, 'fa');
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(res.errors![0].message).toMatch(/first/);
    expect(res.errors![0].message).toMatch(PERSIAN);
  });
});

describe('other coded errors', () => {
  test('a duplicate slug is CONFLICT, localized', async () => {
    const en = await gql(`mutation { createProvider(input: {slug: "taken", name: "Again"}) { id } }`);
    expect(errorCode(en)).toBe('CONFLICT');
    expect(en.errors![0].message).toBe(translate('en', 'provider.slugTaken', { slug: 'taken' }));
    const fa = await gql(`mutation { createProvider(input: {slug: "taken", name: "Again"}) { id } }`, {}, 'fa');
    expect(errorCode(fa)).toBe('CONFLICT');
    expect(fa.errors![0].message).toBe(translate('fa', 'provider.slugTaken', { slug: 'taken' }));
  });

  test('NOT_FOUND and UNAUTHENTICATED are localized as well', async () => {
    const nf = await gql(`{ activeModel(provider: "nope", capability: CHAT) { id } }`, {}, 'fa');
    expect(errorCode(nf)).toBe('NOT_FOUND');
    expect(nf.errors![0].message).toBe(translate('fa', 'provider.notFound', { slug: 'nope' }));
    const unauth = await t.gql(`{ viewer { name } }`, {}, { token: null, locale: 'fa' });
    statuses.push(unauth.status);
    expect(errorCode(unauth)).toBe('UNAUTHENTICATED');
    expect(unauth.errors![0].message).toBe(translate('fa', 'auth.unauthenticated'));
  });

  test('a parse error is GRAPHQL_PARSE_FAILED', async () => {
    const res = await gql(`{ providers { slug `);
    expect(res.status).toBe(400);
    expect(errorCode(res)).toBe('GRAPHQL_PARSE_FAILED');
  });

  test('an unknown field is GRAPHQL_VALIDATION_FAILED', async () => {
    const res = await gql(`{ providers { slug secretKey } }`);
    expect(res.status).toBe(400);
    expect(errorCode(res)).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  test('an unknown enum value is GRAPHQL_VALIDATION_FAILED', async () => {
    const res = await gql(`{ activeModel(provider: "taken", capability: TELEPATHY) { id } }`);
    expect(errorCode(res)).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  test.each([
    ['a string for an Int', `query($first: Int) { activationHistory(provider: "taken", first: $first) { edges { cursor } } }`, { first: 'ten' }],
    ['an unknown enum value', `query($c: Capability!) { activeModel(provider: "taken", capability: $c) { id } }`, { c: 'TELEPATHY' }],
    ['a missing required variable', `query($c: Capability!) { activeModel(provider: "taken", capability: $c) { id } }`, {}],
    ['a malformed DateTime', `query($at: DateTime) { activeModel(provider: "taken", capability: CHAT, at: $at) { id } }`, { at: 'last tuesday' }],
    ['an object for an ID', `query($id: ID!) { model(id: $id) { id } }`, { id: { nested: true } }],
  ])('a variable of the wrong type (%s) is a coded client error, not a 500', async (_label, q, variables) => {
    const res = await gql(q, variables);
    expect(res.status).toBeGreaterThanOrEqual(200);
    expect(res.status).toBeLessThan(500);
    expect(['BAD_USER_INPUT', 'GRAPHQL_VALIDATION_FAILED']).toContain(errorCode(res));
  });

  test('a malformed JSON body is a 400 JSON error with code BAD_REQUEST, localized', async () => {
    for (const [locale, lang] of [['en', 'en'], ['fa', 'fa']] as const) {
      const res = await raw('/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'accept-language': locale },
        body: '{"query": "{ viewer { name } }"',
      });
      expect(res.status).toBe(400);
      expect(res.contentType).toMatch(/application\/json/);
      expect(res.body.errors[0].extensions.code).toBe('BAD_REQUEST');
      expect(res.body.errors[0].message).toBe(translate(lang, 'request.badJson'));
    }
  });

  test('a body without a query is a 400 JSON error with a code', async () => {
    const res = await raw('/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(res.status).toBe(400);
    expect(res.contentType).toMatch(/application\/json/);
    expect(res.body.errors[0].extensions.code).toBe('BAD_REQUEST');
  });

  test('an unknown route is a JSON 404 with code NOT_FOUND', async () => {
    for (const [method, path] of [['GET', '/nowhere'], ['POST', '/graphql/extra'], ['DELETE', '/graphql']]) {
      const res = await raw(path, { method });
      expect(res.status).toBe(404);
      expect(res.contentType).toMatch(/application\/json/);
      expect(res.body.errors[0].extensions.code).toBe('NOT_FOUND');
      expect(res.body.errors[0].message).toContain(path);
    }
  });

  test('health answers JSON', async () => {
    const res = await raw('/healthz', { token: null });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });
});

describe('a provider shared API key', () => {
  const KEY = 'sk-live-VERY-secret-key-1234567890';

  test('is never returned (hasSharedApiKey true) and is stored encrypted', async () => {
    const created = expectOk(
      await gql(
        `mutation($input: CreateProviderInput!) { createProvider(input: $input) { slug sharedApiEnabled hasSharedApiKey } }`,
        { input: { slug: 'keyed', name: 'Keyed', sharedApiKey: KEY, sharedApiEnabled: true } },
      ),
    );
    expect(created.createProvider).toEqual({ slug: 'keyed', sharedApiEnabled: true, hasSharedApiKey: true });

    // No field of the schema exposes it: the whole Provider, read back with every scalar field, does not contain it.
    const type = expectOk(await gql(`{ __type(name: "Provider") { fields { name type { kind ofType { kind } } } } }`));
    const scalarFields = type.__type.fields
      .filter((f: any) => (f.type.ofType?.kind ?? f.type.kind) === 'SCALAR' || (f.type.ofType?.kind ?? f.type.kind) === 'ENUM')
      .map((f: any) => f.name);
    expect(scalarFields).toContain('hasSharedApiKey');
    const read = await gql(`{ providers { ${scalarFields.join(' ')} } provider(slug: "keyed") { ${scalarFields.join(' ')} } }`);
    expect(read.errors).toBeUndefined();
    expect(JSON.stringify(read.data)).not.toContain(KEY);
    expect(JSON.stringify(read.data)).not.toContain(KEY.slice(0, 12));

    const [row] = await query(t, `select row_to_json(provider)::text as json, shared_api_key_encrypted as enc from provider where slug = 'keyed'`);
    expect(row.json).not.toContain(KEY);
    expect(row.enc).toMatch(/^v1:/);
    expect(new SecretBox(loadConfig({}).encryptionKey).decrypt(row.enc)).toBe(KEY);
    expect(new SecretBox(t.config.encryptionKey).decrypt(row.enc)).toBe(KEY);

    // Nor is it ever logged.
    expect(logLines.length).toBeGreaterThan(0);
    expect(logLines.join('\n')).not.toContain(KEY);
  });

  test('a provider without a key says hasSharedApiKey false', async () => {
    expect(expectOk(await gql(`{ provider(slug: "taken") { hasSharedApiKey } }`)).provider.hasSharedApiKey).toBe(false);
  });
});
