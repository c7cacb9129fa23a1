import { runInTransaction } from '../../db/transaction';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { Capability } from '../../common/capability';
import { NotFoundError, UserInputError } from '../../common/errors';
import { parseCursor, rowToChange, type ChangeRecord } from './change-record';
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
    private readonly orm: MikroORM,
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
        const rows = await this.em().execute<{ id: string }[]>('select id from provider where slug = ?', [filter.provider]);
        if (!rows[0]) throw new NotFoundError('provider.notFound', { slug: filter.provider });
        providerId = rows[0].id;
        this.slugIndex.set(filter.provider, providerId);
      }
    }
    const feed = new ChangeFeed(this.orm, { providerId, capability: filter.capability ?? undefined }, onEvent, () => {
      stopListening();
      this.feeds.delete(feed);
    });
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

  private em(): EntityManager {
    return this.orm.em.fork() as EntityManager;
  }
}

class ChangeFeed implements AsyncIterableIterator<ChangeRecord> {
  private readonly versions = new Map<string, number>();
  private readonly outbox: ChangeRecord[] = [];
  private readonly inbox: ChangeRecord[] = [];
  private wake?: () => void;
  private closed = false;
  /** The replay still to read: changes after `after`, up to `until` (the newest visible in the start snapshot). */
  private replay?: { after: string; until: string };

  constructor(
    private readonly orm: MikroORM,
    private readonly filter: { providerId?: string; capability?: Capability },
    private readonly onEvent: ((change: ChangeRecord) => void) | undefined,
    private readonly onClose: () => void,
  ) {}

  async start(sinceId: string | undefined): Promise<void> {
    const readVersions = async (em: EntityManager) => {
      const slots = await em.execute<{ provider_id: string; capability: string; version: number }[]>(
        `select provider_id, capability, version from activation_slot where ${this.where()}`,
        this.params(),
      );
      for (const s of slots) this.versions.set(slotKey(s.provider_id, s.capability), Number(s.version));
    };
    // Without a replay one statement is a consistent snapshot already; with one, the versions and
    // the replayed changes must come from the same snapshot.
    if (sinceId === undefined) return readVersions(this.orm.em.fork() as EntityManager);
    await runInTransaction(
      this.orm.em as EntityManager,
      async (em) => {
        await readVersions(em);
        const [newest] = await em.execute<{ id: string | null }[]>(`select max(id) as id from activation_change where id > ? and ${this.where()}`, [
          sinceId,
          ...this.params(),
        ]);
        if (newest?.id != null) {
          this.replay = { after: sinceId, until: String(newest.id) };
          await this.readReplayPage(em);
        }
      },
      { isolationLevel: 'repeatable read', readOnly: true },
    );
  }

  /**
   * The next page of the replay. Pages after the first are read outside the start snapshot: a change
   * that committed after it (a version above the snapshot's) is left out here, it comes live.
   */
  private async readReplayPage(em: EntityManager): Promise<void> {
    const replay = this.replay!;
    const rows = await em.execute<Record<string, unknown>[]>(
      `select * from activation_change where id > ? and id <= ? and ${this.where()} order by id limit ${REPLAY_PAGE_SIZE}`,
      [replay.after, replay.until, ...this.params()],
    );
    if (rows.length < REPLAY_PAGE_SIZE) this.replay = undefined;
    else replay.after = String(rows[rows.length - 1].id);
    for (const change of rows.map(rowToChange)) {
      if (change.version <= (this.versions.get(slotKey(change.providerId, change.capability)) ?? 0)) this.outbox.push(change);
    }
  }

  push(change: ChangeRecord): void {
    if (this.closed || !this.matches(change)) return;
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
        await this.readReplayPage(this.orm.em.fork() as EntityManager);
        continue;
      }
      const change = this.inbox.shift();
      if (change === undefined) {
        await new Promise<void>((resolve) => (this.wake = resolve));
        continue;
      }
      try {
        await this.accept(change);
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
    return (!this.filter.providerId || c.providerId === this.filter.providerId) && (!this.filter.capability || c.capability === this.filter.capability);
  }

  private async accept(change: ChangeRecord): Promise<void> {
    const key = slotKey(change.providerId, change.capability);
    const last = this.versions.get(key) ?? 0;
    if (change.version <= last) return; // already delivered by the replay
    if (change.version > last + 1) await this.fill(change.providerId, change.capability, last, change.version);
    this.versions.set(key, change.version);
    this.outbox.push(change);
  }

  /** Delivers versions in (after, before) of one slot from the history. */
  private async fill(providerId: string, capability: Capability, after: number, before: number): Promise<void> {
    const rows = await this.orm.em.fork().execute<Record<string, unknown>[]>(
      `select * from activation_change where provider_id = ? and capability = ? and version > ? and version < ? order by version`,
      [providerId, capability, after, before],
    );
    for (const row of rows) this.outbox.push(rowToChange(row));
  }

  private where(): string {
    const parts = ['true'];
    if (this.filter.providerId) parts.push('provider_id = ?');
    if (this.filter.capability) parts.push('capability = ?');
    return parts.join(' and ');
  }

  private params(): unknown[] {
    const p: unknown[] = [];
    if (this.filter.providerId) p.push(this.filter.providerId);
    if (this.filter.capability) p.push(this.filter.capability);
    return p;
  }
}
