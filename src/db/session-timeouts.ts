/** Postgres session limits for request work (DATABASE_*_TIMEOUT_MS); migrations lift them (database.ts). */

export interface DatabaseTimeouts {
  statementTimeoutMs: number;
  lockTimeoutMs: number;
  idleInTransactionTimeoutMs: number;
}

/**
 * pg connection settings for request work. statement_timeout and lock_timeout are enforced by
 * Postgres; query_timeout and connectionTimeoutMillis by the client, for a Postgres that does not
 * answer at all (paused, network partition), where no server-side timeout can fire.
 */
export function pgSessionOptions(t: DatabaseTimeouts) {
  return {
    statement_timeout: t.statementTimeoutMs,
    lock_timeout: t.lockTimeoutMs,
    idle_in_transaction_session_timeout: t.idleInTransactionTimeoutMs,
    query_timeout: t.statementTimeoutMs + 1_000,
    connectionTimeoutMillis: Math.max(1_000, Math.min(t.statementTimeoutMs, 5_000)),
  };
}

/** How long a request waits for a pooled connection before SERVICE_UNAVAILABLE. */
export function poolAcquireTimeoutMs(t: DatabaseTimeouts): number {
  return t.statementTimeoutMs + 1_000;
}
