import type Redis from 'ioredis';
import type { Logger } from 'pino';

/**
 * A cache of JSON values with a generation per key, so that a reader that loaded from the database
 * before a change cannot store its stale copy after the change's invalidation:
 * read the generation with the value, and store only if the generation is still the same.
 */
export interface SnapshotStore {
  getMany(ids: readonly string[]): Promise<{ values: (string | null)[]; generations: string[] }>;
  setIfUnchanged(id: string, value: string, generation: string): Promise<void>;
  invalidate(ids: readonly string[]): Promise<void>;
  readonly hits: number;
  readonly misses: number;
}

/** One instance without Redis: a Map. */
export class MemorySnapshotStore implements SnapshotStore {
  private readonly values = new Map<string, string>();
  private readonly generations = new Map<string, number>();
  hits = 0;
  misses = 0;

  async getMany(ids: readonly string[]) {
    const values = ids.map((id) => this.values.get(id) ?? null);
    for (const v of values) v === null ? this.misses++ : this.hits++;
    return { values, generations: ids.map((id) => String(this.generations.get(id) ?? 0)) };
  }

  async setIfUnchanged(id: string, value: string, generation: string) {
    if (String(this.generations.get(id) ?? 0) === generation) this.values.set(id, value);
  }

  async invalidate(ids: readonly string[]) {
    for (const id of ids) {
      this.generations.set(id, (this.generations.get(id) ?? 0) + 1);
      this.values.delete(id);
    }
  }
}

const SET_IF_UNCHANGED = `
if (redis.call('GET', KEYS[2]) or '0') == ARGV[2] then
  redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[3])
end
return 1`;

/** Shared by every instance. If Redis is unreachable, reads miss and the caller uses Postgres. */
export class RedisSnapshotStore implements SnapshotStore {
  hits = 0;
  misses = 0;
  /** An invalidation failed while Redis was away: drop every snapshot once it is back. */
  private dirty = false;

  constructor(
    private readonly redis: Redis,
    private readonly log: Logger,
    private readonly prefix = 'sb:snap:',
    private readonly ttlSeconds = 300,
  ) {
    redis.on('ready', () => {
      if (this.dirty) void this.dropAll();
    });
  }

  async getMany(ids: readonly string[]) {
    if (ids.length === 0) return { values: [], generations: [] };
    if (this.dirty) {
      this.misses += ids.length;
      return { values: ids.map(() => null), generations: ids.map(() => 'unavailable') };
    }
    try {
      const keys = ids.flatMap((id) => [this.valueKey(id), this.generationKey(id)]);
      const raw = await this.redis.mget(...keys);
      const values = ids.map((_, i) => raw[2 * i]);
      for (const v of values) v === null ? this.misses++ : this.hits++;
      return { values, generations: ids.map((_, i) => raw[2 * i + 1] ?? '0') };
    } catch {
      this.misses += ids.length;
      // Unknown generation: nothing read now may be stored.
      return { values: ids.map(() => null), generations: ids.map(() => 'unavailable') };
    }
  }

  async setIfUnchanged(id: string, value: string, generation: string) {
    if (generation === 'unavailable' || this.dirty) return;
    try {
      await this.redis.eval(SET_IF_UNCHANGED, 2, this.valueKey(id), this.generationKey(id), value, generation, this.ttlSeconds);
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

  private async dropAll(): Promise<void> {
    try {
      let cursor = '0';
      do {
        const [next, keys] = await this.redis.scan(cursor, 'MATCH', `${this.prefix}*`, 'COUNT', 500);
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
    return `${this.prefix}${id}`;
  }

  private generationKey(id: string) {
    return `sb:gen:${id}`;
  }
}
