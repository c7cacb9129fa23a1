import http from 'node:http';
import { HttpFastPath } from '../../src/graphql/http-fast-path';
import { activate, createMember, createModel, createProvider } from '../helpers/factories';
import { ADMIN_TOKEN, startTestServer, type TestServer } from '../helpers/test-server';

/**
 * The HTTP fast path (src/graphql/http-fast-path.ts) answers a warm query without Apollo's
 * pipeline. A client must not be able to tell: the same status, content type and bytes as Apollo
 * gives for the same request, for data and for expected errors, in every locale.
 */

interface Answer {
  status: number;
  contentType: string | undefined;
  body: string;
}

/** A raw POST over node:http: exactly the headers given (fetch would add an Accept header). */
function post(url: string, body: string, headers: Record<string, string>): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode!, contentType: res.headers['content-type'], body: Buffer.concat(chunks).toString('utf8') }),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

const ACTIVE = `query Active($p: String!, $c: Capability!) { activeModel(provider: $p, capability: $c) { id name modelId displayName provider { slug name } } }`;
const auth = (token = ADMIN_TOKEN) => ({ authorization: `Bearer ${token}` });

let t: TestServer;
/** What each call of HttpFastPath.serve answered: true when it answered itself. */
const served: boolean[] = [];

beforeAll(async () => {
  t = await startTestServer();
  // eslint-disable-next-line @typescript-eslint/unbound-method -- called with its `this` below
  const serve = HttpFastPath.prototype.serve;
  jest.spyOn(HttpFastPath.prototype, 'serve').mockImplementation(async function (this: HttpFastPath, request, reply) {
    const answered = await serve.call(this, request, reply);
    served.push(answered !== undefined);
    return answered;
  });
  await createProvider(t, 'openrouter');
  const model = await createModel(t, 'openrouter', 'claude', ['CHAT', 'CODE']);
  await activate(t, model.id);
});
afterAll(() => t.close());

/** The same request twice: the first is Apollo's (it compiles the document), the second the fast path's. */
async function twice(body: string, headers: Record<string, string>): Promise<{ apollo: Answer; fast: Answer; servedFast: boolean[] }> {
  served.length = 0;
  const apollo = await post(t.url, body, headers);
  const fast = await post(t.url, body, headers);
  return { apollo, fast, servedFast: [...served] };
}

test.each([
  ['no Accept header', {}],
  ['Accept: */*', { accept: '*/*' }],
  ['Accept: application/graphql-response+json', { accept: 'application/graphql-response+json' }],
])('a warm read answers the same bytes as Apollo (%s)', async (_label, accept: Record<string, string>) => {
  // A fresh document text per case, so the first request is surely Apollo's.
  const body = JSON.stringify({ query: `${ACTIVE} # ${_label}`, variables: { p: 'openrouter', c: 'CHAT' } });
  const { apollo, fast, servedFast } = await twice(body, { ...auth(), ...accept });
  expect(servedFast).toEqual([false, true]);
  expect(apollo.status).toBe(200);
  expect(JSON.parse(apollo.body).data.activeModel.provider).toEqual({ slug: 'openrouter', name: 'OPENROUTER' });
  expect(fast).toEqual(apollo);
});

test.each([
  ['en', undefined],
  ['fa', 'fa'],
])('an unknown provider answers the same NOT_FOUND as Apollo (%s)', async (_label, locale) => {
  const body = JSON.stringify({ query: `${ACTIVE} # unknown ${_label}`, variables: { p: 'no-such-provider', c: 'CHAT' } });
  const headers = { ...auth(), ...(locale ? { 'accept-language': locale } : {}) };
  const { apollo, fast, servedFast } = await twice(body, headers);
  expect(servedFast).toEqual([false, true]);
  const parsed = JSON.parse(apollo.body);
  expect(parsed.errors[0].extensions.code).toBe('NOT_FOUND');
  expect(parsed.data).toEqual({ activeModel: null });
  expect(fast).toEqual(apollo);
});

test('an empty slot and a member caller answer as Apollo does', async () => {
  const member = await createMember(t, 'reader');
  const body = JSON.stringify({ query: `${ACTIVE} # member`, variables: { p: 'openrouter', c: 'IMAGE' } });
  const { apollo, fast, servedFast } = await twice(body, auth(member.token));
  expect(servedFast).toEqual([false, true]);
  expect(JSON.parse(apollo.body)).toEqual({ data: { activeModel: null } });
  expect(fast).toEqual(apollo);
});

