/**
 * A fake AI provider over real HTTP, speaking both upstream protocols:
 *   OpenAI    POST …/chat/completions, …/images/generations, …/audio/speech, …/embeddings
 *   Anthropic POST …/messages
 * under any prefix ("/v1/chat/completions" works as well as "/chat/completions").
 *
 * By default it answers like a well-behaved provider (chat echoes the last user message,
 * streams in several chunks, embeddings are deterministic); `respondWith` scripts other answers:
 * errors, delays, malformed bodies, SSE chunks, dropped connections. Every request is recorded.
 *
 *   const upstream = await startFakeUpstream();
 *   upstream.respondWith({ status: 429, headers: { 'retry-after': '0' } });   // the next answer only
 *   upstream.respondWith({ status: 500, times: Infinity });                    // every answer
 *   upstream.requests[0].apiKey                                                // which key was used
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type FakeEndpoint = 'chat' | 'messages' | 'images' | 'speech' | 'embeddings' | 'unknown';

export interface RecordedRequest {
  method: string;
  /** The path without the query string, e.g. "/v1/chat/completions". */
  path: string;
  endpoint: FakeEndpoint;
  /** Lower-cased names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  /** The parsed JSON body, or undefined when the body was not JSON. `any` keeps test assertions short. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
  rawBody: string;
  /** body.model, when a string. */
  model: string | null;
  authorization: string | null;
  /** From "Authorization: Bearer <key>" or "x-api-key". */
  apiKey: string | null;
  /** Whether the body asked for a stream (body.stream === true). */
  stream: boolean;
}

/** One SSE item: a string is written verbatim; an object is written as `data: <json>\n\n`
 *  (on the Anthropic endpoint, preceded by `event: <object.type>`). */
export type SseItem = string | Record<string, unknown>;

export interface FakeResponse {
  /** Default 200. A status >= 400 with no body gets a provider-style error body. */
  status?: number;
  headers?: Record<string, string>;
  /** A JSON body. */
  json?: unknown;
  /** A raw body, written as is (use it for non-JSON answers). */
  body?: string | Buffer;
  /** Shorthand for a broken 200: 'non-json' → text that is not JSON; 'wrong-shape' → JSON the protocol never sends. */
  malformed?: 'non-json' | 'wrong-shape';
  /** An SSE body, one write per item (see SseItem). */
  sse?: SseItem[];
  /** Wait before each SSE item after the first (also splits the default stream). */
  chunkDelayMs?: number;
  /** Wait before answering at all. */
  delayMs?: number;
  /**
   * Cut the connection: 'before-response' → no answer at all; 'mid-body' → status, headers and
   * the first `dropAfterItems` SSE items (default half) or half the body bytes, then a reset.
   */
  drop?: 'before-response' | 'mid-body';
  dropAfterItems?: number;
}

export interface FakeRule extends FakeResponse {
  /** How many requests this rule answers; default 1, Infinity for all. */
  times?: number;
  /** Only requests to these endpoints use the rule; others fall through to later rules or the default. */
  endpoint?: FakeEndpoint | FakeEndpoint[];
  /** Computes the answer from the request; its fields win over the rule's. */
  respond?: (req: RecordedRequest) => FakeResponse;
}

export interface FakeUpstreamOptions {
  /** When set, any other key is refused with 401, like a real provider (the error echoes the key, as some do). */
  apiKeys?: string[];
}

export interface FakeUpstream {
  /** Base URL without a trailing slash, e.g. "http://127.0.0.1:41234". Append "/v1" if you like. */
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** Queues a scripted answer; rules are used first-in first-out. */
  respondWith(rule: FakeRule): void;
  /** Requests to one endpoint, in arrival order. */
  requestsTo(endpoint: FakeEndpoint): RecordedRequest[];
  /** Forgets requests and scripted answers. */
  reset(): void;
  close(): Promise<void>;
}

/** "Tokens" of the fake: whitespace-separated words. */
export function countTokens(text: string): number {
  return text.split(/\s+/).filter(Boolean).length;
}

export const FAKE_EMBEDDING_DIMENSIONS = 8;

/** The vector the fake answers for a text: derived from its SHA-256, in [-1, 1]. */
export function fakeEmbedding(text: string): number[] {
  const digest = createHash('sha256').update(text).digest();
  return Array.from(digest.subarray(0, FAKE_EMBEDDING_DIMENSIONS), (b) => Math.round((b / 255) * 2e6 - 1e6) / 1e6);
}

export const FAKE_SPEECH_MIME: Record<string, string> = {
  mp3: 'audio/mpeg',
  wav: 'audio/wav',
  opus: 'audio/ogg',
  aac: 'audio/aac',
  flac: 'audio/flac',
  pcm: 'audio/pcm',
};

