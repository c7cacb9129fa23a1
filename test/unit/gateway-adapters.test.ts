import { createServer } from 'node:net';
import { inspect } from 'node:util';

import {
  ANTHROPIC_VERSION,
  AnthropicAdapter,
  OpenAiAdapter,
  UpstreamError,
  adapterFor,
  parseSse,
  redactSecret,
} from '../../src/modules/gateway/adapters';
import type {
  ChatRequest,
  ChatStreamEvent,
  HttpClientOptions,
  ProviderAdapter,
  SseEvent,
  UpstreamTarget,
} from '../../src/modules/gateway/adapters';
import { parseRetryAfter } from '../../src/modules/gateway/adapters/retry-policy';
import { ApiStyle } from '../../src/common/api-style';
import { SseParseError } from '../../src/modules/gateway/adapters/sse';
import {
  FakeUpstream,
  anthropicStreamItems,
  countTokens,
  fakeEmbedding,
  fakeSpeechBytes,
  openAiStreamItems,
  startFakeUpstream,
} from '../helpers/fake-upstream';
import { waitFor } from '../helpers/wait';

const KEY = 'sk-test-SECRET-0123456789abcdefXYZ';
/** Retries without real waiting, so the suite stays fast. */
const FAST: HttpClientOptions = { retry: { baseDelayMs: 1, maxDelayMs: 4, retryAfterCapMs: 200 } };

let upstream: FakeUpstream;
const openai = new OpenAiAdapter(FAST);
const anthropic = new AnthropicAdapter(FAST);

beforeAll(async () => {
  upstream = await startFakeUpstream();
});
afterEach(() => upstream.reset());
afterAll(async () => {
  await upstream.close();
});

function target(overrides: Partial<UpstreamTarget> = {}): UpstreamTarget {
  return { baseUrl: `${upstream.url}/v1`, apiKey: KEY, modelId: 'fake-model-1', timeoutMs: 3000, ...overrides };
}

const CHAT: ChatRequest = {
  messages: [
    { role: 'system', content: 'You are terse.' },
    { role: 'user', content: 'first question' },
    { role: 'assistant', content: 'first answer' },
    { role: 'user', content: 'hello there friend' },
  ],
};
const ECHO = 'echo: hello there friend';
/** The fake's prompt tokens for CHAT: every word of every message. */
const CHAT_PROMPT_TOKENS = 3 + 2 + 2 + 3;

async function failure(work: Promise<unknown> | (() => Promise<unknown>)): Promise<UpstreamError> {
  try {
    await (typeof work === 'function' ? work() : work);
  } catch (err) {
    expect(err).toBeInstanceOf(UpstreamError);
    return err as UpstreamError;
  }
  throw new Error('expected an UpstreamError, got a result');
}

async function drain(stream: AsyncIterable<ChatStreamEvent>): Promise<{ deltas: string[]; done: ChatStreamEvent[]; error?: UpstreamError }> {
  const deltas: string[] = [];
  const done: ChatStreamEvent[] = [];
  try {
    for await (const event of stream) {
      if (event.type === 'delta') deltas.push(event.delta);
      else done.push(event);
    }
  } catch (err) {
    expect(err).toBeInstanceOf(UpstreamError);
    return { deltas, done, error: err as UpstreamError };
  }
  return { deltas, done };
}

/** Nothing that could reveal the key: the whole key, or a long piece of it, anywhere in the error. */
function expectNoKey(err: unknown): void {
  const views = [String(err), (err as Error).message, (err as Error).stack ?? '', inspect(err, { depth: 5 }), JSON.stringify(err)];
  for (const view of views) {
    expect(view).not.toContain(KEY);
    expect(view).not.toContain(KEY.slice(0, 12));
    expect(view).not.toContain(KEY.slice(-10));
    expect(view).not.toContain('SECRET-0123');
  }
}

