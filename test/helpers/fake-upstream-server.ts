/**
 * The protocol-independent part of the fake AI provider: a real HTTP server on loopback that records
 * every request and answers it by the first matching scripted rule (fault injection: error statuses,
 * delays, malformed bodies, SSE chunks with pauses, dropped connections) or else by its protocol's
 * default. The protocols (which paths, which bodies, how errors and SSE look) plug in as FakeProtocol.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** Every endpoint the fake knows, across protocols; 'unknown' for any other path. */
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
  /** Set once the connection closed before the answer was complete: the client gave up (or a `drop` rule cut it). */
  cutShort: boolean;
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

/** One upstream protocol: its endpoints, default answers, error bodies and SSE framing. */
export interface FakeProtocol {
  endpoints: FakeEndpoint[];
  /** The endpoint a path is (under any prefix), or null when it is not this protocol's. */
  endpointOf(path: string): FakeEndpoint | null;
  /** A well-behaved answer to a POST on one of its endpoints (the key already checked). */
  answer(req: RecordedRequest, body: Record<string, unknown>, model: string): FakeResponse;
  /** A provider-style error body. */
  errorBody(endpoint: FakeEndpoint, status: number, message: string): Record<string, unknown>;
  /** One SSE item (an object) as written on the wire. */
  sseText(item: Record<string, unknown>): string;
}

/** "Tokens" of the fake: whitespace-separated words. */
export function countTokens(text: string): number {
  return text.split(/\s+/).filter(Boolean).length;
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

/** Prompt "tokens" of a chat body: the words of every message, plus Anthropic's top-level system. */
export function promptTokensOf(body: unknown): number {
  if (!isObject(body)) return 0;
  const messages = Array.isArray(body.messages) ? body.messages : [];
  const words = messages.reduce<number>((sum, m) => sum + (isObject(m) ? countTokens(textOf(m.content)) : 0), 0);
  return words + (typeof body.system === 'string' ? countTokens(body.system) : 0);
}

/**
 * Starts the fake on a free loopback port, answering the endpoints of the given protocols (their
 * defaults, or the scripted rules). Protocol-specific parts live in fake-openai-upstream.ts and
 * fake-anthropic-upstream.ts; startFakeUpstream (fake-upstream.ts) serves both.
 */
export async function startFakeServer(protocols: FakeProtocol[], options: FakeUpstreamOptions = {}): Promise<FakeUpstream> {
  const protocolOf = (endpoint: FakeEndpoint): FakeProtocol => protocols.find((p) => p.endpoints.includes(endpoint)) ?? protocols[0];
  const endpointOf = (path: string): FakeEndpoint => {
    for (const p of protocols) {
      const endpoint = p.endpointOf(path);
      if (endpoint) return endpoint;
    }
    return 'unknown';
  };
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

  /** What a well-behaved provider answers. */
  const defaultAnswer = (req: RecordedRequest): FakeResponse => {
    const protocol = protocolOf(req.endpoint);
    if (req.method !== 'POST' || req.endpoint === 'unknown') {
      return { status: 404, json: protocol.errorBody(req.endpoint, 404, `no route for ${req.method} ${req.path}`) };
    }
    if (options.apiKeys && !options.apiKeys.includes(req.apiKey ?? '')) {
      // Real providers echo (part of) the key; the fake echoes all of it, the worst case for redaction.
      return { status: 401, json: protocol.errorBody(req.endpoint, 401, `Incorrect API key provided: ${req.apiKey ?? '(none)'}`) };
    }
    return protocol.answer(req, isObject(req.body) ? req.body : {}, req.model ?? 'fake-model');
  };

  const server = http.createServer((req, res) => {
    res.on('error', () => undefined);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const recorded = record(req, Buffer.concat(chunks).toString('utf8'), endpointOf);
      requests.push(recorded);
      res.once('close', () => {
        if (!res.writableFinished) recorded.cutShort = true;
      });
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
      const base =
        status >= 400
          ? { json: protocolOf(recorded.endpoint).errorBody(recorded.endpoint, status, `fake upstream error ${status}`) }
          : defaultAnswer(recorded);
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
      const items = response.sse.map((item) => (typeof item === 'string' ? item : protocolOf(recorded.endpoint).sseText(item)));
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

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content.map((part) => (isObject(part) && typeof part.text === 'string' ? part.text : '')).join('');
  }
  return '';
}

function lowerKeys(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}

function record(req: http.IncomingMessage, rawBody: string, endpointOf: (path: string) => FakeEndpoint): RecordedRequest {
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
    cutShort: false,
  };
}
