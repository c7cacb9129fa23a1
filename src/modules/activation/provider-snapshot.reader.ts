import type { EntityManager } from '@mikro-orm/postgresql';
import { Reference } from '@mikro-orm/core';
import type { SnapshotStore } from '../../cache/snapshot-store';
import type { DomainEvent } from '../../db/transaction';
import type { AIModelService } from '../model/ai-model.service';
import type { Provider } from '../provider/provider.entity';
import { isProviderChanged } from '../provider/provider-events';
import type { ProviderService } from '../provider/provider.service';
import { changesIn } from './activation-events';
import type { ActivationRepository } from './activation.repository';
import type { ProviderSnapshot } from './provider-snapshot';
import { withSpan } from '../../observability/spans';

/**
 * Loads provider snapshots through the cache; misses cost two statements for any number of
 * providers (slots, held models) plus one for providers not already known.
 */
export class ProviderSnapshotReader {
  /** Slugs never change and providers are never deleted: this slug → id map never goes stale. */
  readonly slugIndex = new Map<string, string>();
  /** Loads from Postgres in progress, by provider id and cache generation. */
  private readonly inflight = new Map<string, Promise<ProviderSnapshot | null>>();

  constructor(
    private readonly store: SnapshotStore<ProviderSnapshot>,
    private readonly providers: ProviderService,
    private readonly models: AIModelService,
    private readonly repository: ActivationRepository,
  ) {}

  /** True when `slug` is known not to name a provider (warm negative cache): answer "not found" without a query. */
  isUnknownSlug(slug: string): boolean {
    return !this.slugIndex.has(slug) && this.store.isAbsent?.(slug) === true;
  }

  /** Take before looking slugs up in Postgres; pass to rememberUnknownSlugs with those not found. */
  unknownSlugsToken(): number {
    return this.store.absentToken?.() ?? 0;
  }

  /** Remembers slugs Postgres did not know, unless a provider was created since `token` was taken. */
  rememberUnknownSlugs(slugs: readonly string[], token: number): void {
    for (const slug of slugs) if (!this.slugIndex.has(slug)) this.store.rememberAbsent?.(slug, token);
  }

  /** The snapshot of a provider by slug when this process holds it already (warm in-process cache). */
  peekBySlug(slug: string): ProviderSnapshot | undefined {
    const id = this.slugIndex.get(slug);
    return id === undefined ? undefined : this.store.peek?.(id);
  }

  /** Commit listener: the providers whose slots or settings changed are read afresh from now on. */
  readonly forgetChanged = async (events: readonly DomainEvent[]): Promise<void> => {
    const ids = new Set(changesIn(events).map((c) => c.providerId));
    for (const e of events) if (isProviderChanged(e)) ids.add(e.providerId);
    if (ids.size) await withSpan('cache invalidate', { 'switchboard.providers': ids.size }, () => this.store.invalidate([...ids]));
  };

  async load(emOf: () => EntityManager, ids: readonly string[], known: Map<string, Provider> = new Map()): Promise<(ProviderSnapshot | null)[]> {
    const { values, generations } = await this.store.getMany(ids);
    const result: (ProviderSnapshot | null)[] = [...values];
    const missing = ids
      .map((id, i) => ({ id, key: `${id}@${generations[i]}`, generation: generations[i] }))
      .filter((_, i) => result[i] === null);
    if (missing.length === 0) return result;
    // Concurrent misses of one provider share one load (after an invalidation, every request in
    // flight misses at once). Keyed by the cache generation: a request that arrives after a newer
    // invalidation never joins a load that began before it.
    const toLoad = missing.filter((m) => !this.inflight.has(m.key));
    if (toLoad.length) {
      const loading = this.fromDatabase(emOf(), toLoad, known);
      for (const m of toLoad) {
        const one = loading.then((loaded) => loaded.get(m.id) ?? null);
        this.inflight.set(m.key, one);
        void one.finally(() => this.inflight.delete(m.key)).catch(() => undefined);
      }
    }
    const loaded = await Promise.all(missing.map((m) => this.inflight.get(m.key)!));
    missing.forEach((m, j) => (result[ids.indexOf(m.id)] = loaded[j]));
    return result;
  }

  /** Snapshots of these providers from Postgres, stored in the cache unless invalidated meanwhile. */
  private async fromDatabase(
    em: EntityManager,
    missing: { id: string; generation: string }[],
    known: Map<string, Provider>,
  ): Promise<Map<string, ProviderSnapshot>> {
    const unknown = missing.filter((m) => !known.has(m.id)).map((m) => m.id);
    if (unknown.length) for (const p of await this.providers.findByIds(em, unknown)) known.set(p.id, p);
    const present = missing.filter((m) => known.has(m.id));
    const slotLists = present.length
      ? await this.repository.slotsByProviders(
          em,
          present.map((m) => m.id),
        )
      : [];
    const heldIds = [
      ...new Set(
        slotLists
          .flat()
          .map((s) => s.aiModelId)
          .filter((id): id is string => !!id),
      ),
    ];
    const held = heldIds.length ? await this.models.findByIds(em, heldIds) : [];
    const heldById = new Map(held.map((m) => [m.id, m]));

    const out = new Map<string, ProviderSnapshot>();
    present.forEach(({ id, generation }, i) => {
      const slots = slotLists[i];
      const snapshot: ProviderSnapshot = {
        provider: plain(known.get(id)!),
        slots,
        heldModels: [...new Set(slots.map((s) => s.aiModelId).filter((m): m is string => !!m))].map((m) => plain(heldById.get(m)!)),
      };
      // The in-process store shares this object between requests: nobody may change it.
      deepFreeze(snapshot);
      out.set(id, snapshot);
      void this.store.setIfUnchanged(id, snapshot, generation);
    });
    return out;
  }
}

/**
 * Entities to plain data (the same shape whether it comes from Postgres or the cache). Relations
 * (`Ref`s) stay out: the scalar ids beside them carry the same fact, and a reference would drag a
 * managed entity into the frozen, shared snapshot.
 */
function plain<T extends object>(entity: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(entity)) if (typeof v !== 'function' && !Reference.isReference(v)) out[k] = v;
  delete out.sharedApiKeyEncrypted;
  return out as T;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) if (!(v instanceof Date)) deepFreeze(v);
  }
  return value;
}
