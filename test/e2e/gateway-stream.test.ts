import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { startTestServer, type GqlErrorExtensions, type TestServer } from '../helpers/test-server';
import { createMember, createModel, query, type MemberRef } from '../helpers/factories';
import { anthropicStreamItems, openAiStreamItems, startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream';
import { captureLogger, createProviderWith, leaks, setKey } from '../helpers/gateway-fixtures';
import { waitFor } from '../helpers/wait';
import { print } from 'graphql';
import { ChatStreamDocument, type ChatInput, type ChatStreamSubscription } from '../generated/graphql';

/**
 * chatStream over a real WebSocket (graphql-ws, connectionParams.authorization), against a fake
 * upstream that streams SSE: deltas arrive as the provider sends them, then one final chunk with the
 * whole generation; failures end the stream with a coded error; leaving early aborts and is recorded.
 */

const SHARED_KEY = 'sk-shared-stream-Lk8jH3gF6dS1';
const ALICE_KEY = 'sk-alice-stream-Po9iU2yT5rE7';
const ALICE_CLAUDE_KEY = 'sk-ant-alice-stream-Mn4bV7cX0z';
const SECRETS = [SHARED_KEY, ALICE_KEY, ALICE_CLAUDE_KEY];

let t: TestServer;
let upstream: FakeUpstream;
let alice: MemberRef;
let bob: MemberRef;
const clients: Client[] = [];
const wire: string[] = [];
const { logger, lines } = captureLogger();

type Chunk = ChatStreamSubscription['chatStream'];

function client(token: string, locale?: string): Client {
  const c = createClient({
    url: t.url.replace(/^http/, 'ws') + '/graphql',
    webSocketImpl: WebSocket,
    lazy: false,
    retryAttempts: 0,
    connectionParams: { authorization: `Bearer ${token}`, ...(locale ? { locale } : {}) },
    // Every message the client receives, to search for keys at the end.
    on: { message: (m) => void wire.push(JSON.stringify(m)) },
  });
  clients.push(c);
  return c;
}

interface Run {
  chunks: { at: number; chunk: Chunk }[];
  errors: { message: string; extensions?: GqlErrorExtensions }[];
  /** Resolves when the server completes the subscription or it errors. */
  finished: Promise<void>;
  stop: () => void;
}

function stream(c: Client, input: Partial<ChatInput>): Run {
  const run: Run = { chunks: [], errors: [], finished: Promise.resolve(), stop: () => undefined };
  run.finished = new Promise((resolve) => {
    run.stop = c.subscribe<ChatStreamSubscription>(
      {
        query: print(ChatStreamDocument),
        variables: { input: { provider: 'openai', messages: [{ role: 'USER', content: 'tell me a story' }], ...input } },
      },
      {
        next: (r) => {
          if (r.errors) run.errors.push(...(r.errors as Run['errors']));
          if (r.data) run.chunks.push({ at: Date.now(), chunk: r.data.chatStream });
        },
        error: (e) => {
          run.errors.push(...(Array.isArray(e) ? e : [{ message: String((e as Error)?.message ?? e) }]));
          resolve();
        },
        complete: () => resolve(),
      },
    );
  });
  return run;
}

const waitUntil = (check: () => boolean | Promise<boolean>, timeoutMs = 5000) => waitFor(check, Boolean, { timeoutMs });

const lastUsage = async () => (await query(t, 'select * from usage_record order by id desc limit 1'))[0];

beforeAll(async () => {
  upstream = await startFakeUpstream();
  t = await startTestServer({ providerTimeoutMs: 2000 }, { logger });
  await createProviderWith(t, { slug: 'openai', baseUrl: `${upstream.url}/v1`, sharedApiKey: SHARED_KEY, sharedApiEnabled: true });
  await createProviderWith(t, { slug: 'claude', baseUrl: `${upstream.url}/v1`, apiStyle: 'ANTHROPIC' });
  await createModel(t, 'openai', 'gpt-a', ['CHAT', 'CODE'], { active: true, modelId: 'vendor/gpt-a' });
  await createModel(t, 'claude', 'sonnet', ['CHAT'], { active: true, modelId: 'claude-sonnet-x' });
  alice = await createMember(t, 'alice');
  bob = await createMember(t, 'bob');
  await setKey(t, alice.token, { provider: 'openai', apiKey: ALICE_KEY });
  await setKey(t, alice.token, { provider: 'claude', apiKey: ALICE_CLAUDE_KEY });
});

afterEach(() => upstream.reset());

afterAll(async () => {
  for (const c of clients) await c.dispose();
  await t?.close();
  await upstream?.close();
});

test('deltas as the provider sends them, then a final chunk with the generation and its usage record', async () => {
  upstream.respondWith({ endpoint: 'chat', sse: openAiStreamItems('once upon a time', { usage: true, promptTokens: 4 }), chunkDelayMs: 150 });
  const run = stream(client(alice.token), {});
  await run.finished;
  expect(run.errors).toEqual([]);
  const chunks = run.chunks.map((c) => c.chunk);
  const deltas = chunks.filter((c) => !c.done);
  expect(deltas.map((c) => c.delta)).toEqual(['once ', 'upon ', 'a ', 'time']);
  expect(deltas.every((c) => c.generation === null)).toBe(true);
  const final = chunks[chunks.length - 1];
  expect(final).toMatchObject({
    delta: '',
    done: true,
    generation: {
      model: { name: 'gpt-a' },
      keySource: 'PERSONAL',
      content: 'once upon a time',
      finishReason: 'stop',
      usage: { promptTokens: 4, completionTokens: 4, totalTokens: 8 },
    },
  });
  expect(chunks.filter((c) => c.done)).toHaveLength(1);
  // Incremental: the first delta arrived well before the stream ended (the fake waits 150 ms per item).
  expect(run.chunks[run.chunks.length - 1].at - run.chunks[0].at).toBeGreaterThanOrEqual(300);

  const req = upstream.requests[0];
  expect(req).toMatchObject({ path: '/v1/chat/completions', model: 'vendor/gpt-a', apiKey: ALICE_KEY, stream: true });
  const [row] = await query(t, 'select * from usage_record where id = $1', [final.generation!.id]);
  expect(row).toMatchObject({ user_id: alice.id, status: 'OK', key_source: 'PERSONAL', capability: 'CHAT', total_tokens: 8 });
});

test('ANTHROPIC streams too (x-api-key, /messages)', async () => {
  upstream.respondWith({ endpoint: 'messages', sse: anthropicStreamItems('hello from claude', { inputTokens: 3 }) });
  const run = stream(client(alice.token), { provider: 'claude' });
  await run.finished;
  expect(run.errors).toEqual([]);
  expect(
    run.chunks
      .filter((c) => !c.chunk.done)
      .map((c) => c.chunk.delta)
      .join(''),
  ).toBe('hello from claude');
  expect(run.chunks.at(-1)!.chunk.generation).toMatchObject({ content: 'hello from claude', finishReason: 'end_turn', keySource: 'PERSONAL' });
  expect(upstream.requests[0].headers['x-api-key']).toBe(ALICE_CLAUDE_KEY);
});

test('resolution errors end the subscription before any chunk, in the connection’s language', async () => {
  const run = stream(client(bob.token, 'fa'), { provider: 'claude' });
  await run.finished;
  expect(run.chunks).toEqual([]);
  expect(run.errors).toHaveLength(1);
  expect(run.errors[0].extensions?.code).toBe('NO_API_ACCESS');
  expect(run.errors[0].message).toBe(
    'دسترسی به API ارائه‌دهندهٔ claude ندارید: کلید شخصی ندارید؛ کلید مشترک برای این ارائه‌دهنده فعال نیست؛ این ارائه‌دهنده کلید مشترک ندارد.',
  );

  const capability = stream(client(alice.token), { capability: 'IMAGE' });
  await capability.finished;
  expect(capability.errors[0].extensions?.code).toBe('BAD_USER_INPUT');

  const invalid = stream(client(alice.token), { messages: [] });
  await invalid.finished;
  expect(invalid.errors[0].extensions?.code).toBe('BAD_USER_INPUT');
  expect(invalid.errors[0].extensions?.fields?.[0]?.field).toBe('messages');
  expect(upstream.requests).toHaveLength(0);
});

test('an upstream 401 ends the stream with PROVIDER_AUTH_FAILED and providerStatus, never the key', async () => {
  upstream.respondWith({
    endpoint: 'chat',
    status: 401,
    respond: (r) => ({ json: { error: { message: `Incorrect API key provided: ${r.apiKey}` } } }),
  });
  const run = stream(client(alice.token), {});
  await run.finished;
  expect(run.chunks).toEqual([]);
  expect(run.errors).toHaveLength(1);
  expect(run.errors[0].extensions).toMatchObject({ code: 'PROVIDER_AUTH_FAILED', providerStatus: 401 });
  expect(await lastUsage()).toMatchObject({ user_id: alice.id, status: 'ERROR', error_code: 'PROVIDER_AUTH_FAILED' });
});

test('a stream cut mid-way: the deltas so far, then PROVIDER_ERROR; recorded as ERROR', async () => {
  upstream.respondWith({ endpoint: 'chat', sse: openAiStreamItems('one two three four five six'), drop: 'mid-body', dropAfterItems: 3 });
  const run = stream(client(alice.token), {});
  await run.finished;
  expect(run.chunks.map((c) => c.chunk.delta)).toEqual(['one ', 'two ']);
  expect(run.chunks.some((c) => c.chunk.done)).toBe(false);
  expect(run.errors).toHaveLength(1);
  expect(run.errors[0].extensions?.code).toBe('PROVIDER_ERROR');
  expect(await lastUsage()).toMatchObject({ status: 'ERROR', error_code: 'PROVIDER_ERROR' });
});

test('leaving early aborts the upstream call and records the call as CANCELLED', async () => {
  // The first text at once, then 3 s of silence per item: longer than the abort may take, and than the 2 s idle timeout.
  upstream.respondWith({ endpoint: 'chat', sse: openAiStreamItems('a b c d e f').slice(1), chunkDelayMs: 3000 });
  const before = Number((await query(t, 'select count(*)::int as n from usage_record'))[0].n);
  const run = stream(client(alice.token), {});
  await waitUntil(() => run.chunks.length >= 1);
  run.stop();
  await waitUntil(async () => Number((await query(t, 'select count(*)::int as n from usage_record'))[0].n) > before);
  // Aborted before the 2 s idle timeout (which would record PROVIDER_ERROR), so before the next chunk (3 s); the provider
  // saw its connection closed before the rest of the stream.
  expect(await lastUsage()).toMatchObject({ user_id: alice.id, status: 'ERROR', error_code: 'CANCELLED' });
  expect(upstream.requestsTo('chat').at(-1)?.cutShort).toBe(true);
});

test('no key in any message the client received, in usage records or in the log', async () => {
  const rows = await query(t, 'select row_to_json(u)::text as row from usage_record u');
  expect(wire.length).toBeGreaterThan(10);
  expect(leaks(wire.join('\n'), SECRETS)).toEqual([]);
  expect(leaks(rows.map((r) => r.row).join('\n'), SECRETS)).toEqual([]);
  expect(leaks(lines.join('\n'), SECRETS)).toEqual([]);
});
