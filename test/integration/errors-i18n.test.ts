import { Writable } from 'node:stream';
import pino from 'pino';
import { translate } from '../../src/common/i18n/translate';
import { SecretBox } from '../../src/common/secret-box';
import { loadConfig } from '../../src/config/config';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { ADMIN_TOKEN, startTestServer, type GqlBody, type GqlResult, type TestServer } from '../helpers/test-server';
import { createProvider, errorCode, expectOk, query } from '../helpers/factories';
import {
  ActiveModelDocument,
  CreateModelSlotsDocument,
  CreateProviderDocument,
  CreateProviderSharedKeyDocument,
  HistoryCursorsDocument,
  ModelStateDocument,
  ProviderSharedKeyDocument,
  ProviderTypeFieldsDocument,
  ViewerNameDocument,
} from '../generated/graphql';

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

/** A raw operation: only for what a typed document cannot say (malformed or built at run time). */
async function gql(q: string, variables: Record<string, unknown> = {}, locale?: string) {
  const res = await t.gql(q, variables, { locale });
  statuses.push(res.status);
  return res;
}

async function op<R, V extends Record<string, unknown>>(
  document: TypedDocumentNode<R, V>,
  variables: V,
  locale?: string,
): Promise<GqlResult<R>> {
  const res = await t.op(document, variables, { locale });
  statuses.push(res.status);
  return res;
}

/** Variables that deliberately do not match the operation's types (the server must answer with a coded error). */
const illTyped = <V>(variables: Record<string, unknown>) => variables as unknown as V;

async function raw(path: string, init: RequestInit & { token?: string | null } = {}) {
  const headers = new Headers(init.headers);
  if (init.token !== null) headers.set('authorization', `Bearer ${init.token ?? ADMIN_TOKEN}`);
  const res = await fetch(`${t.url}${path}`, { ...init, headers });
  statuses.push(res.status);
  const text = await res.text();
  let body: GqlBody | undefined;
  try {
    body = JSON.parse(text) as GqlBody;
  } catch {
    body = undefined;
  }
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', text, body };
}

const badProvider = (locale?: string) => op(CreateProviderDocument, { input: { slug: 'Bad Slug', name: ' ' } }, locale);
const PERSIAN = /[\u0600-\u06FF]/;

describe('validation errors', () => {
  test('are BAD_USER_INPUT with one message per field problem, in English by default', async () => {
    const res = await badProvider();
    expect(res.status).toBe(200);
    expect(res.errors).toHaveLength(1);
    const [err] = res.errors!;
    expect(err.extensions!.code).toBe('BAD_USER_INPUT');
    const fields = err.extensions!.fields!;
    expect(fields.map((f) => f.field)).toEqual(expect.arrayContaining(['slug', 'name']));
    expect(fields.find((f) => f.field === 'slug')!.message).toBe(translate('en', 'input.slug', { field: 'slug' }));
    expect(fields.find((f) => f.field === 'name')!.message).toBe(translate('en', 'input.blank', { field: 'name' }));
    expect(err.message).toMatch(/^Invalid input: /);
    expect(err.message).toContain(fields[0].message);
    expect(err.message).not.toMatch(PERSIAN);
    expect(await query(t, `select 1 from provider where slug = 'Bad Slug'`)).toEqual([]);
  });

  test.each(['fa', 'fa-IR,fa;q=0.9', 'FA', 'de;q=1, fa;q=0.5'])('are in Persian with Accept-Language %j', async (locale) => {
    const res = await badProvider(locale);
    const [err] = res.errors!;
    expect(err.extensions!.code).toBe('BAD_USER_INPUT');
    const fields = err.extensions!.fields!;
    expect(fields.find((f) => f.field === 'slug')!.message).toBe(translate('fa', 'input.slug', { field: 'slug' }));
    expect(err.message).toMatch(PERSIAN);
    expect(err.message.startsWith(translate('fa', 'input.invalid', { details: '' }))).toBe(true);
  });

  test.each(['de', 'zh-CN', 'fa;q=0', '*', 'not a locale;;;', 'en-US,en;q=0.9'])(
    'fall back to English with Accept-Language %j',
    async (locale) => {
      const res = await badProvider(locale);
      const [err] = res.errors!;
      expect(err.extensions!.code).toBe('BAD_USER_INPUT');
      expect(err.message).not.toMatch(PERSIAN);
      expect((err.extensions!.fields as { field: string; message: string }[]).find((f) => f.field === 'slug')!.message).toBe(
        translate('en', 'input.slug', { field: 'slug' }),
      );
    },
  );

  test('name the field for models, too (capabilities, name, modelId)', async () => {
    const res = await op(CreateModelSlotsDocument, { input: { provider: 'taken', name: 'has space', modelId: '', capabilities: [] } });
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    const fields = (res.errors![0].extensions!.fields as { field: string }[]).map((f) => f.field);
    expect(fields).toEqual(expect.arrayContaining(['name', 'modelId', 'capabilities']));
  });

  test('of arguments (first out of range) say which argument, in Persian too', async () => {
    const res = await op(HistoryCursorsDocument, { provider: 'taken', first: 0 }, 'fa');
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(res.errors![0].message).toMatch(/first/);
    expect(res.errors![0].message).toMatch(PERSIAN);
  });
});

