/** When and how long to wait before repeating an upstream call. */

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
const CONNECT_ERROR_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

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

export function defaultSleep(ms: number, signal: AbortSignal): Promise<void> {
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

export function isRepeatableStatus(safety: RepeatSafety, status: number): boolean {
  return RETRY_STATUSES[safety].has(status);
}

/** A fetch that threw: idempotent calls repeat any failure; others only when no byte left (connect errors). */
export function isRepeatableFailure(safety: RepeatSafety, err: unknown): boolean {
  const code = networkErrorCode(err);
  return safety === 'idempotent' || (code !== null && CONNECT_ERROR_CODES.has(code));
}

/** The wait before attempt `attempt + 1`, or null when the retry budget is spent. */
export function backoffDelay(policy: RetryPolicy, attempt: number, retryAfterMs: number | null, random: () => number): number | null {
  if (attempt >= policy.maxRetries) return null;
  const exp = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  // "Equal jitter": half fixed, half random, so retries from many callers spread out.
  return Math.max(exp / 2 + random() * (exp / 2), retryAfterMs ?? 0);
}
