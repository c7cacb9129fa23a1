import type { InstanceLease } from './instance-lease';
import { LocalSnapshots } from './local-snapshots';
import type { RedisSnapshotStore, SnapshotStore } from './snapshot-store';

/**
 * The per-instance near cache in front of the shared Redis snapshots. Warm reads are answered from
 * process memory while this instance's lease is valid (no Redis round trip); invalidation drops the
 * local copy, the Redis copy, then every other live instance's copy, acknowledged, before it returns
 * (InstanceLease). Without a valid lease every read goes to Redis, as it did without a near cache.
 */
export class NearSnapshotStore<T> implements SnapshotStore<T> {
  readonly local = new LocalSnapshots<T>();
  hits = 0;
  misses = 0;

  constructor(
    private readonly remote: RedisSnapshotStore<T>,
    readonly lease: InstanceLease,
  ) {
    lease.onInvalidate((ids) => this.local.drop(ids));
    lease.onDropAll(() => this.local.clear());
  }

  peek(id: string): T | undefined {
    if (!this.lease.valid()) return undefined;
    const value = this.local.get(id);
    if (value !== undefined) this.hits++;
    return value;
  }

  async getMany(ids: readonly string[]) {
    const useLocal = this.lease.valid();
    const localGenerations = ids.map((id) => this.local.generation(id));
    const values: (T | null)[] = ids.map((id) => (useLocal ? (this.local.get(id) ?? null) : null));
    const missing = ids.filter((_, i) => values[i] === null);
    const remoteGenerations = new Map<string, string>();
    if (missing.length) {
      const remote = await this.remote.getMany(missing);
      missing.forEach((id, j) => {
        remoteGenerations.set(id, remote.generations[j]);
        const value = remote.values[j];
        if (value === null) return;
        const i = ids.indexOf(id);
        values[i] = value;
        this.local.setIfUnchanged(id, value, localGenerations[i]);
      });
    }
    for (const v of values) {
      if (v === null) this.misses++;
      else this.hits++;
    }
    // Both generations travel together: a value loaded from Postgres is kept here and in Redis only
    // if neither was invalidated meanwhile.
    return { values, generations: ids.map((id, i) => `${remoteGenerations.get(id) ?? 'unknown'}|${localGenerations[i]}`) };
  }

  async setIfUnchanged(id: string, value: T, generation: string) {
    const bar = generation.lastIndexOf('|');
    this.local.setIfUnchanged(id, value, generation.slice(bar + 1));
    const remote = generation.slice(0, bar);
    if (remote !== 'unknown') await this.remote.setIfUnchanged(id, value, remote);
  }

  async invalidate(ids: readonly string[]) {
    if (ids.length === 0) return;
    this.local.drop(ids);
    await this.remote.invalidate(ids);
    await this.lease.broadcast(ids);
  }

  isAbsent(key: string): boolean {
    return this.lease.valid() && this.local.isAbsent(key);
  }

  absentToken(): number {
    return this.local.absentToken();
  }

  rememberAbsent(key: string, token: number): void {
    this.local.rememberAbsent(key, token);
  }
}