/** The bytes the fake answers for /audio/speech. */
export function fakeSpeechBytes(input: string, format: string): Buffer {
  return Buffer.from(`FAKE-${format.toUpperCase()}-AUDIO:${input}`, 'utf8');
}

/** The reply of the default chat: "echo: " and the last user message. */
export function echoReply(body: unknown): string {
  const messages = isObject(body) && Array.isArray(body.messages) ? body.messages : [];
  const lastUser = [...messages].reverse().find((m) => isObject(m) && m.role === 'user');
  return `echo: ${isObject(lastUser) ? textOf(lastUser.content) : ''}`;
}

/** Splits a reply into the pieces the default stream sends: one word (with its trailing space) each. */
export function streamPieces(text: string): string[] {
  return text.match(/\S+\s*|\s+/g) ?? [];
}

/** A provider-style error body for the endpoint. */
export function errorBody(endpoint: FakeEndpoint, status: number, message: string): Record<string, unknown> {
  if (endpoint === 'messages') {
    return { type: 'error', error: { type: anthropicErrorType(status), message } };
  }
  return { error: { message, type: status === 429 ? 'rate_limit_exceeded' : 'invalid_request_error', code: null } };
}

/** The SSE items of a well-formed OpenAI chat stream that says `text`. */
export function openAiStreamItems(text: string, opts: { model?: string; usage?: boolean; promptTokens?: number } = {}): SseItem[] {
  const base = { id: 'chatcmpl-fake', object: 'chat.completion.chunk', created: 1_700_000_000, model: opts.model ?? 'fake-model' };
  const items: SseItem[] = [
    { ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] },
    ...streamPieces(text).map((piece) => ({ ...base, choices: [{ index: 0, delta: { content: piece }, finish_reason: null }] })),
    { ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] },
  ];
  if (opts.usage) {
    const prompt = opts.promptTokens ?? 1;
    const completion = countTokens(text);
    items.push({ ...base, choices: [], usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion } });
  }
  items.push('data: [DONE]\n\n');
  return items;
}

/** The SSE items of a well-formed Anthropic message stream that says `text`. */
export function anthropicStreamItems(text: string, opts: { model?: string; inputTokens?: number } = {}): SseItem[] {
  return [
    {
      type: 'message_start',
      message: {
        id: 'msg_fake',
        type: 'message',
        role: 'assistant',
        model: opts.model ?? 'fake-model',
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: opts.inputTokens ?? 1, output_tokens: 1 },
      },
    },
    { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
    { type: 'ping' },
    ...streamPieces(text).map((piece) => ({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: piece } })),
    { type: 'content_block_stop', index: 0 },
    { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: countTokens(text) } },
    { type: 'message_stop' },
  ];
}

