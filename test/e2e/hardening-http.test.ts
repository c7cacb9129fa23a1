import { createHash } from 'node:crypto';
import { getIntrospectionQuery } from 'graphql';
import { createMember, createModel, createProvider, activate, expectOk, type MemberRef } from '../helpers/factories';
import { captureLogger } from '../helpers/gateway-fixtures';
import { consoleDocuments } from '../helpers/console-documents';
import { ADMIN_TOKEN, startTestServer, type TestServer } from '../helpers/test-server';

/** Issue 9: one small query must never take the server down, and no client mistake is a 500. */

function fragmentBomb(levels: number): string {
  let s = 'query X { providers { ...F0 } }';
  for (let i = 0; i < levels; i++)
    s += ` fragment F${i} on Provider { a: models { provider { ...F${i + 1} } } b: models { provider { ...F${i + 1} } } }`;
  return `${s} fragment F${levels} on Provider { slug }`;
}

const post = async (t: TestServer, body: unknown, headers: Record<string, string> = {}) => {
  const res = await fetch(`${t.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_TOKEN}`, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return {
    status: res.status,
    body: (await res.json()) as { data?: unknown; errors?: { message: string; extensions?: Record<string, unknown> }[] },
  };
};

let t: TestServer;
let member: MemberRef;
const log = captureLogger();

beforeAll(async () => {
  t = await startTestServer({}, { logger: log.logger });
  member = await createMember(t, 'mallory');
  await createProvider(t, 'openrouter');
  const m = await createModel(t, 'openrouter', 'claude', ['CHAT']);
  expectOk(await activate(t, m.id));
});
afterAll(() => t.close());

describe('operation limits over HTTP', () => {
  test('the fragment bomb (1.4 KB, 2^14 selections) is refused with 400 before anything runs', async () => {
    const query = fragmentBomb(14);
    expect(query.length).toBeLessThan(1600);
    const res = await t.gql(query, {}, { token: member.token });
    expect(res.status).toBe(400);
    expect(res.errors).toHaveLength(1);
    expect(res.errors![0].extensions).toEqual({ code: 'OPERATION_LIMIT_EXCEEDED', limit: 'depth', max: 20, actual: 30 });
    expect(res.errors![0].message).toContain('depth');
  });

  test.each([
    ['aliases', fragmentBomb(8)],
    ['cost', '{ providers { models { provider { models { provider { models { name } } } } } } }'],
  ])('over the %s limit: 400 with limit, max, actual', async (limit, query) => {
    const res = await t.gql(query, {}, { token: member.token });
    expect(res.status).toBe(400);
    expect(res.errors![0].extensions).toMatchObject({ code: 'OPERATION_LIMIT_EXCEEDED', limit });
    const { max, actual } = res.errors![0].extensions as { max: number; actual: number };
    expect(actual).toBeGreaterThan(max);
  });

  test('2,000 aliases of an introspection selection without a token: 400, no 46 MB answer', async () => {
    const query = `{ ${Array.from({ length: 2000 }, (_, i) => `a${i}: __schema { types { name } }`).join(' ')} }`;
    const res = await t.gql(query, {}, { token: null });
    expect(res.status).toBe(400);
    expect(res.errors![0].extensions).toMatchObject({ code: 'OPERATION_LIMIT_EXCEEDED', limit: 'tokens', max: 5000 });
    expect(res.errors![0].extensions!.actual).toBeGreaterThan(5000);
  });

  test('300 aliased activeModel { __typename }: the aliases limit, not a stack overflow (400 are over the token limit)', async () => {
    const query = `{ ${Array.from({ length: 300 }, (_, i) => `a${i}: activeModel(provider: "openrouter", capability: CHAT) { __typename }`).join(' ')} }`;
    const res = await t.gql(query, {}, { token: member.token });
    expect(res.status).toBe(400);
    expect(res.errors![0].extensions).toEqual({ code: 'OPERATION_LIMIT_EXCEEDED', limit: 'aliases', max: 100, actual: 300 });
  });

  test('legitimate traffic passes: 50 aliased lookups with __typename, the console documents, introspection', async () => {
    const fifty = `{ ${Array.from({ length: 50 }, (_, i) => `a${i}: activeModel(provider: "openrouter", capability: CHAT) { __typename id name provider { slug } }`).join(' ')} }`;
    const res = await t.gql<Record<string, { name: string }>>(fifty, {}, { token: member.token });
    expect(res.status).toBe(200);
    expect(res.data.a49.name).toBe('claude');
    const intro = await t.gql(
      getIntrospectionQuery({ descriptions: true, inputValueDeprecation: true, specifiedByUrl: true }),
      {},
      { token: null },
    );
    expect(intro.status).toBe(200);
    expect(intro.errors).toBeUndefined();
    for (const { name, query, variables } of consoleDocuments()) {
      if (query.startsWith('subscription')) continue; // over the WebSocket: hardening-ws.test.ts
      const r = await t.gql(query, variables, { token: ADMIN_TOKEN });
      // A model id that does not exist is NOT_FOUND (the mutations); anything else answers.
      expect({ name, codes: (r.errors ?? []).map((e) => e.extensions?.code) }).toEqual({
        name,
        codes: name.endsWith('ACTIVATE') ? ['NOT_FOUND'] : [],
      });
    }
    // Without variables graphql-js gives up after 50 errors: still the client's mistake.
    const latest = consoleDocuments().find((d) => d.name.startsWith('latestChanges'))!;
    const missing = await t.gql(latest.query, {}, { token: member.token });
    expect(missing.status).toBe(400);
    expect(new Set(missing.errors!.map((e) => e.extensions?.code))).toEqual(new Set(['BAD_USER_INPUT']));
  });
});

describe('a client mistake is a 4xx with a stable code, never a 500', () => {
  test('a subscription over HTTP POST: 400 BAD_REQUEST saying to use the WebSocket', async () => {
    const res = await post(t, { query: 'subscription { activeModelChanged { version } }' });
    expect(res.status).toBe(400);
    expect(res.body.errors![0].extensions!.code).toBe('BAD_REQUEST');
    expect(res.body.errors![0].message).toMatch(/WebSocket/);
  });

  test('an operationName naming no operation', async () => {
    const res = await post(t, { query: 'query A { viewer { name } }', operationName: 'B' });
    expect(res.status).toBe(400);
    expect(res.body.errors![0].extensions!.code).toBe('BAD_REQUEST');
  });

  test.each([
    ['a subscription', 'subscription { activeModelChanged { version } }'],
    ['a query', '{ viewer { name } }'],
  ])('GET %s with an empty operationName: 400 BAD_REQUEST, not a 500 (found by the fuzz test)', async (_, query) => {
    const res = await fetch(`${t.url}/graphql?query=${encodeURIComponent(query)}&operationName=`, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'apollo-require-preflight': '1' },
    });
    const body = (await res.json()) as { errors?: { extensions?: Record<string, unknown> }[] };
    expect(res.status).toBe(400);
    expect(body.errors![0].extensions!.code).toBe('BAD_REQUEST');
    const posted = await post(t, { query, operationName: '' });
    expect(posted.status).toBe(400);
    expect(posted.body.errors![0].extensions!.code).toBe('BAD_REQUEST');
  });

  test('two operations and no operationName', async () => {
    const res = await post(t, { query: 'query A { viewer { name } } query B { viewer { role } }' });
    expect(res.status).toBe(400);
    expect(res.body.errors![0].extensions!.code).toBe('BAD_REQUEST');
  });

  test.each(['0000-01-01T00:00:00Z', '-271821-04-20T00:00:00Z', '9999999-01-01T00:00:00Z', '294277-01-01T00:00:00Z'])(
    'activeModel(at: %s): BAD_USER_INPUT',
    async (at) => {
      const res = await post(t, {
        query: 'query($at: DateTime) { activeModel(provider: "openrouter", capability: CHAT, at: $at) { name } }',
        variables: { at },
      });
      expect(res.status).toBeLessThan(500);
      expect(res.body.errors![0].extensions!.code).toBe('BAD_USER_INPUT');
      const inline = await post(t, { query: `{ activeModel(provider: "openrouter", capability: CHAT, at: "${at}") { name } }` });
      expect(inline.status).toBeLessThan(500);
      expect(inline.body.errors![0].extensions!.code).toMatch(/BAD_USER_INPUT|GRAPHQL_VALIDATION_FAILED/);
    },
  );

  test.each([
    ['a provider slug', 'query($s: String!) { provider(slug: $s) { name } }', { s: 'open\u0000router' }],
    ['an activeModel provider', 'query($s: String!) { activeModel(provider: $s, capability: CHAT) { name } }', { s: 'a\u0000' }],
    ['a new provider slug', 'mutation($s: String!) { createProvider(input: { slug: $s, name: "x" }) { id } }', { s: 'ab\u0000c' }],
    ['a new provider name', 'mutation($s: String!) { createProvider(input: { slug: "nul-name", name: $s }) { id } }', { s: 'N\u0000' }],
    [
      'a model name',
      'mutation($s: String!) { createModel(input: { provider: "openrouter", name: $s, modelId: "x", capabilities: [CHAT] }) { id } }',
      { s: 'gpt\u0000' },
    ],
    ['a user name', 'mutation($s: String!) { createUser(input: { name: $s, role: MEMBER }) { id } }', { s: 'eve\u0000' }],
    ['a history provider', 'query($s: String!) { activationHistory(provider: $s) { edges { cursor } } }', { s: '\u0000' }],
  ])('a NUL character in %s: BAD_USER_INPUT', async (_what, query, variables) => {
    const res = await post(t, { query, variables });
    expect(res.status).toBeLessThan(500);
    expect(res.body.errors![0].extensions!.code).toBe('BAD_USER_INPUT');
  });

  test('an APQ hash that does not match its query: 400 PERSISTED_QUERY_HASH_MISMATCH, no stack in the log', async () => {
    const before = log.lines.length;
    const res = await post(t, { query: '{ viewer { name } }', extensions: { persistedQuery: { version: 1, sha256Hash: 'a'.repeat(64) } } });
    expect(res.status).toBe(400);
    expect(res.body.errors![0].extensions!.code).toBe('PERSISTED_QUERY_HASH_MISMATCH');
    expect(log.lines.slice(before).join('\n')).not.toMatch(/stack|Internal server error/);
    const hash = createHash('sha256').update('{ viewer { name } }').digest('hex');
    const ok = await post(t, { query: '{ viewer { name } }', extensions: { persistedQuery: { version: 1, sha256Hash: hash } } });
    expect(ok.status).toBe(200);
  });
});