// ---------------------------------------------------------------------------------------------
describe('OpenAI adapter', () => {
  it('posts a chat completion with the model, the key and the options, and maps the answer', async () => {
    const result = await openai.chat(target(), { ...CHAT, temperature: 0.3, maxTokens: 77 });

    expect(result).toEqual({
      content: ECHO,
      finishReason: 'stop',
      usage: { promptTokens: CHAT_PROMPT_TOKENS, completionTokens: countTokens(ECHO), totalTokens: CHAT_PROMPT_TOKENS + countTokens(ECHO) },
    });
    expect(upstream.requests).toHaveLength(1);
    const req = upstream.requests[0];
    expect(req.method).toBe('POST');
    expect(req.path).toBe('/v1/chat/completions');
    expect(req.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.headers['x-api-key']).toBeUndefined();
    expect(req.apiKey).toBe(KEY);
    expect(req.body).toEqual({
      model: 'fake-model-1',
      messages: CHAT.messages,
      temperature: 0.3,
      max_tokens: 77,
    });
  });

  it('leaves temperature and max_tokens out when not given, and tolerates a trailing slash in baseUrl', async () => {
    await openai.chat(target({ baseUrl: `${upstream.url}/v1/` }), { messages: [{ role: 'user', content: 'hi' }], temperature: null });
    expect(upstream.requests[0].path).toBe('/v1/chat/completions');
    expect(upstream.requests[0].body).toEqual({ model: 'fake-model-1', messages: [{ role: 'user', content: 'hi' }] });
  });

  it('maps a missing usage to null and null content to ""', async () => {
    upstream.respondWith({
      json: { choices: [{ index: 0, message: { role: 'assistant', content: null }, finish_reason: 'content_filter' }] },
    });
    expect(await openai.chat(target(), CHAT)).toEqual({ content: '', finishReason: 'content_filter', usage: null });
  });

  it('streams deltas in several chunks, then one done with the whole text and the usage', async () => {
    const { deltas, done, error } = await drain(openai.chatStream(target(), CHAT));

    expect(error).toBeUndefined();
    expect(deltas.length).toBeGreaterThan(2);
    expect(deltas.join('')).toBe(ECHO);
    expect(done).toEqual([
      {
        type: 'done',
        result: {
          content: ECHO,
          finishReason: 'stop',
          usage: { promptTokens: CHAT_PROMPT_TOKENS, completionTokens: countTokens(ECHO), totalTokens: CHAT_PROMPT_TOKENS + countTokens(ECHO) },
        },
      },
    ]);
    const req = upstream.requests[0];
    expect(req.body).toMatchObject({ model: 'fake-model-1', stream: true, stream_options: { include_usage: true } });
    expect(req.headers.accept).toBe('text/event-stream');
  });

  it('reads a stream with comments, CRLF line ends and no usage chunk', async () => {
    const items = openAiStreamItems('a b c').map((item) =>
      typeof item === 'string' ? item.replace(/\n/g, '\r\n') : `: keep-alive\r\ndata: ${JSON.stringify(item)}\r\n\r\n`,
    );
    upstream.respondWith({ sse: items });
    const { deltas, done } = await drain(openai.chatStream(target(), CHAT));
    expect(deltas.join('')).toBe('a b c');
    expect(done[0]).toEqual({ type: 'done', result: { content: 'a b c', finishReason: 'stop', usage: null } });
  });

  it('keeps a slow but steady stream alive: timeoutMs bounds the silence between chunks, not the whole answer', async () => {
    const text = 'one two three four five six seven eight';
    const items = openAiStreamItems(text);
    // The whole answer takes longer than timeoutMs (by construction, not by the clock).
    expect(40 * (items.length - 1)).toBeGreaterThan(250);
    upstream.respondWith({ sse: items, chunkDelayMs: 40 });
    const { deltas, error } = await drain(openai.chatStream(target({ timeoutMs: 250 }), CHAT));
    expect(error).toBeUndefined();
    expect(deltas.join('')).toBe(text);
  });

  it('generates images', async () => {
    const result = await openai.generateImage(target({ modelId: 'img-1' }), { prompt: 'a red fox', size: '512x512', n: 2 });
    expect(upstream.requests[0].path).toBe('/v1/images/generations');
    expect(upstream.requests[0].body).toEqual({ model: 'img-1', prompt: 'a red fox', size: '512x512', n: 2 });
    expect(result.images).toEqual([
      { url: 'https://fake-upstream.invalid/images/0.png', b64Json: null, revisedPrompt: 'a red fox' },
      { url: 'https://fake-upstream.invalid/images/1.png', b64Json: null, revisedPrompt: 'a red fox' },
    ]);
  });

  it('maps b64_json images and rejects an image with neither url nor data', async () => {
    upstream.respondWith({ json: { data: [{ b64_json: 'QUJD' }] } });
    expect(await openai.generateImage(target(), { prompt: 'x' })).toEqual({ images: [{ url: null, b64Json: 'QUJD', revisedPrompt: null }] });
    expect(upstream.requests[0].body).toEqual({ model: 'fake-model-1', prompt: 'x' });

    upstream.respondWith({ json: { data: [{ revised_prompt: 'x' }] } });
    const err = await failure(openai.generateImage(target(), { prompt: 'x' }));
    expect(err.kind).toBe('PROVIDER_ERROR');
  });

  it('generates speech as base64 with the media type of the answer', async () => {
    const result = await openai.generateSpeech(target({ modelId: 'tts-1' }), { text: 'say this' });
    expect(upstream.requests[0].path).toBe('/v1/audio/speech');
    expect(upstream.requests[0].body).toEqual({ model: 'tts-1', input: 'say this', voice: 'alloy', response_format: 'mp3' });
    expect(result.mimeType).toBe('audio/mpeg');
    expect(Buffer.from(result.audioBase64, 'base64')).toEqual(fakeSpeechBytes('say this', 'mp3'));
  });

  it('takes the speech media type from the format when the answer has a generic one', async () => {
    upstream.respondWith({ body: Buffer.from([1, 2, 3, 4]), headers: { 'content-type': 'application/octet-stream' } });
    const result = await openai.generateSpeech(target(), { text: 't', voice: 'nova', format: 'wav' });
    expect(upstream.requests[0].body).toMatchObject({ voice: 'nova', response_format: 'wav' });
    expect(result).toEqual({ audioBase64: Buffer.from([1, 2, 3, 4]).toString('base64'), mimeType: 'audio/wav' });
  });

  it('refuses a JSON or empty 200 as audio', async () => {
    upstream.respondWith({ json: { ok: true } });
    expect((await failure(openai.generateSpeech(target(), { text: 't' }))).kind).toBe('PROVIDER_ERROR');
    upstream.respondWith({ body: Buffer.alloc(0), headers: { 'content-type': 'audio/mpeg' } });
    expect((await failure(openai.generateSpeech(target(), { text: 't' }))).kind).toBe('PROVIDER_ERROR');
  });

  it('embeds, in input order, with usage', async () => {
    const input = ['alpha beta', 'gamma'];
    const result = await openai.embed(target({ modelId: 'emb-1' }), { input });
    expect(upstream.requests[0].path).toBe('/v1/embeddings');
    expect(upstream.requests[0].body).toEqual({ model: 'emb-1', input });
    expect(result).toEqual({
      vectors: input.map(fakeEmbedding),
      usage: { promptTokens: 3, completionTokens: 0, totalTokens: 3 },
    });
  });

  it('orders embeddings by index when the upstream does not', async () => {
    upstream.respondWith({
      json: {
        data: [
          { index: 1, embedding: [2, 2] },
          { index: 0, embedding: [1, 1] },
        ],
        usage: { prompt_tokens: 4, total_tokens: 4 },
      },
    });
    const result = await openai.embed(target(), { input: ['a', 'b'] });
    expect(result.vectors).toEqual([
      [1, 1],
      [2, 2],
    ]);
  });

  it('refuses embeddings whose count does not match the input', async () => {
    upstream.respondWith({ json: { data: [{ index: 0, embedding: [1] }] } });
    expect((await failure(openai.embed(target(), { input: ['a', 'b'] }))).kind).toBe('PROVIDER_ERROR');
  });

  it('supports every capability', () => {
    for (const c of ['CHAT', 'CODE', 'CONTENT', 'IMAGE', 'AUDIO', 'EMBEDDING'] as const) expect(openai.supports(c)).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------
describe('Anthropic adapter', () => {
  it('posts /messages with x-api-key and the version, system text at the top, max_tokens defaulted', async () => {
    const result = await anthropic.chat(target({ modelId: 'claude-fake' }), { ...CHAT, temperature: 0.5 });

    const req = upstream.requests[0];
    expect(req.path).toBe('/v1/messages');
    expect(req.headers['x-api-key']).toBe(KEY);
    expect(req.headers['anthropic-version']).toBe(ANTHROPIC_VERSION);
    expect(req.headers.authorization).toBeUndefined();
    expect(req.body).toEqual({
      model: 'claude-fake',
      max_tokens: 1024,
      system: 'You are terse.',
      temperature: 0.5,
      messages: CHAT.messages.filter((m) => m.role !== 'system'),
    });
    expect(result).toEqual({
      content: ECHO,
      finishReason: 'end_turn',
      usage: { promptTokens: CHAT_PROMPT_TOKENS, completionTokens: countTokens(ECHO), totalTokens: CHAT_PROMPT_TOKENS + countTokens(ECHO) },
    });
  });

  it('joins several system messages, passes maxTokens, and omits system when there is none', async () => {
    await anthropic.chat(target(), {
      messages: [
        { role: 'system', content: 'one' },
        { role: 'system', content: 'two' },
        { role: 'user', content: 'q' },
      ],
      maxTokens: 50,
    });
    expect(upstream.requests[0].body).toMatchObject({ system: 'one\n\ntwo', max_tokens: 50 });

    await anthropic.chat(target(), { messages: [{ role: 'user', content: 'q' }] });
    expect(upstream.requests[1].body).not.toHaveProperty('system');
    expect(upstream.requests[1].body).not.toHaveProperty('temperature');
  });

  it('joins text blocks, skips other blocks, and counts cached prompt tokens', async () => {
    upstream.respondWith({
      json: {
        type: 'message',
        content: [
          { type: 'text', text: 'Hello, ' },
          { type: 'tool_use', id: 't1', name: 'x', input: {} },
          { type: 'text', text: 'world.' },
        ],
        stop_reason: 'max_tokens',
        usage: { input_tokens: 10, cache_read_input_tokens: 5, cache_creation_input_tokens: 1, output_tokens: 7 },
      },
    });
    expect(await anthropic.chat(target(), CHAT)).toEqual({
      content: 'Hello, world.',
      finishReason: 'max_tokens',
      usage: { promptTokens: 16, completionTokens: 7, totalTokens: 23 },
    });
  });

  it('streams text deltas, then done with stop_reason and usage from message_start and message_delta', async () => {
    const { deltas, done, error } = await drain(anthropic.chatStream(target(), CHAT));
    expect(error).toBeUndefined();
    expect(deltas.length).toBeGreaterThan(2);
    expect(deltas.join('')).toBe(ECHO);
    expect(done).toEqual([
      {
        type: 'done',
        result: {
          content: ECHO,
          finishReason: 'end_turn',
          usage: { promptTokens: CHAT_PROMPT_TOKENS, completionTokens: countTokens(ECHO), totalTokens: CHAT_PROMPT_TOKENS + countTokens(ECHO) },
        },
      },
    ]);
    expect(upstream.requests[0].body).toMatchObject({ stream: true, max_tokens: 1024, system: 'You are terse.' });
    expect(upstream.requests[0].body).not.toHaveProperty('stream_options');
  });

  it('maps an error event inside the stream, without the key', async () => {
    const items = anthropicStreamItems('partial answer here').slice(0, 4);
    items.push({ type: 'error', error: { type: 'overloaded_error', message: `Overloaded for key ${KEY}` } });
    upstream.respondWith({ sse: items });
    const { deltas, error } = await drain(anthropic.chatStream(target(), CHAT));
    expect(deltas.join('')).toBe('partial ');
    expect(error?.kind).toBe('PROVIDER_ERROR');
    expect(error?.message).toContain('Overloaded');
    expectNoKey(error);
  });

  it('maps a rate_limit_error event inside the stream to RATE_LIMITED', async () => {
    upstream.respondWith({ sse: [{ type: 'error', error: { type: 'rate_limit_error', message: 'slow down' } }] });
    const { error } = await drain(anthropic.chatStream(target(), CHAT));
    expect(error?.kind).toBe('RATE_LIMITED');
  });

  it('answers UNSUPPORTED for images, speech and embeddings without calling the upstream', async () => {
    const t = target();
    for (const call of [
      () => anthropic.generateImage(t, { prompt: 'p' }),
      () => anthropic.generateSpeech(t, { text: 't' }),
      () => anthropic.embed(t, { input: ['x'] }),
    ]) {
      expect((await failure(call)).kind).toBe('UNSUPPORTED');
    }
    expect(upstream.requests).toHaveLength(0);
    expect(['CHAT', 'CODE', 'CONTENT'].every((c) => anthropic.supports(c as 'CHAT'))).toBe(true);
    expect(['IMAGE', 'AUDIO', 'EMBEDDING'].some((c) => anthropic.supports(c as 'IMAGE'))).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------------
describe('adapterFor', () => {
  it('gives one adapter per style', () => {
    expect(adapterFor(ApiStyle.OPENAI)).toBe(adapterFor(ApiStyle.OPENAI));
    expect(adapterFor(ApiStyle.ANTHROPIC)).toBe(adapterFor(ApiStyle.ANTHROPIC));
    expect(adapterFor(ApiStyle.OPENAI).style).toBe('OPENAI');
    expect(adapterFor(ApiStyle.ANTHROPIC).style).toBe('ANTHROPIC');
    expect(() => adapterFor('SOAP' as ApiStyle)).toThrow(UpstreamError);
  });
});

// ---------------------------------------------------------------------------------------------
describe.each<[string, ProviderAdapter]>([
  ['OPENAI', openai],
  ['ANTHROPIC', anthropic],
])('%s error mapping', (style, adapter) => {
  const chat = (overrides: Partial<UpstreamTarget> = {}): Promise<unknown> => adapter.chat(target(overrides), CHAT);

  it.each([401, 403])('maps %i to AUTH_FAILED without retrying', async (status) => {
    upstream.respondWith({ status, times: Infinity });
    const err = await failure(chat());
    expect(err).toMatchObject({ kind: 'AUTH_FAILED', status });
    expect(upstream.requests).toHaveLength(1);
  });

  it('retries a 429 and then succeeds', async () => {
    upstream.respondWith({ status: 429, headers: { 'retry-after': '0' } });
    const result = (await chat()) as { content: string };
    expect(result.content).toBe(ECHO);
    expect(upstream.requests).toHaveLength(2);
  });

  it('maps an exhausted 429 to RATE_LIMITED with status 429 after two retries', async () => {
    upstream.respondWith({ status: 429, times: Infinity });
    const err = await failure(chat());
    expect(err).toMatchObject({ kind: 'RATE_LIMITED', status: 429 });
    expect(upstream.requests).toHaveLength(3);
  });

  it('does not wait for a Retry-After beyond the cap: RATE_LIMITED at once', async () => {
    upstream.respondWith({ status: 429, headers: { 'retry-after': '30' }, times: Infinity });
    const waits: number[] = [];
    const adapter = new OpenAiAdapter({ ...FAST, sleep: async (ms) => void waits.push(ms) });
    const err = await failure(adapter.chat(target(), CHAT));
    expect(err).toMatchObject({ kind: 'RATE_LIMITED', status: 429 });
    expect(upstream.requests).toHaveLength(1);
    expect(waits).toEqual([]); // no wait started at all
  });

  it('retries a 503 boundedly (at most 3 attempts), then PROVIDER_ERROR 503', async () => {
    upstream.respondWith({ status: 503, times: Infinity });
    const err = await failure(chat());
    expect(err).toMatchObject({ kind: 'PROVIDER_ERROR', status: 503 });
    expect(upstream.requests).toHaveLength(3);
  });

  it.each([500, 502, 504])('maps %i to PROVIDER_ERROR and does not repeat a generation that may have run', async (status) => {
    upstream.respondWith({ status, times: Infinity });
    const err = await failure(chat());
    expect(err).toMatchObject({ kind: 'PROVIDER_ERROR', status });
    expect(upstream.requests).toHaveLength(1);
  });

  it('maps a 400 to PROVIDER_ERROR 400 with the upstream message, without retrying', async () => {
    upstream.respondWith({ status: 400, json: { error: { message: 'messages: field required', type: 'invalid_request_error' } } });
    const err = await failure(chat());
    expect(err).toMatchObject({ kind: 'PROVIDER_ERROR', status: 400 });
    expect(err.message).toContain('messages: field required');
    expect(upstream.requests).toHaveLength(1);
  });

  it('does not follow redirects (they could carry the key elsewhere)', async () => {
    upstream.respondWith({ status: 307, headers: { location: 'http://127.0.0.1:1/elsewhere' }, json: {} });
    const err = await failure(chat());
    expect(err).toMatchObject({ kind: 'PROVIDER_ERROR', status: 307 });
    expect(upstream.requests).toHaveLength(1);
  });

  it('maps a timeout to PROVIDER_ERROR without a status, promptly and without retrying', async () => {
    upstream.respondWith({ delayMs: 2000 });
    const err = await failure(chat({ timeoutMs: 150 }));
    expect(err.kind).toBe('PROVIDER_ERROR');
    expect(err.status).toBeUndefined();
    // The deadline fired (the answer would have come after 2 s), and the request was given up.
    expect(err.message).toMatch(/within 150 ms/);
    expect(upstream.requests).toHaveLength(1);
    await waitFor(() => upstream.requests[0].cutShort, Boolean, { what: 'the upstream request to be given up' });
  });

  it('stops when the caller aborts', async () => {
    upstream.respondWith({ delayMs: 2000 });
    const controller = new AbortController();
    // Abort once the request is at the provider (waiting 2 s to answer).
    void waitFor(
      () => upstream.requests.length,
      (n) => n > 0,
    ).then(() => controller.abort());
    const err = await failure(chat({ signal: controller.signal }));
    expect(err.kind).toBe('PROVIDER_ERROR');
    expect(err.message).toMatch(/aborted/);
  });

  it.each(['non-json', 'wrong-shape'] as const)('maps a %s 200 to PROVIDER_ERROR', async (malformed) => {
    upstream.respondWith({ malformed });
    const err = await failure(chat());
    expect(err.kind).toBe('PROVIDER_ERROR');
    expect(err.status).toBeUndefined();
    expect(upstream.requests).toHaveLength(1);
  });

  it('maps a connection dropped before the answer to PROVIDER_ERROR, not repeated', async () => {
    upstream.respondWith({ drop: 'before-response', times: Infinity });
    const err = await failure(chat());
    expect(err.kind).toBe('PROVIDER_ERROR');
    expect(upstream.requests).toHaveLength(1);
  });

  it('maps a body cut in the middle to PROVIDER_ERROR', async () => {
    upstream.respondWith({ drop: 'mid-body' });
    expect((await failure(chat())).kind).toBe('PROVIDER_ERROR');
  });

  it('retries a stream refused with 429, before any byte of it', async () => {
    upstream.respondWith({ status: 429 });
    const { deltas, done, error } = await drain(adapter.chatStream(target(), CHAT));
    expect(error).toBeUndefined();
    expect(deltas.join('')).toBe(ECHO);
    expect(done).toHaveLength(1);
    expect(upstream.requests).toHaveLength(2);
  });

  it('maps a stream start error like a plain one', async () => {
    upstream.respondWith({ status: 401 });
    const { deltas, error } = await drain(adapter.chatStream(target(), CHAT));
    expect(deltas).toEqual([]);
    expect(error).toMatchObject({ kind: 'AUTH_FAILED', status: 401 });
  });

  it('never retries a stream after its first byte: a drop mid-stream is PROVIDER_ERROR after the deltas so far', async () => {
    upstream.respondWith({ drop: 'mid-body', dropAfterItems: 4 });
    const { deltas, done, error } = await drain(adapter.chatStream(target(), CHAT));
    expect(deltas.length).toBeGreaterThan(0);
    expect(ECHO.startsWith(deltas.join(''))).toBe(true);
    expect(done).toEqual([]);
    expect(error?.kind).toBe('PROVIDER_ERROR');
    expect(upstream.requests).toHaveLength(1);
  });

  it('maps a stream that ends cleanly but early to PROVIDER_ERROR', async () => {
    const items = style === 'OPENAI' ? openAiStreamItems('a b c d') : anthropicStreamItems('a b c d');
    upstream.respondWith({ sse: items.slice(0, 3) });
    const { done, error } = await drain(adapter.chatStream(target(), CHAT));
    expect(done).toEqual([]);
    expect(error?.message).toMatch(/ended early/);
  });

  it('maps a non-JSON stream event to PROVIDER_ERROR', async () => {
    upstream.respondWith({ sse: ['data: {not json\n\n'] });
    const { error } = await drain(adapter.chatStream(target(), CHAT));
    expect(error?.kind).toBe('PROVIDER_ERROR');
  });

  it('times out a stream that goes silent', async () => {
    upstream.respondWith({ chunkDelayMs: 1500 });
    const { error } = await drain(adapter.chatStream(target({ timeoutMs: 200 }), CHAT));
    expect(error?.kind).toBe('PROVIDER_ERROR');
    // The idle deadline fired (the next chunk would have come after 1.5 s).
    expect(error?.message).toMatch(/within 200 ms/);
  });

  it('lets a consumer stop a stream early without waiting for the rest', async () => {
    upstream.respondWith({ chunkDelayMs: 150 });
    for await (const event of adapter.chatStream(target(), CHAT)) {
      if (event.type === 'delta') break;
    }
    // Breaking out closes the upstream connection before the rest of the stream was sent.
    await waitFor(() => upstream.requests[0].cutShort, Boolean, { what: 'the stream to be closed early' });
    // The fake still answers afterwards: nothing was left hanging.
    expect(((await chat()) as { content: string }).content).toBe(ECHO);
  });

  describe('never reveals the key', () => {
    it('redacts a 401 body that echoes the key', async () => {
      upstream.respondWith({ status: 401, json: { error: { message: `Incorrect API key provided: ${KEY}. Check it.`, type: 'auth' } } });
      const err = await failure(chat());
      expect(err.kind).toBe('AUTH_FAILED');
      expect(err.message).toContain('Incorrect API key provided');
      expectNoKey(err);
    });

    it('redacts a partial echo of the key', async () => {
      upstream.respondWith({ status: 400, json: { error: { message: `bad key ${KEY.slice(0, 14)}…${KEY.slice(-4)}` } } });
      expectNoKey(await failure(chat()));
    });

    it('does not echo a non-JSON error body at all', async () => {
      upstream.respondWith({ status: 500, body: `Internal error: headers were {"authorization":"Bearer ${KEY}"}` });
      const err = await failure(chat());
      expect(err.message).toBe('upstream answered 500');
      expectNoKey(err);
    });

    it('keeps the key out of a malformed 200 that contains it', async () => {
      upstream.respondWith({ body: `oops ${KEY} {` });
      expectNoKey(await failure(chat()));
    });

    it('keeps the key out of a stream error event', async () => {
      upstream.respondWith({ sse: [`data: {"error":{"message":"boom ${KEY}","type":"server_error"}}\n\n`] });
      const { error } = await drain(adapter.chatStream(target(), CHAT));
      expect(error?.kind).toBe('PROVIDER_ERROR');
      expectNoKey(error);
    });

    it('keeps the key out of an exhausted retry', async () => {
      upstream.respondWith({ status: 429, times: Infinity, json: { error: { message: `limit for ${KEY}` } } });
      expectNoKey(await failure(chat()));
    });
  });
});

// ---------------------------------------------------------------------------------------------
describe('retry policy', () => {
  it('backs off exponentially with jitter and honours Retry-After', async () => {
    const delays: number[] = [];
    const adapter = new OpenAiAdapter({
      retry: { baseDelayMs: 200, maxDelayMs: 2000, retryAfterCapMs: 5000 },
      sleep: async (ms) => {
        delays.push(ms);
      },
      random: () => 0.5,
    });
    upstream.respondWith({ status: 503, times: 2 });
    await adapter.chat(target(), CHAT);
    // Equal jitter at random 0.5: 3/4 of 200, then of 400.
    expect(delays).toEqual([150, 300]);

    delays.length = 0;
    upstream.respondWith({ status: 429, headers: { 'retry-after': '1' } });
    await adapter.chat(target(), CHAT);
    expect(delays).toEqual([1000]);

    delays.length = 0;
    upstream.respondWith({ status: 429, headers: { 'retry-after-ms': '420' } });
    await adapter.chat(target(), CHAT);
    expect(delays).toEqual([420]);
  });

  it('does not start a wait that would outlast the deadline', async () => {
    const waits: number[] = [];
    const adapter = new OpenAiAdapter({ retry: { baseDelayMs: 5000, maxDelayMs: 5000 }, sleep: async (ms) => void waits.push(ms) });
    upstream.respondWith({ status: 503, times: Infinity });
    const err = await failure(adapter.chat(target({ timeoutMs: 1000 }), CHAT));
    expect(err).toMatchObject({ kind: 'PROVIDER_ERROR', status: 503 });
    expect(waits).toEqual([]);
    expect(upstream.requests).toHaveLength(1);
  });

  it('repeats embeddings on 502 and on a dropped connection: they are idempotent', async () => {
    upstream.respondWith({ status: 502 });
    upstream.respondWith({ drop: 'before-response' });
    const result = await openai.embed(target(), { input: ['x'] });
    expect(result.vectors).toEqual([fakeEmbedding('x')]);
    expect(upstream.requests).toHaveLength(3);
  });

  it('repeats a generation when the connection could not be made at all', async () => {
    const port = await closedPort();
    let calls = 0;
    const adapter = new OpenAiAdapter({
      ...FAST,
      fetch: (input, init) => {
        calls++;
        return fetch(input, init);
      },
    });
    const err = await failure(adapter.chat(target({ baseUrl: `http://127.0.0.1:${port}/v1` }), CHAT));
    expect(err.kind).toBe('PROVIDER_ERROR');
    expect(err.status).toBeUndefined();
    expect(err.message).toMatch(/unreachable \(ECONNREFUSED\)/);
    expect(calls).toBe(3);
  });

  it('parses Retry-After as seconds, milliseconds or an HTTP date', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(parseRetryAfter(new Headers({ 'retry-after': '2' }), now)).toBe(2000);
    expect(parseRetryAfter(new Headers({ 'retry-after': '0.5' }), now)).toBe(500);
    expect(parseRetryAfter(new Headers({ 'retry-after-ms': '150', 'retry-after': '9' }), now)).toBe(150);
    expect(parseRetryAfter(new Headers({ 'retry-after': 'Wed, 01 Jan 2025 00:00:03 GMT' }), now)).toBe(3000);
    expect(parseRetryAfter(new Headers({ 'retry-after': 'soon' }), now)).toBeNull();
    expect(parseRetryAfter(new Headers(), now)).toBeNull();
  });
});

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

// ---------------------------------------------------------------------------------------------
describe('redactSecret', () => {
  it('removes the key and any token sharing 8 or more characters with it', () => {
    expect(redactSecret(`key=${KEY}!`, KEY)).toBe('key=[redacted]!');
    expect(redactSecret(`prefix ${KEY.slice(0, 10)}... suffix`, KEY)).toBe('prefix [redacted] suffix');
    expect(redactSecret('nothing secret here', KEY)).toBe('nothing secret here');
    expect(redactSecret('short abc', 'abc')).toBe('short [redacted]');
    expect(redactSecret('text', '')).toBe('text');
  });
});

// ---------------------------------------------------------------------------------------------
describe('parseSse', () => {
  const encoder = new TextEncoder();

  async function* chunks(parts: Uint8Array[]): AsyncGenerator<Uint8Array> {
    for (const part of parts) yield part;
  }

  async function parseAll(parts: Uint8Array[]): Promise<SseEvent[]> {
    const events: SseEvent[] = [];
    for await (const event of parseSse(chunks(parts))) events.push(event);
    return events;
  }

  const STREAM =
    ': a comment, ignored\n' +
    'data: first\n\n' +
    'event: update\r\n' +
    'id: 7\r\n' +
    'data: line one\r\n' +
    'data:line two\r\n' +
    'data:  two spaces keep one\r\n\r\n' +
    'retry: 1000\r' +
    'data: après 🙂\r\r' +
    'unknown: field\n' +
    'data\n\n' +
    'event: no-data\n\n' +
    'data: {"a":1}\n\n' +
    'data: never ended\n';

  const EXPECTED: SseEvent[] = [
    { event: 'message', data: 'first', id: null },
    { event: 'update', data: 'line one\nline two\n two spaces keep one', id: '7' },
    { event: 'message', data: 'après 🙂', id: '7' },
    { event: 'message', data: '', id: '7' },
    { event: 'message', data: '{"a":1}', id: '7' },
  ];

  it('parses events, multi-line data, comments, ids and all three line ends', async () => {
    expect(await parseAll([encoder.encode(STREAM)])).toEqual(EXPECTED);
  });

  it('gives the same events however the bytes are split', async () => {
    const bytes = encoder.encode(STREAM);
    for (let i = 0; i <= bytes.length; i++) {
      expect(await parseAll([bytes.subarray(0, i), bytes.subarray(i)])).toEqual(EXPECTED);
    }
    for (let i = 0; i + 3 <= bytes.length; i += 3) {
      expect(await parseAll([bytes.subarray(0, i), bytes.subarray(i, i + 3), bytes.subarray(i + 3)])).toEqual(EXPECTED);
    }
    expect(await parseAll(Array.from(bytes, (b) => Uint8Array.of(b)))).toEqual(EXPECTED);
  });

  it('does not count a CRLF split between chunks as two line ends', async () => {
    const events = await parseAll([encoder.encode('data: a\r'), encoder.encode('\ndata: b\r'), encoder.encode('\n\r\n')]);
    expect(events).toEqual([{ event: 'message', data: 'a\nb', id: null }]);
  });

  it('reads a web ReadableStream', async () => {
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(encoder.encode('data: x\n'));
        controller.enqueue(encoder.encode('\ndata: y\n\n'));
        controller.close();
      },
    });
    const events: string[] = [];
    for await (const e of parseSse(stream)) events.push(e.data);
    expect(events).toEqual(['x', 'y']);
  });

  it('refuses an event larger than the limit', async () => {
    const parse = async (): Promise<void> => {
      for await (const _ of parseSse(chunks([encoder.encode(`data: ${'x'.repeat(100)}\n`)]), { maxEventChars: 50 })) {
        // nothing
      }
    };
    await expect(parse()).rejects.toBeInstanceOf(SseParseError);
  });
});
