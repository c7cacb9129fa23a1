/**
 * The one place that talks HTTP to upstream providers: JSON POST over the platform fetch, with
 * the call's deadline (call-signal.ts) and the retry rules (retry-policy.ts); every failure
 * becomes an UpstreamError.
 */
import { CallSignal } from './call-signal';
import type { UpstreamTarget } from './provider-adapter';
import {
  backoffDelay,
  DEFAULT_RETRY_POLICY,
  defaultSleep,
  isRepeatableFailure,
  isRepeatableStatus,
  parseRetryAfter,
  type RepeatSafety,
  type RetryPolicy,
} from './retry-policy';
import { UpstreamError, errorFromResponse } from './upstream-error';

export type { RepeatSafety, RetryPolicy } from './retry-policy';
export { DEFAULT_RETRY_POLICY, parseRetryAfter } from './retry-policy';

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
        const delay = isRepeatableFailure(req.safety, err) ? this.nextDelay(attempt, null, call) : null;
        if (delay === null) throw failure;
        await this.wait(delay, call);
        continue;
      }
      if (res.status >= 200 && res.status < 300) return res;

      if (isRepeatableStatus(req.safety, res.status)) {
        const retryAfter = parseRetryAfter(res.headers);
        const delay = retryAfter === null || retryAfter <= this.retry.retryAfterCapMs ? this.nextDelay(attempt, retryAfter, call) : null;
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
    const delay = backoffDelay(this.retry, attempt, retryAfterMs, this.random);
    return delay !== null && delay < call.remainingMs ? delay : null;
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
