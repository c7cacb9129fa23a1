import { IsolationLevel } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';

const RETRYABLE = new Set(['40001', '40P01']); // serialization failure, deadlock
const MAX_ATTEMPTS = 5;

function sqlState(e: unknown): string | undefined {
  const err = e as { code?: string; sqlState?: string; cause?: { code?: string } } | undefined;
  return err?.code ?? err?.sqlState ?? err?.cause?.code;
}

export function isUniqueViolation(e: unknown): boolean {
  return sqlState(e) === '23505' || (e as Error)?.name === 'UniqueConstraintViolationException';
}

/** Something that happened in a transaction; the modules define the concrete kinds ("slots changed", ...). */
export interface DomainEvent {
  readonly type: string;
}

/** Told of a transaction's events once it has committed. A failure is logged: it cannot undo the commit. */
export type CommitListener = (events: readonly DomainEvent[]) => Promise<void> | void;

export interface TransactionOptions {
  isolationLevel?: IsolationLevel;
  readOnly?: boolean;
}

/** One transaction: its unit of work, and where the work records what happened. */
export interface Transaction {
  readonly em: EntityManager;
  /** Handed to the commit listeners after a successful commit; dropped on rollback. */
  emit(event: DomainEvent): void;
}

/**
 * The only way the server opens a write transaction. Each attempt runs on a fresh fork (a clean
 * identity map) through MikroORM's `em.transactional`; the rare deadlock or serialization failure
 * is retried on a clean fork (contention is never the client's problem). After the commit, the
 * events the work emitted go to every listener in registration order, before `run` returns: reads
 * made after a mutation returns see fresh caches.
 */
export class TransactionRunner {
  private readonly listeners: CommitListener[] = [];

  constructor(
    private readonly rootEm: EntityManager,
    private readonly log: Logger,
  ) {}

  onCommit(listener: CommitListener): void {
    this.listeners.push(listener);
  }

  async run<T>(work: (tx: Transaction) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const events: DomainEvent[] = [];
      try {
        const result = await this.rootEm.fork().transactional((em) => work({ em, emit: (event) => void events.push(event) }), {
          isolationLevel: options.isolationLevel,
          readOnly: options.readOnly,
        });
        if (events.length) await this.deliver(events);
        return result;
      } catch (e) {
        if (attempt < MAX_ATTEMPTS && RETRYABLE.has(sqlState(e) ?? '')) {
          await new Promise((r) => setTimeout(r, Math.random() * 10 * attempt));
          continue;
        }
        throw e;
      }
    }
  }

  private async deliver(events: readonly DomainEvent[]): Promise<void> {
    for (const listener of this.listeners) {
      try {
        await listener(events);
      } catch (e) {
        this.log.error({ err: e, events: events.map((ev) => ev.type) }, 'a commit listener failed; the change itself is committed');
      }
    }
  }
}

export { IsolationLevel };
