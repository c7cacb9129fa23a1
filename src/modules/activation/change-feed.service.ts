import type { EntityManager } from '@mikro-orm/postgresql';
import type { Capability } from '../../common/capability';
import { NotFoundError, UserInputError } from '../../common/errors';
import { IsolationLevel, type TransactionRunner } from '../../db/transaction';
import { Provider } from '../provider/provider.entity';
import type { DirectDelivery } from '../shared/direct-delivery';
import type { ActivationRepository } from './activation.repository';
import { parseCursor, type ChangeRecord } from './change-record';
import type { ChangeSequencer } from './change-sequencer';

export interface FeedFilter {
  provider?: string | null;
  capability?: Capability | null;
  since?: string | null;
}

const slotKey = (providerId: string, capability: string) => `${providerId}:${capability}`;

/** A `since` replay is read in pages of this many changes, one page at a time as the client consumes them. */
export const REPLAY_PAGE_SIZE = 200;

/**
 * activeModelChanged: replay from the history, then live events, with no gap and no duplicate.
 *
 * How: listen to the instance's sequencer (changes in cursor order) first; then, in one snapshot,
 * read each matching slot's version and the changes after `since`. Each slot's last delivered
 * version is tracked: a live change at or below it was replayed already and is dropped; one that
 * skips ahead (the history could not be read in order) is preceded by the missing versions.
 */
export class ChangeFeedService {
  private readonly feeds = new Set<ChangeFeed>();

  constructor(
    private readonly rootEm: EntityManager,
    private readonly transactions: TransactionRunner,
    private readonly repository: ActivationRepository,
    private readonly sequencer: ChangeSequencer,
    /** slug → id (never stale: slugs never change, providers are never deleted); shared with the read cache. */
    private readonly slugIndex: Map<string, string>,
  ) {}

  /** `onEvent` runs before each change is handed to GraphQL (the resolver scopes its loaders to it). */
  async open(filter: FeedFilter, onEvent?: (change: ChangeRecord) => void): Promise<AsyncIterableIterator<ChangeRecord>> {
    let sinceId: string | undefined;
    if (filter.since != null) {
      sinceId = parseCursor(filter.since);
      if (sinceId === undefined) throw new UserInputError('input.cursor', { field: 'since' }, 'since');
    }
    let providerId: string | undefined;
    if (filter.provider != null) {
      providerId = this.slugIndex.get(filter.provider);
      if (providerId === undefined) {
        const provider = await this.rootEm.fork().findOne(Provider, { slug: filter.provider }, { fields: ['id'] });
        if (!provider) throw new NotFoundError('provider.notFound', { slug: filter.provider });
        providerId = provider.id;
        this.slugIndex.set(filter.provider, providerId);
      }
    }
    const feed = new ChangeFeed(
      this.rootEm,
      this.transactions,
      this.repository,
      { providerId, capability: filter.capability ?? undefined },
      onEvent,
      () => {
        stopListening();
        this.feeds.delete(feed);
      },
    );
    const stopListening = this.sequencer.onChange((change) => feed.push(change));
    try {
      await feed.start(sinceId);
    } catch (e) {
      await feed.return();
      throw e;
    }
    this.feeds.add(feed);
    return feed;
  }

  get openFeeds(): number {
    return this.feeds.size;
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.feeds].map((f) => f.return()));
  }
}

class ChangeFeed implements AsyncIterableIterator<ChangeRecord>, DirectDelivery<ChangeRecord> {
  private readonly versions = new Map<string, number>();
  private readonly outbox: ChangeRecord[] = [];
  private readonly inbox: ChangeRecord[] = [];
  private wake?: () => void;
  private closed = false;
  private sink?: (change: ChangeRecord) => boolean;
  /** The replay still to read: the changes after `after` (paged, REPLAY_PAGE_SIZE at a time). */
  private replay?: { after: string };

  constructor(
    private readonly rootEm: EntityManager,
    private readonly transactions: TransactionRunner,
    private readonly repository: ActivationRepository,
    private readonly filter: { providerId?: string; capability?: Capability },
    private readonly onEvent: ((change: ChangeRecord) => void) | undefined,
    private readonly onClose: () => void,
  ) {}

