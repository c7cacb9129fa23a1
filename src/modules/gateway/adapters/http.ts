/**
 * The one place that talks HTTP to upstream providers: JSON POST over the platform fetch,
 * a deadline, bounded retries, and the mapping of every failure to UpstreamError.
 */
import type { UpstreamTarget } from './provider-adapter';
import { UpstreamError, errorFromResponse } from './upstream-error';

export interface RetryPolicy {
  /** Attempts after the first one. */
  maxRetries: number;
  /** The first backoff; each retry doubles it, with jitter. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** A Retry-After longer than this is not waited for: the call fails at once with the upstream's status. */
  retryAfterCapMs: number;
}

export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = {
  maxRetries: 2,
  baseDelayMs: 200,
  maxDelayMs: 2_000,
  retryAfterCapMs: 5_000,
};

/**
 * How safe a call is to send twice.
 * - 'idempotent': the answer is a pure function of the request and nothing is created
 *   (embeddings), so any transient failure may be repeated: 429, 502, 503, 504, 529, network errors.
 * - 'if-unprocessed': generations are billed each time they run, so they are repeated only when the
 *   upstream said it did not process the request (429, 503, Anthropic's 529 "overloaded") or the
 *   connection was never made. A 502/504 or a reset connection may hide a processed (billed) request.
 * A 500 is never repeated: it usually means this request fails, and repeating only multiplies cost.
 */
export type RepeatSafety = 'idempotent' | 'if-unprocessed';

const RETRY_STATUSES: Record<RepeatSafety, ReadonlySet<number>> = {
  idempotent: new Set([429, 502, 503, 504, 529]),
  'if-unprocessed': new Set([429, 503, 529]),
};

/** Network errors that happen before a byte of the request left: always safe to repeat. */
const CONNECT_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);

const MAX_ERROR_BODY_BYTES = 64 * 1024;
const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

export interface HttpClientOptions {
  retry?: Partial<RetryPolicy>;
  /** Defaults to the global fetch (undici). */
  fetch?: typeof fetch;
  /** Injectable so tests can observe backoff without waiting for it. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** In [0, 1); the jitter source. */
  random?: () => number;
  /** Largest 2xx body read into memory (base64 images and audio can be several MB). */
  maxResponseBytes?: number;
}

export interface UpstreamPost {
  target: UpstreamTarget;
  /** Appended to target.baseUrl, e.g. "/chat/completions". */
  path: string;
  /** Protocol headers (auth, version); content-type and accept are added here. */
  headers: Record<string, string>;
  body: unknown;
  safety: RepeatSafety;
}

export interface BinaryAnswer {
  bytes: Uint8Array;
  contentType: string | null;
}

/** The abort signal of one call: a deadline (or, for streams, an idle timer) plus the caller's signal. */
class CallSignal {
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private deadline = 0;
  private timedOut = false;
  private readonly onCallerAbort = (): void => this.controller.abort();