export async function startFakeUpstream(options: FakeUpstreamOptions = {}): Promise<FakeUpstream> {
  const requests: RecordedRequest[] = [];
  let rules: { rule: FakeRule; left: number }[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();

  const sleep = (ms: number, res: http.ServerResponse): Promise<void> =>
    new Promise((resolve) => {
      if (ms <= 0) return resolve();
      const timer = setTimeout(() => {
        timers.delete(timer);
        res.off('close', onClose);
        resolve();
      }, ms);
      // A client that gave up should not keep the fake waiting.
      const onClose = (): void => {
        clearTimeout(timer);
        timers.delete(timer);
        resolve();
      };
      res.once('close', onClose);
      timers.add(timer);
    });

  const takeRule = (req: RecordedRequest): FakeRule | null => {
    const i = rules.findIndex(({ rule }) => {
      if (rule.endpoint === undefined) return true;
      return Array.isArray(rule.endpoint) ? rule.endpoint.includes(req.endpoint) : rule.endpoint === req.endpoint;
    });
    if (i < 0) return null;
    const entry = rules[i];
    entry.left -= 1;
    if (entry.left <= 0) rules.splice(i, 1);
    return entry.rule;
  };

  const server = http.createServer((req, res) => {
    res.on('error', () => undefined);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const recorded = record(req, Buffer.concat(chunks).toString('utf8'));
      requests.push(recorded);
      void answer(recorded, req, res).catch(() => res.destroy());
    });
  });

  const answer = async (recorded: RecordedRequest, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const rule = takeRule(recorded);
    let response: FakeResponse;
    if (rule) {
      const { times: _times, endpoint: _endpoint, respond, ...fixed } = rule;
      response = { ...fixed, ...(respond ? respond(recorded) : {}) };
    } else {
      response = {};
    }
    const hasBody = response.json !== undefined || response.body !== undefined || response.sse !== undefined || response.malformed !== undefined;
    if (!hasBody) {
      const status = response.status ?? 200;
      const base = status >= 400 ? { json: errorBody(recorded.endpoint, status, `fake upstream error ${status}`) } : defaultAnswer(recorded, options);
      response = { ...base, ...response };
    }

    await sleep(response.delayMs ?? 0, res);
    if (res.destroyed || res.writableEnded) return;
    if (response.drop === 'before-response') {
      req.socket.destroy();
      return;
    }
    await write(recorded, response, res);
  };

  const write = async (recorded: RecordedRequest, response: FakeResponse, res: http.ServerResponse): Promise<void> => {
    const status = response.status ?? 200;
    const headers: Record<string, string> = {};
    let payload: Buffer | null = null;
    if (response.sse) {
      headers['content-type'] = 'text/event-stream; charset=utf-8';
      headers['cache-control'] = 'no-cache';
    } else if (response.malformed === 'non-json') {
      headers['content-type'] = 'application/json';
      payload = Buffer.from('<html>upstream proxy error: this is not JSON', 'utf8');
    } else if (response.malformed === 'wrong-shape') {
      headers['content-type'] = 'application/json';
      payload = Buffer.from(JSON.stringify({ unexpected: true, data: 'nothing you expect' }));
    } else if (response.body !== undefined) {
      payload = Buffer.isBuffer(response.body) ? response.body : Buffer.from(response.body, 'utf8');
      headers['content-type'] = 'text/plain; charset=utf-8';
    } else {
      headers['content-type'] = 'application/json';
      payload = Buffer.from(JSON.stringify(response.json ?? null));
    }
    Object.assign(headers, lowerKeys(response.headers ?? {}));
    // A cut body then falls short of its announced length, which clients detect.
    if (payload !== null) headers['content-length'] = String(payload.length);
    res.writeHead(status, headers);

    const cut = (): Promise<void> =>
      new Promise((resolve) => {
        // Flush what was written, then reset: the client sees a broken body, not a clean end.
        res.write('', () => {
          res.socket?.destroy();
          resolve();
        });
      });

    if (response.sse) {
      const items = response.sse.map((item) => sseText(item, recorded.endpoint));
      const limit = response.drop === 'mid-body' ? (response.dropAfterItems ?? Math.max(1, Math.floor(items.length / 2))) : items.length;
      for (let i = 0; i < limit; i++) {
        if (i > 0) await sleep(response.chunkDelayMs ?? 0, res);
        if (res.destroyed) return;
        res.write(items[i]);
      }
      if (response.drop === 'mid-body') return cut();
      res.end();
      return;
    }
    if (payload === null) payload = Buffer.alloc(0);
    if (response.drop === 'mid-body') {
      res.write(payload.subarray(0, Math.floor(payload.length / 2)));
      return cut();
    }
    res.end(payload);
  };

  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    respondWith(rule: FakeRule): void {
      rules.push({ rule, left: rule.times ?? 1 });
    },
    requestsTo(endpoint: FakeEndpoint): RecordedRequest[] {
      return requests.filter((r) => r.endpoint === endpoint);
    },
    reset(): void {
      requests.length = 0;
      rules = [];
    },
    async close(): Promise<void> {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

// ---------------------------------------------------------------------------------------------

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content.map((part) => (isObject(part) && typeof part.text === 'string' ? part.text : '')).join('');
  }
  return '';
}

function lowerKeys(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}

function endpointOf(path: string): FakeEndpoint {
  if (path.endsWith('/chat/completions')) return 'chat';
  if (path.endsWith('/messages')) return 'messages';
  if (path.endsWith('/images/generations')) return 'images';
  if (path.endsWith('/audio/speech')) return 'speech';
  if (path.endsWith('/embeddings')) return 'embeddings';
  return 'unknown';
}

function anthropicErrorType(status: number): string {
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 404) return 'not_found_error';
  if (status === 429) return 'rate_limit_error';
  if (status === 529) return 'overloaded_error';
  if (status >= 500) return 'api_error';
  return 'invalid_request_error';
}

function record(req: http.IncomingMessage, rawBody: string): RecordedRequest {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  let body: unknown;
  try {
    body = rawBody ? JSON.parse(rawBody) : undefined;
  } catch {
    body = undefined;
  }
  const path = (req.url ?? '/').split('?')[0];
  const authorization = headers.authorization ?? null;
  const bearer = authorization?.match(/^Bearer\s+(.+)$/i)?.[1] ?? null;
  return {
    method: req.method ?? 'GET',
    path,
    endpoint: endpointOf(path),
    headers,
    body,
    rawBody,
    model: isObject(body) && typeof body.model === 'string' ? body.model : null,
    authorization,
    apiKey: bearer ?? headers['x-api-key'] ?? null,
    stream: isObject(body) && body.stream === true,
  };
}

