import type { EntityManager } from '@mikro-orm/postgresql';

const RETRYABLE = new Set(['40001', '40P01']); // serialization failure, deadlock
const MAX_ATTEMPTS = 5;

function sqlState(e: unknown): string | undefined {
  const err = e as { code?: string; sqlState?: string; cause?: { code?: string } } | undefined;
  return err?.code ?? err?.sqlState ?? err?.cause?.code;
}

export interface TransactionOptions {
  isolationLevel?: 'read committed' | 'repeatable read' | 'serializable';
  readOnly?: boolean;
}

/**
 * Runs `fn` in one transaction on a fresh fork of `em`, with explicit begin/commit/rollback (the
 * fork is the transaction's: nothing else shares it), so isolation options are passed the same way
 * everywhere.
 */
export async function runInTransaction<T>(em: EntityManager, fn: (tx: EntityManager) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
  const tx = em.fork() as EntityManager;
  await tx.begin(options as never);
  try {
    const result = await fn(tx);
    await tx.commit();
    return result;
  } catch (e) {
    await tx.rollback().catch(() => undefined);
    throw e;
  }
}

/**
 * Runs `fn` in one transaction on a fresh fork of `em`. Contention is never the client's problem:
 * the rare deadlock or serialization failure is retried on a clean fork.
 */
export async function inTransaction<T>(em: EntityManager, fn: (tx: EntityManager) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await runInTransaction(em, fn);
    } catch (e) {
      if (attempt < MAX_ATTEMPTS && RETRYABLE.has(sqlState(e) ?? '')) {
        await new Promise((r) => setTimeout(r, Math.random() * 10 * attempt));
        continue;
      }
      throw e;
    }
  }
}

export function isUniqueViolation(e: unknown): boolean {
  return sqlState(e) === '23505' || (e as Error)?.name === 'UniqueConstraintViolationException';
}