  async start(sinceId: string | undefined): Promise<void> {
    const readVersions = async (em: EntityManager) => {
      for (const s of await this.repository.slotVersions(em, this.filter)) this.versions.set(slotKey(s.providerId, s.capability), s.version);
    };
    // Without a replay one statement is a consistent snapshot already; with one, the versions and
    // the replayed changes must come from the same snapshot.
    if (sinceId === undefined) return readVersions(this.rootEm.fork());
    await this.transactions.run(
      async ({ em }) => {
        await readVersions(em);
        await this.readReplayPage(em, sinceId);
      },
      { isolationLevel: IsolationLevel.REPEATABLE_READ, readOnly: true },
    );
  }

  /**
   * A page of the replay. Pages after the first are read outside the start snapshot: a change that
   * committed after it has a version above the snapshot's slot version and is left out here (it comes live).
   */
  private async readReplayPage(em: EntityManager, after: string): Promise<void> {
    const page = await this.repository.changesAfter(em, after, { filter: this.filter, limit: REPLAY_PAGE_SIZE });
    this.replay = page.length === REPLAY_PAGE_SIZE ? { after: page[page.length - 1].id } : undefined;
    for (const change of page) {
      if (change.version <= (this.versions.get(slotKey(change.providerId, change.capability)) ?? 0)) this.outbox.push(change);
    }
  }

  get ended(): boolean {
    return this.closed;
  }

  deliverTo(sink: ((change: ChangeRecord) => boolean) | undefined): void {
    this.sink = sink;
  }

  push(change: ChangeRecord): void {
    if (this.closed || !this.matches(change)) return;
    // The consumer is waiting with nothing queued before this change, which is the next version of
    // its slot: the sink may take it now (what it takes is delivered in the order it was taken).
    if (this.sink && this.wake && !this.inbox.length && !this.outbox.length && !this.replay) {
      const key = slotKey(change.providerId, change.capability);
      const last = this.versions.get(key) ?? 0;
      if (change.version <= last) return; // delivered already
      if (change.version === last + 1) {
        this.onEvent?.(change);
        if (this.sink(change)) {
          this.versions.set(key, change.version);
          return;
        }
      }
    }
    this.inbox.push(change);
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  async next(): Promise<IteratorResult<ChangeRecord>> {
    for (;;) {
      if (this.outbox.length) {
        const change = this.outbox.shift()!;
        this.onEvent?.(change);
        return { value: change, done: false };
      }
      if (this.closed) return { value: undefined, done: true };
      // The replay is delivered whole before any live change (they are deduplicated against it).
      if (this.replay) {
        await this.readReplayPage(this.rootEm.fork(), this.replay.after);
        continue;
      }
      const change = this.inbox.shift();
      if (change === undefined) {
        await new Promise<void>((resolve) => (this.wake = resolve));
        continue;
      }
      try {
        // In order (the common case) the change is accepted without a wait: with 10,000 subscribers,
        // every await here is 10,000 more microtasks between a commit and the last socket write.
        const filling = this.accept(change);
        if (filling) await filling;
      } catch {
        // The history could not be read to fill a gap: deliver the change; nothing is duplicated.
        this.outbox.push(change);
        this.versions.set(slotKey(change.providerId, change.capability), change.version);
      }
    }
  }

  async return(): Promise<IteratorResult<ChangeRecord>> {
    if (!this.closed) {
      this.closed = true;
      this.onClose();
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

  private matches(c: { providerId: string; capability: Capability }): boolean {
    return (
      (!this.filter.providerId || c.providerId === this.filter.providerId) &&
      (!this.filter.capability || c.capability === this.filter.capability)
    );
  }

  /** Queues the change (synchronously), or returns the wait for the history that fills a gap before it. */
  private accept(change: ChangeRecord): Promise<void> | undefined {
    const key = slotKey(change.providerId, change.capability);
    const last = this.versions.get(key) ?? 0;
    if (change.version <= last) return undefined; // already delivered by the replay
    const queue = () => {
      this.versions.set(key, change.version);
      this.outbox.push(change);
    };
    if (change.version === last + 1) return void queue();
    return this.fill(change.providerId, change.capability, last, change.version).then(queue);
  }

  /** Delivers versions in (after, before) of one slot from the history. */
  private async fill(providerId: string, capability: Capability, after: number, before: number): Promise<void> {
    this.outbox.push(...(await this.repository.slotVersionsBetween(this.rootEm.fork(), providerId, capability, after, before)));
  }
}
