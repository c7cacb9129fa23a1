import type { Actor } from './actor';
import type { AuthChangedPayload } from './auth-events';

interface Entry {
  user: Actor;
  expiresAt: number;
}

/**
 * token hash → the user it authenticated, for a short time. Only the answers of successful lookups
 * are kept (an unknown token always reaches the database).
 *
 * `generation` guards the race between a lookup and an invalidation: a lookup notes the generation
 * before its SQL statement and may store its answer only if no invalidation happened meanwhile
 * (otherwise it may have read the row just before the change committed).
 */
export class TokenCache {
  private readonly entries = new Map<string, Entry>();
  private gen = 0;

  constructor(
    readonly ttlMs: number,
    private readonly maxEntries = 10_000,
  ) {}

  get generation(): number {
    return this.gen;
  }

  get size(): number {
    return this.entries.size;
  }

  get(hash: string, now: number): Actor | undefined {
    const entry = this.entries.get(hash);
    if (!entry) return undefined;
    if (entry.expiresAt <= now) {
      this.entries.delete(hash);
      return undefined;
    }
    return entry.user;
  }

  /** Stores `user` unless an invalidation happened since `generation` was read. */
  set(hash: string, user: Actor, generation: number, now: number): void {
    if (generation !== this.gen) return;
    if (this.entries.size >= this.maxEntries && !this.entries.has(hash)) {
      // Oldest insertion first: Map keeps insertion order.
      this.entries.delete(this.entries.keys().next().value!);
    }
    this.entries.set(hash, { user, expiresAt: now + this.ttlMs });
  }

  /** Drops the entries of a user, of a token, or (neither given) all of them. */
  invalidate(change: AuthChangedPayload): void {
    this.gen++;
    if (!change.userId && !change.tokenId) {
      this.entries.clear();
      return;
    }
    for (const [hash, { user }] of this.entries) {
      if (user.id === change.userId || user.tokenId === change.tokenId) this.entries.delete(hash);
    }
  }

  clear(): void {
    this.invalidate({});
  }
}
