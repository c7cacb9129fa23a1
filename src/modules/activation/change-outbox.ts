import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import type { DomainEvent, TransactionRunner } from '../../db/transaction';
import type { EventBus } from '../../pubsub/event-bus';
import { ACTIVE_MODEL_CHANGED, changesIn, toPayload } from './activation-events';
import type { ActivationRepository } from './activation.repository';
import type { ChangeRecord } from './change-record';
import { activeTraceparent, withSpan } from '../../observability/spans';

const RELAY_INTERVAL_MS = 500;
const RELAY_GRACE_SECONDS = 1;
const RELAY_BATCH = 200;

/**
 * The history is the outbox of change events. After a commit, `publishCommitted` publishes the
 * changes and marks them published; a change whose publication failed (broker down, process died)
 * is published by the relay of any instance, which first drops the read cache of its providers
 * (the instance that committed may have died before it did).
 */
export class ChangeOutbox {
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;

  constructor(
    private readonly rootEm: EntityManager,
    private readonly transactions: TransactionRunner,
    private readonly repository: ActivationRepository,
    private readonly bus: EventBus,
    private readonly forgetProviders: (providerIds: string[]) => Promise<void>,
    private readonly log: Logger,
  ) {}

  /** Commit listener. */
  readonly publishCommitted = async (events: readonly DomainEvent[]): Promise<void> => {
    const changes = changesIn(events);
    if (changes.length === 0) return;
    try {
      await withSpan(
        'publish changes',
        { 'messaging.destination.name': ACTIVE_MODEL_CHANGED, 'messaging.batch.message_count': changes.length },
        // The traceparent rides with each change, so the event's span (on every instance) links to this trace.
        () => this.publish(changes, activeTraceparent()),
      );
      await this.repository.markPublished(this.rootEm.fork(), changes);
    } catch (e) {
      this.log.warn({ err: e, count: changes.length }, 'could not publish changes now; the outbox relay will');
    }
  };

  startRelay(): void {
    this.timer = setInterval(() => {
      if (!this.running) this.running = this.relayOnce().finally(() => (this.running = undefined));
    }, RELAY_INTERVAL_MS);
    this.timer.unref();
  }

  /** Publishes what is still unpublished a moment after commit; returns how many. */
  async relayOnce(): Promise<number> {
    try {
      if (!(await this.repository.anyUnpublishedOlderThan(this.rootEm.fork(), RELAY_GRACE_SECONDS))) return 0;
      return await this.transactions.run(async ({ em }) => {
        const changes = await this.repository.lockUnpublished(em, RELAY_GRACE_SECONDS, RELAY_BATCH);
        if (changes.length === 0) return 0;
        await this.forgetProviders([...new Set(changes.map((c) => c.providerId))]);
        await this.publish(changes);
        await this.repository.markPublished(em, changes);
        return changes.length;
      });
    } catch (e) {
      this.log.debug({ err: e }, 'outbox relay could not publish yet');
      return 0;
    }
  }

  /** How many committed changes wait for publication (a metric). */
  backlog(): Promise<number> {
    return this.repository.unpublishedCount(this.rootEm.fork());
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
    // Flush: whatever is still unpublished gets one last chance before the process exits.
    try {
      await this.transactions.run(async ({ em }) => {
        const changes = await this.repository.lockUnpublished(em, 0, 1000);
        if (!changes.length) return;
        await this.publish(changes);
        await this.repository.markPublished(em, changes);
      });
    } catch (e) {
      this.log.warn({ err: e }, 'outbox flush at shutdown failed; another instance or the next start will publish');
    }
  }

  private async publish(changes: readonly ChangeRecord[], trace?: string): Promise<void> {
    for (const c of changes) await this.bus.publish(ACTIVE_MODEL_CHANGED, toPayload(trace ? { ...c, trace } : c));
  }
}