  constructor(
    private readonly timeoutMs: number,
    private readonly caller: AbortSignal | undefined,
  ) {
    if (caller?.aborted) this.controller.abort();
    else caller?.addEventListener('abort', this.onCallerAbort, { once: true });
    this.restart();
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get remainingMs(): number {
    return this.deadline - Date.now();
  }

  /** (Re)arms the timer: a deadline for the whole call, or the idle limit between stream chunks. */
  restart(): void {
    this.pause();
    this.deadline = Date.now() + this.timeoutMs;
    this.timer = setTimeout(() => {
      this.timedOut = true;
      this.controller.abort();
    }, this.timeoutMs);
    // A pending call keeps the process alive through its socket, not through this timer.
    this.timer.unref();
  }

  /** Stops the clock while a stream consumer holds a chunk: its slowness is not upstream silence. */
  pause(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  abort(): void {
    this.controller.abort();
  }

  dispose(): void {
    this.pause();
    this.caller?.removeEventListener('abort', this.onCallerAbort);
  }

  /** The error for a failure of the transport, knowing why the signal fired, if it did. */
  failure(err: unknown, what: string): UpstreamError {
    if (this.timedOut) return new UpstreamError('PROVIDER_ERROR', `upstream did not answer within ${this.timeoutMs} ms`);
    if (this.controller.signal.aborted) return new UpstreamError('PROVIDER_ERROR', 'upstream call aborted by the caller');
    if (err instanceof UpstreamError) return err;
    const code = networkErrorCode(err);
    return new UpstreamError('PROVIDER_ERROR', code ? `${what} (${code})` : what);
  }
}

/** The system or undici error code behind a fetch failure ("fetch failed" hides it in `cause`). */
export function networkErrorCode(err: unknown): string | null {
  for (let e: unknown = err, depth = 0; e && typeof e === 'object' && depth < 4; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^[A-Z0-9_]+$/.test(code)) return code;
    e = (e as { cause?: unknown }).cause;
  }
  return null;
}

/** Retry-After as milliseconds from now: OpenAI's `retry-after-ms`, or `retry-after` seconds or HTTP date. */
export function parseRetryAfter(headers: Headers, now = Date.now()): number | null {
  const ms = headers.get('retry-after-ms');
  if (ms !== null && /^\d+(\.\d+)?$/.test(ms.trim())) return Number(ms);
  const value = headers.get('retry-after');
  if (value === null) return null;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

function defaultSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

function joinUrl(baseUrl: string, path: string): string {
  return baseUrl.replace(/\/+$/, '') + path;
}

/** Reads a body into memory, up to `limit` bytes; past it, stops reading. */
async function readBody(res: Response, limit: number): Promise<{ bytes: Uint8Array; truncated: boolean }> {
  if (!res.body) return { bytes: new Uint8Array(0), truncated: false };
  const reader = res.body.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > limit) {
        await reader.cancel().catch(() => undefined);
        parts.push(value.subarray(0, value.byteLength - (size - limit)));
        return { bytes: Buffer.concat(parts), truncated: true };
      }
      parts.push(value);
    }
  } finally {
    reader.releaseLock();
  }
  return { bytes: Buffer.concat(parts), truncated: false };
}

/**
 * Sends POSTs to one upstream. Stateless apart from its options, so one instance serves
 * every call of an adapter.
 */
export class UpstreamHttpClient {
  private readonly retry: RetryPolicy;
  private readonly fetchImpl: typeof fetch;
  private readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  private readonly random: () => number;
  private readonly maxResponseBytes: number;

  constructor(options: HttpClientOptions = {}) {
    this.retry = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
    this.sleep = options.sleep ?? defaultSleep;
    this.random = options.random ?? Math.random;
    this.maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  }

  /** POSTs JSON and returns the parsed JSON answer (shape unchecked: adapters check what they read). */
  async postJson(req: UpstreamPost): Promise<unknown> {
    const call = new CallSignal(req.target.timeoutMs, req.target.signal);
    try {
      const res = await this.send(req, call, 'application/json');
      const text = Buffer.from(await this.readAll(res, call)).toString('utf8');
      try {
        return JSON.parse(text) as unknown;
      } catch {
        throw new UpstreamError('PROVIDER_ERROR', 'upstream answer is not valid JSON');
      }
    } finally {
      call.dispose();
    }
  }

  /** POSTs JSON and returns the raw answer (audio). */
  async postBinary(req: UpstreamPost): Promise<BinaryAnswer> {
    const call = new CallSignal(req.target.timeoutMs, req.target.signal);
    try {
      const res = await this.send(req, call, '*/*');
      const bytes = await this.readAll(res, call);
      return { bytes, contentType: res.headers.get('content-type') };
    } finally {
      call.dispose();
    }
  }

  /**
   * POSTs JSON and yields the answer's bytes as they arrive. Retries happen only before the
   * answer's status is accepted, so never after a byte of the body was read. After that,
   * timeoutMs is the longest silence allowed between chunks: a long answer may take longer in total.
   * Stopping the iteration early aborts the upstream request.
   */
  async *postStream(req: UpstreamPost): AsyncGenerator<Uint8Array> {
    const call = new CallSignal(req.target.timeoutMs, req.target.signal);
    let finished = false;
    try {
      const res = await this.send(req, call, 'text/event-stream');
      if (!res.body) throw new UpstreamError('PROVIDER_ERROR', 'upstream answer has no body');
      const reader = res.body.getReader();
      try {
        for (;;) {
          call.restart();
          const chunk = await reader.read().catch((err: unknown) => {
            throw call.failure(err, 'upstream stream was interrupted');
          });
          if (chunk.done) break;
          call.pause();
          yield chunk.value;
        }
        finished = true;
      } finally {
        if (!finished) await reader.cancel().catch(() => undefined);
      }
    } finally {
      if (!finished) call.abort();
      call.dispose();
    }
  }

