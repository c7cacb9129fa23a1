import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { Capability } from '../../common/capability';
import { NotFoundError, UserInputError } from '../../common/errors';
import type { EventBus, BusSubscription } from '../../pubsub/event-bus';
import { Topic, fromPayload, type ChangeEventPayload } from '../../pubsub/topics';
import { parseCursor, rowToChange, type ChangeRecord } from './change-record';

export interface FeedFilter {
  provider?: string | null;
  capability?: Capability | null;
  since?: string | null;
}

const RESYNC = Symbol('resync');
type InboxItem = ChangeEventPayload | typeof RESYNC;
const slotKey = (providerId: string, capability: string) => `${providerId}:${capability}`;

/**
 * activeModelChanged: replay from the history, then live events, with no gap and no duplicate.
 *
 * How: subscribe to the bus first; then, in one snapshot, read each matching slot's version (and
 * the changes after `since`). Each slot's last delivered version is tracked: a live event at or
 * below it is a duplicate and dropped; one that skips ahead is preceded by the missing versions,
 * read from the history. After a broker reconnect every subscription compares slot versions again.
 */
export class ChangeFeedService {
  private readonly feeds = new Set<ChangeFeed>();

  constructor(
    private readonly orm: MikroORM,
    private readonly bus: EventBus,
  ) {}

  async open(filter: FeedFilter, onEvent?: () => void): Promise<AsyncIterableIterator<ChangeRecord>> {
    let sinceId: string | undefined;
    if (filter.since != null) {
      sinceId = parseCursor(filter.since);
      if (sinceId === undefined) throw new UserInputError('input.cursor', { field: 'since' }, 'since');
    }
    const em = this.orm.em.fork() as EntityManager;
    let providerId: string | undefined;
    if (filter.provider != null) {
      const rows = await em.execute<{ id: string }[]>('select id from provider where slug = ?', [filter.provider]);
      if (!rows[0]) throw new NotFoundError('provider.notFound', { slug: filter.provider });
      providerId = rows[0].id;
    }
    const subscription = this.bus.subscribe<ChangeEventPayload>(Topic.ACTIVE_MODEL_CHANGED);
    try {
      // While Redis is away the subscription is queued by ioredis; the reconnect resync covers the wait.
      await Promise.race([subscription.ready, new Promise((r) => setTimeout(r, 1000).unref())]);
      const feed = new ChangeFeed(this.orm, subscription, { providerId, capability: filter.capability ?? undefined }, onEvent, () =>
        this.feeds.delete(feed),
      );
      await feed.start(sinceId);
      this.feeds.add(feed);
      return feed;
    } catch (e) {
      await subscription.return?.();
      throw e;
    }
  }

  /** The broker reconnected: messages may have been missed while it was away. */
  resyncAll(): void {
    for (const feed of this.feeds) feed.resync();
  }

  get openFeeds(): number {
    return this.feeds.size;
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.feeds].map((f) => f.return()));
  }
}

class ChangeFeed implements AsyncIterableIterator<ChangeRecord> {
  private readonly versions = new Map<string, number>();
  private readonly outbox: ChangeRecord[] = [];
  private readonly inbox: InboxItem[] = [];
  private wake?: () => void;
  private closed = false;

  constructor(
    private readonly orm: MikroORM,
    private readonly subscription: BusSubscription<ChangeEventPayload>,
    private readonly filter: { providerId?: string; capability?: Capability },
    private readonly onEvent: (() => void) | undefined,
    private readonly onClose: () => void,
  ) {}

  async start(sinceId: string | undefined): Promise<void> {
    await this.orm.em.fork().transactional(
      async (em) => {
        const slots = await em.execute<{ provider_id: string; capability: string; version: number }[]>(
          `select provider_id, capability, version from activation_slot where ${this.where('')}`,
          this.params(),
        );
        for (const s of slots) this.versions.set(slotKey(s.provider_id, s.capability), Number(s.version));
        if (sinceId !== undefined) {
          const rows = await em.execute<Record<string, unknown>[]>(
            `select * from activation_change where id > ? and ${this.where('')} order by id`,
            [sinceId, ...this.params()],
          );
          this.outbox.push(...rows.map(rowToChange));
        }
      },
      { isolationLevel: 'repeatable read' as never, readOnly: true },
    );
    void this.pump();
  }

