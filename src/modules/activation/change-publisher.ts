import { runInTransaction } from '../../db/transaction';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import type { EventBus } from '../../pubsub/event-bus';
import { Topic, toPayload } from '../../pubsub/topics';
import { rowToChange, type ChangeListener, type ChangeRecord } from './change-record';
import { withSpan } from '../../observability/spans';

/** Anything that must forget what it knows of a provider when it changes (the read cache). */
export interface ProviderInvalidator {
  invalidate(providerIds: string[]): Promise<void>;
}

const RELAY_INTERVAL_MS = 500;
const RELAY_GRACE_SECONDS = 1;
const RELAY_BATCH = 200;

/**
 * After commit: invalidate the read cache (so reads after the mutation returns are fresh), then
 * publish the changes and mark them published. The history is the outbox: a change whose
 * publication failed (broker down, process died) is published by the relay of any instance.
 */
export class ChangePublisher implements ChangeListener {
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;

  constructor(
    private readonly orm: MikroORM,
    private readonly bus: EventBus,
    private readonly cache: ProviderInvalidator,
    private readonly log: Logger,
  ) {}

  async changesCommitted(changes: ChangeRecord[], providerIds: string[]): Promise<void> {
    await withSpan('cache invalidate', { 'switchboard.providers': providerIds.length }, () => this.cache.invalidate(providerIds));
    if (changes.length === 0) return;
    try {
      await withSpan('publish changes', { 'messaging.destination.name': Topic.ACTIVE_MODEL_CHANGED, 'messaging.batch.message_count': changes.length }, () =>
        this.publish(changes),
      );
      await this.orm.em
        .fork()
        .execute(`update activation_change set published_at = now() where id in (${changes.map(() => '?').join(',')}) and published_at is null`, changes.map((c) => c.id));
    } catch (e) {
      this.log.warn({ err: e, count: changes.length }, 'could not publish changes now; the outbox relay will');
    }
  }

  startRelay(): void {
    this.timer = setInterval(() => {
      if (!this.running) this.running = this.relayOnce().finally(() => (this.running = undefined));
    }, RELAY_INTERVAL_MS);
    this.timer.unref();
  }

  /** Publishes what is still unpublished a moment after commit; returns how many. */
  async relayOnce(): Promise<number> {
    try {
      // Idle, the relay costs one indexed probe (the partial index on unpublished rows), no transaction.
      const waiting = await this.orm.em.fork().execute<unknown[]>(
        `select 1 /* outbox relay probe */ from activation_change
          where published_at is null and changed_at < clock_timestamp() - interval '${RELAY_GRACE_SECONDS} second' limit 1`,
      );
      if (waiting.length === 0) return 0;
      return await runInTransaction(this.orm.em as EntityManager, async (em) => {
        const rows = await em.execute<Record<string, unknown>[]>(
          `select * from activation_change
            where published_at is null and changed_at < clock_timestamp() - interval '${RELAY_GRACE_SECONDS} second'
            order by id limit ${RELAY_BATCH} for update skip locked`,
        );
        if (rows.length === 0) return 0;
        const changes = rows.map(rowToChange);
        await this.cache.invalidate([...new Set(changes.map((c) => c.providerId))]);
        await this.publish(changes);
        await em.execute(`update activation_change set published_at = now() where id in (${changes.map(() => '?').join(',')})`, changes.map((c) => c.id));
        return changes.length;
      });
    } catch (e) {
      this.log.debug({ err: e }, 'outbox relay could not publish yet');
      return 0;
    }
  }

  /** How many committed changes wait for publication (a metric). */
  async backlog(): Promise<number> {
    const rows = await this.orm.em.fork().execute<{ n: string }[]>('select count(*) as n from activation_change where published_at is null');
    return Number(rows[0]?.n ?? 0);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
    // Flush: whatever is still unpublished gets one last chance before the process exits.
    await this.flushAll();
  }

  private async flushAll(): Promise<void> {
    try {
      await runInTransaction(this.orm.em as EntityManager, async (em) => {
        const rows = await em.execute<Record<string, unknown>[]>(
          `select * from activation_change where published_at is null order by id limit 1000 for update skip locked`,
        );
        if (!rows.length) return;
        const changes = rows.map(rowToChange);
        await this.publish(changes);
        await em.execute(`update activation_change set published_at = now() where id in (${changes.map(() => '?').join(',')})`, changes.map((c) => c.id));
      });
    } catch (e) {
      this.log.warn({ err: e }, 'outbox flush at shutdown failed; another instance or the next start will publish');
    }
  }

  private async publish(changes: ChangeRecord[]): Promise<void> {
    for (const c of changes) await this.bus.publish(Topic.ACTIVE_MODEL_CHANGED, toPayload(c));
  }
}
