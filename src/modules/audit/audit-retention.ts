import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import type { AuditRepository } from './audit.repository';

const DAY_MS = 86_400_000;
const INTERVAL_MS = 3_600_000;
const BATCH = 5_000;

/**
 * AUDIT_RETENTION_DAYS: deletes events older than that many days, at start and then hourly, in
 * batches (no long lock on the table). Unset: everything is kept and this job does not run.
 * Every instance may run it: deletes of the same rows simply find them gone.
 */
export class AuditRetention {
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;

  constructor(
    private readonly rootEm: EntityManager,
    private readonly repository: AuditRepository,
    private readonly retentionDays: number | undefined,
    private readonly log: Logger,
    private readonly now: () => Date = () => new Date(),
  ) {}

  start(): void {
    if (this.retentionDays === undefined) return;
    const run = () => {
      if (!this.running) this.running = this.pruneOnce().finally(() => (this.running = undefined));
    };
    run();
    this.timer = setInterval(run, INTERVAL_MS);
    this.timer.unref();
  }

  /** Deletes what is past retention; returns how many events. */
  async pruneOnce(): Promise<number> {
    if (this.retentionDays === undefined) return 0;
    const before = new Date(this.now().getTime() - this.retentionDays * DAY_MS);
    let total = 0;
    try {
      for (;;) {
        const n = await this.repository.pruneBatch(this.rootEm.fork(), before, BATCH);
        total += n;
        if (n < BATCH) break;
      }
      if (total) this.log.info({ deleted: total, before: before.toISOString() }, 'audit events past retention deleted');
    } catch (e) {
      this.log.warn({ err: e }, 'audit retention could not prune now; it retries in an hour');
    }
    return total;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }
}
