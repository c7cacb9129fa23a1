import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import type { EventBus } from '../../pubsub/event-bus';
import { ACTIVE_MODEL_CHANGED, fromPayload, type ChangeEventPayload } from './activation-events';
import type { ActivationRepository } from './activation.repository';
import type { ChangeRecord } from './change-record';

type Listener = (change: ChangeRecord) => void;
const PAGE = 1000;

/**
 * One per instance: turns the bus's events, which instances publish in whatever order their
 * commits finish, back into commit (cursor) order, and drops duplicates.
 *
 * History ids are assigned under a lock held to commit, so once change X is published every change
 * with a smaller id has committed (or rolled back). When X arrives and the previous one delivered
 * was W < X - 1, the changes between are read from the history — one query per instance, not per
 * subscriber — and delivered first. Subscribers therefore see cursors in increasing order, which is
 * what makes `since` exact: "after the last cursor I saw" misses nothing.
 */
export class ChangeSequencer {
  private readonly listeners = new Set<Listener>();
  private watermark = 0n;
  private chain: Promise<void> = Promise.resolve();
  private subscription?: AsyncIterableIterator<ChangeEventPayload> & { ready: Promise<void> };

  constructor(
    private readonly rootEm: EntityManager,
    private readonly repository: ActivationRepository,
    private readonly bus: EventBus,
    private readonly log: Logger,
  ) {}

  /** Subscribes to the bus, then takes the current end of the history as the starting point. */
  async start(): Promise<void> {
    const subscription = this.bus.subscribe<ChangeEventPayload>(ACTIVE_MODEL_CHANGED);
    this.subscription = subscription;
    // While Redis is away ioredis queues the SUBSCRIBE; the reconnect resync covers the wait.
    await Promise.race([subscription.ready, new Promise((r) => setTimeout(r, 1000).unref())]);
    this.watermark = await this.repository.lastChangeId(this.em());
    void (async () => {
      for await (const payload of subscription) this.enqueue(() => this.accept(fromPayload(payload)));
    })();
  }

  /** Every change, in cursor order, from now on. Returns the unsubscribe function. */
  onChange(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The broker reconnected: deliver whatever was committed after the last change delivered. */
  resync(): void {
    this.enqueue(() => this.deliverAfter(this.watermark));
  }

  async stop(): Promise<void> {
    await this.subscription?.return?.();
    await this.chain;
  }

  private enqueue(step: () => Promise<void>): void {
    this.chain = this.chain.then(step).catch((e) => this.log.warn({ err: e }, 'change sequencer step failed'));
  }

  private async accept(change: ChangeRecord): Promise<void> {
    const id = BigInt(change.id);
    if (id <= this.watermark) return; // delivered already (relay re-publication, or read from the history)
    if (id > this.watermark + 1n) {
      try {
        await this.deliverAfter(this.watermark, id);
      } catch (e) {
        // The history cannot be read: deliver what we have; per-slot gap filling in each feed and
        // the next resync still close the gap.
        this.log.warn({ err: e }, 'could not read the history to order changes');
      }
    }
    this.deliver(change);
  }

  /** Delivers the history's changes with from < id < to (to: open-ended), oldest first. */
  private async deliverAfter(from: bigint, to?: bigint): Promise<void> {
    let after = from;
    for (;;) {
      const changes = await this.repository.changesAfter(this.em(), after.toString(), { beforeId: to?.toString(), limit: PAGE });
      for (const change of changes) this.deliver(change);
      if (changes.length < PAGE) return;
      after = BigInt(changes[changes.length - 1].id);
    }
  }

  private deliver(change: ChangeRecord): void {
    const id = BigInt(change.id);
    if (id <= this.watermark) return;
    this.watermark = id;
    for (const listener of this.listeners) listener(change);
  }

  private em(): EntityManager {
    return this.rootEm.fork();
  }
}