describe('other coded errors', () => {
  test('a duplicate slug is CONFLICT, localized', async () => {
    const en = await op(CreateProviderDocument, { input: { slug: 'taken', name: 'Again' } });
    expect(errorCode(en)).toBe('CONFLICT');
    expect(en.errors![0].message).toBe(translate('en', 'provider.slugTaken', { slug: 'taken' }));
    const fa = await op(CreateProviderDocument, { input: { slug: 'taken', name: 'Again' } }, 'fa');
    expect(errorCode(fa)).toBe('CONFLICT');
    expect(fa.errors![0].message).toBe(translate('fa', 'provider.slugTaken', { slug: 'taken' }));
  });

  test('NOT_FOUND and UNAUTHENTICATED are localized as well', async () => {
    const nf = await op(ActiveModelDocument, { provider: 'nope', capability: 'CHAT' }, 'fa');
    expect(errorCode(nf)).toBe('NOT_FOUND');
    expect(nf.errors![0].message).toBe(translate('fa', 'provider.notFound', { slug: 'nope' }));
    // Warm misses share one ready-made error: each answer is still in its caller's language.
    for (const locale of ['en', 'fa', 'en'] as const) {
      const again = await op(ActiveModelDocument, { provider: 'nope', capability: 'CHAT' }, locale);
      expect(again.errors![0].message).toBe(translate(locale, 'provider.notFound', { slug: 'nope' }));
      expect(again.errors![0].path).toEqual(['activeModel']);
    }
    const unauth = await t.op(ViewerNameDocument, {}, { token: null, locale: 'fa' });
    statuses.push(unauth.status);
    expect(errorCode(unauth)).toBe('UNAUTHENTICATED');
    expect(unauth.errors![0].message).toBe(translate('fa', 'auth.unauthenticated'));
  });

  // The next two are raw on purpose: a typed document cannot be unparsable or ask for an unknown field/enum value.
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

  test.each<[string, () => Promise<GqlResult>]>([
    ['a string for an Int', () => op(HistoryCursorsDocument, illTyped({ provider: 'taken', first: 'ten' }))],
    ['an unknown enum value', () => op(ActiveModelDocument, illTyped({ provider: 'taken', capability: 'TELEPATHY' }))],
    ['a missing required variable', () => op(ActiveModelDocument, illTyped({ provider: 'taken' }))],
    ['a malformed DateTime', () => op(ActiveModelDocument, { provider: 'taken', capability: 'CHAT', at: 'last tuesday' })],
    ['an object for an ID', () => op(ModelStateDocument, illTyped({ id: { nested: true } }))],
  ])('a variable of the wrong type (%s) is a coded client error, not a 500', async (_label, send) => {
    const res = await send();
    expect(res.status).toBeGreaterThanOrEqual(200);
    expect(res.status).toBeLessThan(500);
    expect(['BAD_USER_INPUT', 'GRAPHQL_VALIDATION_FAILED']).toContain(errorCode(res));
  });

  test('a malformed JSON body is a 400 JSON error with code BAD_REQUEST, localized', async () => {
    for (const [locale, lang] of [
      ['en', 'en'],
      ['fa', 'fa'],
    ] as const) {
      const res = await raw('/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'accept-language': locale },
        body: '{"query": "{ viewer { name } }"',
      });
      expect(res.status).toBe(400);
      expect(res.contentType).toMatch(/application\/json/);
      expect(res.body!.errors![0].extensions!.code).toBe('BAD_REQUEST');
      expect(res.body!.errors![0].message).toBe(translate(lang, 'request.badJson'));
    }
  });

  test('a body without a query is a 400 JSON error with a code', async () => {
    const res = await raw('/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(res.status).toBe(400);
    expect(res.contentType).toMatch(/application\/json/);
    expect(res.body!.errors![0].extensions!.code).toBe('BAD_REQUEST');
  });

  test('an unknown route is a JSON 404 with code NOT_FOUND', async () => {
    for (const [method, path] of [
      ['GET', '/nowhere'],
      ['POST', '/graphql/extra'],
      ['DELETE', '/graphql'],
    ]) {
      const res = await raw(path, { method });
      expect(res.status).toBe(404);
      expect(res.contentType).toMatch(/application\/json/);
      expect(res.body!.errors![0].extensions!.code).toBe('NOT_FOUND');
      expect(res.body!.errors![0].message).toContain(path);
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
      await op(CreateProviderSharedKeyDocument, { input: { slug: 'keyed', name: 'Keyed', sharedApiKey: KEY, sharedApiEnabled: true } }),
    );
    expect(created.createProvider).toEqual({ slug: 'keyed', sharedApiEnabled: true, hasSharedApiKey: true });

    // No field of the schema exposes it: the whole Provider, read back with every scalar field, does not contain it.
    const type = expectOk(await op(ProviderTypeFieldsDocument, {}));
    const scalarFields = (type.__type?.fields ?? [])
      .filter((f) => (f.type.ofType?.kind ?? f.type.kind) === 'SCALAR' || (f.type.ofType?.kind ?? f.type.kind) === 'ENUM')
      .map((f) => f.name);
    expect(scalarFields).toContain('hasSharedApiKey');
    // Raw on purpose: the selection is every scalar field the schema has today, found by introspection.
    const read = await gql(`{ providers { ${scalarFields.join(' ')} } provider(slug: "keyed") { ${scalarFields.join(' ')} } }`);
    expect(read.errors).toBeUndefined();
    expect(JSON.stringify(read.data)).not.toContain(KEY);
    expect(JSON.stringify(read.data)).not.toContain(KEY.slice(0, 12));

    const [row] = await query(
      t,
      `select row_to_json(provider)::text as json, shared_api_key_encrypted as enc from provider where slug = 'keyed'`,
    );
    expect(row.json).not.toContain(KEY);
    expect(row.enc).toMatch(/^v1:/);
    expect(new SecretBox(loadConfig({}).encryptionKey).decrypt(row.enc)).toBe(KEY);
    expect(new SecretBox(t.config.encryptionKey).decrypt(row.enc)).toBe(KEY);

    // Nor is it ever logged.
    expect(logLines.length).toBeGreaterThan(0);
    expect(logLines.join('\n')).not.toContain(KEY);
  });

  test('a provider without a key says hasSharedApiKey false', async () => {
    expect(expectOk(await op(ProviderSharedKeyDocument, { slug: 'taken' })).provider?.hasSharedApiKey).toBe(false);
  });
});
