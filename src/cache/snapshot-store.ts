import type Redis from 'ioredis';
import type { Logger } from 'pino';
import { LocalSnapshots } from './local-snapshots';

/**
 * A cache of values with a generation per key, so that a reader that loaded from the database
 * before a change cannot store its stale copy after the change's invalidation:
 * read the generation with the value, and store only if the generation is still the same.
 */
export interface SnapshotStore<T = unknown> {
  getMany(ids: readonly string[]): Promise<{ values: (T | null)[]; generations: string[] }>;
  /** A value this process already holds, without waiting (in-process stores only). */
  peek?(id: string): T | undefined;
  setIfUnchanged(id: string, value: T, generation: string): Promise<void>;
  invalidate(ids: readonly string[]): Promise<void>;
  /**
   * The negative cache (names known not to exist), in stores that keep one in process. It is
   * emptied when an id this process has never seen is invalidated (what creating a provider does).
   */
  isAbsent?(key: string): boolean;
  /** Taken before looking a name up, passed back to rememberAbsent (a creation in between wins). */
  absentToken?(): number;
  rememberAbsent?(key: string, token: number): void;
  readonly hits: number;
  readonly misses: number;
}

/** Stands for "no generation known": nothing read with it may be stored. */
const UNKNOWN = 'unknown';

/** One instance without Redis: the values themselves in process memory (no serialisation on the hot path). */
export class MemorySnapshotStore<T> implements SnapshotStore<T> {
  private readonly local = new LocalSnapshots<T>();
  hits = 0;
  misses = 0;

  peek(id: string): T | undefined {
    const value = this.local.get(id);
    if (value !== undefined) this.hits++;
    return value;
  }

  async getMany(ids: readonly string[]) {
    const values = ids.map((id) => this.local.get(id) ?? null);
    for (const v of values) {
      if (v === null) this.misses++;
      else this.hits++;
    }
    return { values, generations: ids.map((id) => this.local.generation(id)) };
  }

  async setIfUnchanged(id: string, value: T, generation: string) {
    this.local.setIfUnchanged(id, value, generation);
  }

  async invalidate(ids: readonly string[]) {
    this.local.drop(ids);
  }

  isAbsent(key: string): boolean {
    return this.local.isAbsent(key);
  }

  absentToken(): number {
    return this.local.absentToken();
  }

  rememberAbsent(key: string, token: number): void {
    this.local.rememberAbsent(key, token);
  }
}

const SET_IF_UNCHANGED = `
if (redis.call('GET', KEYS[2]) or '0') == ARGV[2] then
  redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[3])
end
return 1`;

export interface Codec<T> {
  encode(value: T): string;
  decode(raw: string): T;
}

/**
 * Shared by every instance. If Redis is unreachable, reads miss and the caller uses Postgres.
 * Generations are tagged with a local connection epoch: a restarted Redis starts its counters from
 * zero again, so a value read before a reconnect must never be stored after it.
 */
export class RedisSnapshotStore<T> implements SnapshotStore<T> {
  hits = 0;
  misses = 0;
  /** An invalidation failed while Redis was away: drop every snapshot once it is back. */
  private dirty = false;
  private epoch = 0;

  constructor(
    private readonly redis: Redis,
    private readonly codec: Codec<T>,
    private readonly log: Logger,
    private readonly prefix: string,
    private readonly ttlSeconds = 300,
  ) {
    redis.on('close', () => this.epoch++);
    redis.on('ready', () => {
      if (this.dirty) void this.dropAll();
    });
  }

  async getMany(ids: readonly string[]) {
    if (ids.length === 0) return { values: [], generations: [] };
    if (this.dirty) return this.allMisses(ids);
    const epoch = this.epoch;
    try {
      const keys = ids.flatMap((id) => [this.valueKey(id), this.generationKey(id)]);
      const raw = await this.redis.mget(...keys);
      const values = ids.map((_, i) => (raw[2 * i] === null ? null : this.codec.decode(raw[2 * i]!)));
      for (const v of values) {
        if (v === null) this.misses++;
        else this.hits++;
      }
      return { values, generations: ids.map((_, i) => `${epoch}:${raw[2 * i + 1] ?? '0'}`) };
    } catch {
      return this.allMisses(ids);
    }
  }

  async setIfUnchanged(id: string, value: T, generation: string) {
    const [epoch, counter] = generation.split(':');
    if (generation === UNKNOWN || this.dirty || Number(epoch) !== this.epoch) return;
    try {
      await this.redis.eval(SET_IF_UNCHANGED, 2, this.valueKey(id), this.generationKey(id), this.codec.encode(value), counter, this.ttlSeconds);
    } catch {
      // A cache that cannot be written is only a slower cache.
    }
  }

  async invalidate(ids: readonly string[]) {
    if (ids.length === 0) return;
    try {
      const multi = this.redis.multi();
      for (const id of ids) multi.incr(this.generationKey(id)).del(this.valueKey(id));
      await multi.exec();
    } catch (e) {
      this.dirty = true;
      this.log.warn({ err: e }, 'cache invalidation failed (Redis unreachable); reads use Postgres until it returns');
    }
  }

  private allMisses(ids: readonly string[]) {
    this.misses += ids.length;
    return { values: ids.map(() => null), generations: ids.map(() => UNKNOWN) };
  }

  private async dropAll(): Promise<void> {
    try {
      let cursor = '0';
      do {
        const [next, keys] = await this.redis.scan(cursor, 'MATCH', `${this.prefix}snap:*`, 'COUNT', 500);
        cursor = next;
        if (keys.length) await this.redis.del(...keys);
      } while (cursor !== '0');
      this.dirty = false;
      this.log.info('Redis is back: dropped cached snapshots written before the outage');
    } catch {
      // Still dirty: retried on the next 'ready'.
    }
  }

  private valueKey(id: string) {
    return `${this.prefix}snap:${id}`;
  }

  private generationKey(id: string) {
    return `${this.prefix}gen:${id}`;
  }
}