test.each([
  ['no token', {}, 'UNAUTHENTICATED'],
  ['a bad token', auth('not-a-token-at-all-0123456789'), 'UNAUTHENTICATED'],
])('%s: Apollo answers, with the same error every time', async (_label, headers: Record<string, string>, code) => {
  const body = JSON.stringify({ query: ACTIVE, variables: { p: 'openrouter', c: 'CHAT' } });
  await post(t.url, body, auth()); // compiled
  const { apollo, fast, servedFast } = await twice(body, headers);
  expect(servedFast).toEqual([false, false]);
  expect(JSON.parse(apollo.body).errors[0].extensions.code).toBe(code);
  expect(fast).toEqual(apollo);
});

test.each([
  ['a variable of the wrong type', { p: 'openrouter', c: 'TELEPATHY' }, 'BAD_USER_INPUT'],
  ['a missing variable', { c: 'CHAT' }, 'BAD_USER_INPUT'],
  ['a NUL in a variable', { p: 'open\u0000router', c: 'CHAT' }, 'BAD_USER_INPUT'],
])('%s: Apollo answers (HTTP 400), nothing is answered by the fast path', async (_label, variables, code) => {
  await post(t.url, JSON.stringify({ query: ACTIVE, variables: { p: 'openrouter', c: 'CHAT' } }), auth()); // compiled
  const body = JSON.stringify({ query: ACTIVE, variables });
  const { apollo, fast, servedFast } = await twice(body, auth());
  expect(servedFast).toEqual([false, false]);
  expect(apollo.status).toBe(400);
  expect(JSON.parse(apollo.body).errors[0].extensions.code).toBe(code);
  expect(fast).toEqual(apollo);
});

test('mutations, persisted-query extensions and GET never take the fast path', async () => {
  const model = await createModel(t, 'openrouter', 'gpt', ['CODE']);
  const mutation = JSON.stringify({
    query: `mutation A($id: ID!) { activateModel(input: { modelId: $id }) { changes { version } } }`,
    variables: { id: model.id },
  });
  served.length = 0;
  const first = JSON.parse((await post(t.url, mutation, auth())).body);
  const second = JSON.parse((await post(t.url, mutation, auth())).body);
  expect(first.data.activateModel.changes).toHaveLength(1);
  // The second activation of the same holder changes nothing: it really ran (it was not answered from the first).
  expect(second.data.activateModel.changes).toEqual([]);

  const withExtensions = JSON.stringify({ query: ACTIVE, variables: { p: 'openrouter', c: 'CHAT' }, extensions: {} });
  expect(JSON.parse((await post(t.url, withExtensions, auth())).body).data.activeModel.name).toBe('claude');
  const get = await fetch(
    `${t.url}/graphql?query=${encodeURIComponent(ACTIVE)}&variables=${encodeURIComponent('{"p":"openrouter","c":"CHAT"}')}`,
    {
      headers: { ...auth(), 'apollo-require-preflight': 'true' },
    },
  );
  expect(((await get.json()) as { data: { activeModel: { name: string } } }).data.activeModel.name).toBe('claude');
  expect(served.filter(Boolean)).toEqual([]);
});

test('a read after a write sees the write, through the fast path', async () => {
  const body = JSON.stringify({ query: ACTIVE, variables: { p: 'openrouter', c: 'CODE' } });
  const models = [await createModel(t, 'openrouter', 'code-a', ['CODE']), await createModel(t, 'openrouter', 'code-b', ['CODE'])];
  await post(t.url, body, auth());
  const readsServedFast: boolean[] = [];
  for (let i = 0; i < 6; i++) {
    await activate(t, models[i % 2].id, { capabilities: ['CODE'] });
    served.length = 0;
    expect(JSON.parse((await post(t.url, body, auth())).body).data.activeModel.name).toBe(i % 2 ? 'code-b' : 'code-a');
    readsServedFast.push(...served);
  }
  expect(readsServedFast).toEqual(Array(6).fill(true));
});

test('operations answered by the fast path are counted in /metrics like the others', async () => {
  const metric = async () => {
    const text = await (await fetch(`${t.url}/metrics`)).text();
    const line = text
      .split('\n')
      .find((l) => l.startsWith('switchboard_graphql_operation_duration_seconds_count{operation="Counted",type="query"}'));
    return Number(line?.split(' ')[1] ?? 0);
  };
  const body = JSON.stringify({ query: ACTIVE.replace('query Active', 'query Counted'), variables: { p: 'openrouter', c: 'CHAT' } });
  served.length = 0;
  for (let i = 0; i < 5; i++) await post(t.url, body, auth());
  expect(served).toEqual([false, true, true, true, true]);
  expect(await metric()).toBe(5);
});