function sseText(item: SseItem, endpoint: FakeEndpoint): string {
  if (typeof item === 'string') return item;
  const event = endpoint === 'messages' && typeof item.type === 'string' ? `event: ${item.type}\n` : '';
  return `${event}data: ${JSON.stringify(item)}\n\n`;
}

/** What a well-behaved provider answers. */
function defaultAnswer(req: RecordedRequest, options: FakeUpstreamOptions): FakeResponse {
  if (req.method !== 'POST' || req.endpoint === 'unknown') {
    return { status: 404, json: errorBody(req.endpoint, 404, `no route for ${req.method} ${req.path}`) };
  }
  if (options.apiKeys && !options.apiKeys.includes(req.apiKey ?? '')) {
    // Real providers echo (part of) the key; the fake echoes all of it, the worst case for redaction.
    return { status: 401, json: errorBody(req.endpoint, 401, `Incorrect API key provided: ${req.apiKey ?? '(none)'}`) };
  }
  const body: Record<string, unknown> = isObject(req.body) ? req.body : {};
  const model = req.model ?? 'fake-model';

  switch (req.endpoint) {
    case 'chat': {
      const reply = echoReply(body);
      const promptTokens = promptTokensOf(body);
      if (req.stream) {
        const usage = isObject(body.stream_options) && body.stream_options.include_usage === true;
        return { sse: openAiStreamItems(reply, { model, usage, promptTokens }) };
      }
      const completion = countTokens(reply);
      return {
        json: {
          id: 'chatcmpl-fake',
          object: 'chat.completion',
          created: 1_700_000_000,
          model,
          choices: [{ index: 0, message: { role: 'assistant', content: reply }, finish_reason: 'stop' }],
          usage: { prompt_tokens: promptTokens, completion_tokens: completion, total_tokens: promptTokens + completion },
        },
      };
    }
    case 'messages': {
      const reply = echoReply(body);
      const inputTokens = promptTokensOf(body);
      if (req.stream) return { sse: anthropicStreamItems(reply, { model, inputTokens }) };
      return {
        json: {
          id: 'msg_fake',
          type: 'message',
          role: 'assistant',
          model,
          content: [{ type: 'text', text: reply }],
          stop_reason: 'end_turn',
          stop_sequence: null,
          usage: { input_tokens: inputTokens, output_tokens: countTokens(reply) },
        },
      };
    }
    case 'images': {
      const n = typeof body.n === 'number' ? body.n : 1;
      const prompt = typeof body.prompt === 'string' ? body.prompt : '';
      const b64 = body.response_format === 'b64_json';
      return {
        json: {
          created: 1_700_000_000,
          data: Array.from({ length: n }, (_, i) =>
            b64
              ? { b64_json: Buffer.from(`FAKE-PNG-${i}`).toString('base64'), revised_prompt: prompt }
              : { url: `https://fake-upstream.invalid/images/${i}.png`, revised_prompt: prompt },
          ),
        },
      };
    }
    case 'speech': {
      const format = typeof body.response_format === 'string' ? body.response_format : 'mp3';
      const input = typeof body.input === 'string' ? body.input : '';
      return {
        body: fakeSpeechBytes(input, format),
        headers: { 'content-type': FAKE_SPEECH_MIME[format] ?? 'application/octet-stream' },
      };
    }
    case 'embeddings': {
      const inputs = Array.isArray(body.input) ? body.input.map(String) : [String(body.input ?? '')];
      const tokens = inputs.reduce((sum, text) => sum + countTokens(text), 0);
      return {
        json: {
          object: 'list',
          model,
          data: inputs.map((text, index) => ({ object: 'embedding', index, embedding: fakeEmbedding(text) })),
          usage: { prompt_tokens: tokens, total_tokens: tokens },
        },
      };
    }
    default:
      return { status: 404, json: errorBody(req.endpoint, 404, 'not found') };
  }
}

/** Prompt "tokens" of a chat body: the words of every message, plus Anthropic's top-level system. */
export function promptTokensOf(body: unknown): number {
  if (!isObject(body)) return 0;
  const messages = Array.isArray(body.messages) ? body.messages : [];
  const words = messages.reduce<number>((sum, m) => sum + (isObject(m) ? countTokens(textOf(m.content)) : 0), 0);
  return words + (typeof body.system === 'string' ? countTokens(body.system) : 0);
}
