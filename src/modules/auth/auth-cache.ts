import type { EventArgs, EventSubscriber, TransactionEventArgs } from '@mikro-orm/core';
import type { AuthChangedPayload } from '../../pubsub/topics';
import { ApiToken } from './api-token.entity';
import type { AuthUser } from './auth-user';
import { User } from './user.entity';

interface Entry {
  user: AuthUser;
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

  get(hash: string, now: number): AuthUser | undefined {
    const entry = this.entries.get(hash);
    if (!entry) return undefined;
    if (entry.expiresAt <= now) {
      this.entries.delete(hash);
      return undefined;
    }
    return entry.user;
  }

  /** Stores `user` unless an invalidation happened since `generation` was read. */
  set(hash: string, user: AuthUser, generation: number, now: number): void {
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

/** The knex transaction a savepoint belongs to (MikroORM links them through a private symbol). */
function rootTransaction(trx: object): object {
  let current = trx as Record<symbol, unknown>;
  for (;;) {
    const parent = Object.getOwnPropertySymbols(current).find((s) => s.description === 'parentTransaction');
    const next = parent ? current[parent] : undefined;
    if (!next || typeof next !== 'object') return current;
    current = next as Record<symbol, unknown>;
  }
}

/**
 * Sees every ORM change of a User or an ApiToken (revokeApiToken, updateUser, bootstrapAdmin's
 * re-assignment, …): drops the local cache entries at once, and once the transaction has committed
 * drops them again and announces the change to the other instances (`committed`). Announcing only
 * after the commit matters: an instance that re-reads before the commit would cache the old row.
 * Changes made with raw SQL or nativeUpdate are not seen: call AuthService.changed() for those.
 */
export class AuthChangeSubscriber implements EventSubscriber<User | ApiToken> {
  private readonly pending = new WeakMap<object, AuthChangedPayload[]>();

  constructor(
    private readonly local: (change: AuthChangedPayload) => void,
    private readonly committed: (changes: AuthChangedPayload[]) => Promise<void>,
  ) {}

  getSubscribedEntities() {
    return [User, ApiToken];
  }

  async afterUpdate(args: EventArgs<User | ApiToken>): Promise<void> {
    await this.record(args);
  }

  async afterDelete(args: EventArgs<User | ApiToken>): Promise<void> {
    await this.record(args);
  }

  async afterTransactionCommit(args: TransactionEventArgs): Promise<void> {
    const trx = args.transaction as object | undefined;
    const changes = trx && this.pending.get(trx);
    if (!changes) return;
    this.pending.delete(trx);
    await this.committed(changes);
  }

  async afterTransactionRollback(args: TransactionEventArgs): Promise<void> {
    if (args.transaction) this.pending.delete(args.transaction as object);
  }

  private async record(args: EventArgs<User | ApiToken>): Promise<void> {
    const change: AuthChangedPayload = args.entity instanceof User ? { userId: args.entity.id } : { tokenId: args.entity.id };
    this.local(change);
    const trx = args.em.getTransactionContext() as object | undefined;
    if (!trx) {
      await this.committed([change]);
      return;
    }
    const root = rootTransaction(trx);
    const list = this.pending.get(root);
    if (list) list.push(change);
    else this.pending.set(root, [change]);
  }
}
