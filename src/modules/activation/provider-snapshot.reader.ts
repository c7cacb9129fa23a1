import type { EntityManager } from '@mikro-orm/postgresql';
import type { SnapshotStore } from '../../cache/snapshot-store';
import type { DomainEvent } from '../../db/transaction';
import type { AIModelService } from '../model/ai-model.service';
import type { Provider } from '../provider/provider.entity';
import { isProviderChanged } from '../provider/provider-events';
import type { ProviderService } from '../provider/provider.service';
import { changesIn } from './activation-events';
import type { ActivationRepository } from './activation.repository';
import type { ProviderSnapshot } from './provider-snapshot';

/**
 * Loads provider snapshots through the cache; misses cost two statements for any number of
 * providers (slots, held models) plus one for providers not already known.
 */
export class ProviderSnapshotReader {
  /** Slugs never change and providers are never deleted: this slug → id map never goes stale. */
  readonly slugIndex = new Map<string, string>();

  constructor(
    private readonly store: SnapshotStore<ProviderSnapshot>,
    private readonly providers: ProviderService,
    private readonly models: AIModelService,
    private readonly repository: ActivationRepository,
  ) {}

  /** The snapshot of a provider by slug when this process holds it already (warm in-process cache). */
  peekBySlug(slug: string): ProviderSnapshot | undefined {
    const id = this.slugIndex.get(slug);
    return id === undefined ? undefined : this.store.peek?.(id);
  }

  /** Commit listener: the providers whose slots or settings changed are read afresh from now on. */
  readonly forgetChanged = async (events: readonly DomainEvent[]): Promise<void> => {
    const ids = new Set(changesIn(events).map((c) => c.providerId));
    for (const e of events) if (isProviderChanged(e)) ids.add(e.providerId);
    if (ids.size) await this.store.invalidate([...ids]);
  };

  async load(emOf: () => EntityManager, ids: readonly string[], known: Map<string, Provider> = new Map()): Promise<(ProviderSnapshot | null)[]> {
    const { values, generations } = await this.store.getMany(ids);
    const result: (ProviderSnapshot | null)[] = [...values];
    const missing = ids.filter((_, i) => result[i] === null);
    if (missing.length === 0) return result;
    const em = emOf();

    const unknown = missing.filter((id) => !known.has(id));
    if (unknown.length) for (const p of await this.providers.findByIds(em, unknown)) known.set(p.id, p);
    const present = missing.filter((id) => known.has(id));
    const slotLists = present.length ? await this.repository.slotsByProviders(em, present) : [];
    const heldIds = [...new Set(slotLists.flat().map((s) => s.aiModelId).filter((id): id is string => !!id))];
    const held = heldIds.length ? await this.models.findByIds(em, heldIds) : [];
    const heldById = new Map(held.map((m) => [m.id, m]));

    present.forEach((id, i) => {
      const slots = slotLists[i];
      const snapshot: ProviderSnapshot = {
        provider: plain(known.get(id)!),
        slots,
        heldModels: [...new Set(slots.map((s) => s.aiModelId).filter((m): m is string => !!m))].map((m) => plain(heldById.get(m)!)),
      };
      // The in-process store shares this object between requests: nobody may change it.
      deepFreeze(snapshot);
      const index = ids.indexOf(id);
      result[index] = snapshot;
      void this.store.setIfUnchanged(id, snapshot, generations[index]);
    });
    return result;
  }
}

/** Entities to plain data (the same shape whether it comes from Postgres or the cache). */
function plain<T extends object>(entity: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(entity)) if (typeof v !== 'function') out[k] = v;
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
