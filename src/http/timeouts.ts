/**
 * Every wait is bounded: HTTP (Fastify/Node) and the readiness probe here; Postgres sessions in
 * src/db/session-timeouts.ts.
 */

export interface HttpTimeouts {
  requestTimeoutMs: number;
  connectionTimeoutMs: number;
  keepAliveTimeoutMs: number;
}

/** Fastify's options for HTTP_*_TIMEOUT_MS. */
export function fastifyTimeouts(t: HttpTimeouts) {
  return {
    // The whole request (headers and body) must arrive within this: a body trickled a byte at a time is cut off (408).
    requestTimeout: t.requestTimeoutMs,
    // A socket silent this long is closed (WebSockets are exempt: ws clears the timeout on upgrade).
    connectionTimeout: t.connectionTimeoutMs,
    keepAliveTimeout: t.keepAliveTimeoutMs,
    http: {
      headersTimeout: Math.min(t.requestTimeoutMs, 60_000),
      // Node checks request deadlines on this period (default 30 s): check often enough to keep them.
      connectionsCheckingInterval: Math.max(100, Math.min(5_000, Math.floor(t.requestTimeoutMs / 4))),
    },
  };
}

export class TimeoutError extends Error {
  override readonly name = 'TimeoutError';
}

/** `promise`, or a TimeoutError after `ms` (the promise keeps running; its result is ignored). */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(`${what} did not answer within ${ms} ms`)), ms);
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** /readyz answers within 2 s whatever its dependencies do: each probe gets this long. */
export const READINESS_PROBE_TIMEOUT_MS = 1_500;