  resync(): void {
    this.push(RESYNC);
  }

  async next(): Promise<IteratorResult<ChangeRecord>> {
    for (;;) {
      if (this.outbox.length) {
        this.onEvent?.();
        return { value: this.outbox.shift()!, done: false };
      }
      if (this.closed) return { value: undefined, done: true };
      const item = this.inbox.shift();
      if (item === undefined) {
        await new Promise<void>((resolve) => (this.wake = resolve));
        continue;
      }
      try {
        if (item === RESYNC) await this.catchUp();
        else await this.accept(fromPayload(item));
      } catch {
        // The history is the source of truth: a failed read is retried by the next resync.
        setTimeout(() => this.resync(), 1000).unref();
      }
    }
  }

  async return(): Promise<IteratorResult<ChangeRecord>> {
    if (!this.closed) {
      this.closed = true;
      this.onClose();
      await this.subscription.return?.();
      this.wake?.();
    }
    return { value: undefined, done: true };
  }

  async throw(e: unknown): Promise<IteratorResult<ChangeRecord>> {
    await this.return();
    throw e;
  }

  [Symbol.asyncIterator]() {
    return this;
  }

  private push(item: InboxItem): void {
    this.inbox.push(item);
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  private async pump(): Promise<void> {
    for await (const payload of this.subscription) this.push(payload);
  }

  private matches(c: { providerId: string; capability: Capability }): boolean {
    return (!this.filter.providerId || c.providerId === this.filter.providerId) && (!this.filter.capability || c.capability === this.filter.capability);
  }

  private async accept(change: ChangeRecord): Promise<void> {
    if (!this.matches(change)) return;
    const key = slotKey(change.providerId, change.capability);
    const last = this.versions.get(key) ?? 0;
    if (change.version <= last) return; // already delivered (replay, duplicate publication)
    if (change.version > last + 1) {
      await this.fill(change.providerId, change.capability, last, change.version);
    }
    if (change.version > (this.versions.get(key) ?? 0)) {
      this.versions.set(key, change.version);
      this.outbox.push(change);
    }
  }

  /** Delivers versions in (after, before) of one slot from the history. */
  private async fill(providerId: string, capability: Capability, after: number, before: number): Promise<void> {
    const rows = await this.orm.em.fork().execute<Record<string, unknown>[]>(
      `select * from activation_change where provider_id = ? and capability = ? and version > ? and version < ? order by version`,
      [providerId, capability, after, before],
    );
    for (const row of rows) {
      const c = rowToChange(row);
      this.versions.set(slotKey(providerId, capability), c.version);
      this.outbox.push(c);
    }
  }

  private async catchUp(): Promise<void> {
    const slots = await this.orm.em.fork().execute<{ provider_id: string; capability: Capability; version: number }[]>(
      `select provider_id, capability, version from activation_slot where ${this.where('')}`,
      this.params(),
    );
    for (const s of slots) {
      const last = this.versions.get(slotKey(s.provider_id, s.capability)) ?? 0;
      if (Number(s.version) > last) await this.fill(s.provider_id, s.capability, last, Number(s.version) + 1);
    }
  }

  private where(prefix: string): string {
    const parts = ['true'];
    if (this.filter.providerId) parts.push(`${prefix}provider_id = ?`);
    if (this.filter.capability) parts.push(`${prefix}capability = ?`);
    return parts.join(' and ');
  }

  private params(): unknown[] {
    const p: unknown[] = [];
    if (this.filter.providerId) p.push(this.filter.providerId);
    if (this.filter.capability) p.push(this.filter.capability);
    return p;
  }
}