  private async readAll(res: Response, call: CallSignal): Promise<Uint8Array> {
    try {
      const { bytes, truncated } = await readBody(res, this.maxResponseBytes);
      if (truncated) throw new UpstreamError('PROVIDER_ERROR', 'upstream answer is too large');
      return bytes;
    } catch (err) {
      throw call.failure(err, 'upstream answer was interrupted');
    }
  }

  /** Sends until a 2xx answer, a final error, or the retry budget is spent. */
  private async send(req: UpstreamPost, call: CallSignal, accept: string): Promise<Response> {
    const url = joinUrl(req.target.baseUrl, req.path);
    const body = JSON.stringify(req.body);
    const headers = { 'content-type': 'application/json', accept, ...req.headers };
    for (let attempt = 0; ; attempt++) {
      let res: Response;
      try {
        res = await this.fetchImpl(url, {
          method: 'POST',
          headers,
          body,
          signal: call.signal,
          // A redirect could carry x-api-key to another host; no upstream API redirects POSTs.
          redirect: 'manual',
        });
      } catch (err) {
        const failure = call.failure(err, 'upstream unreachable');
        if (call.signal.aborted) throw failure;
        const code = networkErrorCode(err);
        const repeatable = req.safety === 'idempotent' || (code !== null && CONNECT_ERROR_CODES.has(code));
        const delay = repeatable ? this.nextDelay(attempt, null, call) : null;
        if (delay === null) throw failure;
        await this.wait(delay, call);
        continue;
      }
      if (res.status >= 200 && res.status < 300) return res;

      if (RETRY_STATUSES[req.safety].has(res.status)) {
        const retryAfter = parseRetryAfter(res.headers);
        const delay = retryAfter === null || retryAfter <= this.retry.retryAfterCapMs
          ? this.nextDelay(attempt, retryAfter, call)
          : null;
        if (delay !== null) {
          // Frees the connection for the next attempt.
          await res.body?.cancel().catch(() => undefined);
          await this.wait(delay, call);
          continue;
        }
      }
      throw await this.errorFor(res, req.target.apiKey, call);
    }
  }

  /**
   * The wait before the next attempt; null when none is left, or when the wait would
   * outlast the call's deadline (better the upstream's own error than a timeout).
   */
  private nextDelay(attempt: number, retryAfterMs: number | null, call: CallSignal): number | null {
    if (attempt >= this.retry.maxRetries) return null;
    const exp = Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** attempt);
    // "Equal jitter": half fixed, half random, so retries from many callers spread out.
    const delay = Math.max(exp / 2 + this.random() * (exp / 2), retryAfterMs ?? 0);
    return delay < call.remainingMs ? delay : null;
  }

  private async wait(delay: number, call: CallSignal): Promise<void> {
    await this.sleep(delay, call.signal);
    if (call.signal.aborted) throw call.failure(null, 'upstream call aborted');
  }

  private async errorFor(res: Response, apiKey: string, call: CallSignal): Promise<UpstreamError> {
    if (res.status >= 300 && res.status < 400) {
      await res.body?.cancel().catch(() => undefined);
      return new UpstreamError('PROVIDER_ERROR', `upstream answered ${res.status} (redirects are not followed)`, res.status);
    }
    let text = '';
    try {
      const { bytes } = await readBody(res, MAX_ERROR_BODY_BYTES);
      text = Buffer.from(bytes).toString('utf8');
    } catch (err) {
      if (call.signal.aborted) return call.failure(err, '');
      // The status alone still says what happened.
    }
    return errorFromResponse(res.status, text, apiKey);
  }
}

/** Narrowing helpers for upstream JSON: adapters check what they read, nothing more. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function tokenCount(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : null;
}

/** A 2xx answer that does not have the shape the protocol promises. */
export function malformed(what: string): UpstreamError {
  return new UpstreamError('PROVIDER_ERROR', `upstream answer is malformed: ${what}`);
}

/** Parses one SSE data payload as a JSON object. */
export function parseEventJson(data: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    throw malformed('stream event is not JSON');
  }
  if (!isRecord(value)) throw malformed('stream event is not an object');
  return value;
}

/** Anything thrown while reading a stream becomes an UpstreamError (the SSE parser's own errors included). */
export function asUpstreamError(err: unknown): UpstreamError {
  if (err instanceof UpstreamError) return err;
  return new UpstreamError('PROVIDER_ERROR', 'upstream stream could not be read');
}
