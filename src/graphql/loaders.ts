import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Services } from './services';
import type { Provider } from '../modules/provider/provider.entity';
import type { AIModel } from '../modules/model/ai-model.entity';
import type { SlotView } from '../modules/activation/activation-query.service';
import type { ProviderSnapshot } from '../modules/activation/provider-snapshot.reader';
import type { User } from '../modules/auth/user.entity';

/**
 * Per-request batching: however wide a query is, each kind of lookup costs at most one SQL
 * statement, and the provider/slot/active-model reads come from the snapshot cache when warm.
 */
export interface Loaders {
  providerBySlug: DataLoader<string, Provider | null>;
  providerById: DataLoader<string, Provider | null>;
  allProviders: () => Promise<Provider[]>;
  /** Deleted models included: history points at them. */
  modelById: DataLoader<string, AIModel | null>;
  liveModelsByProviderId: DataLoader<string, AIModel[]>;
  slotsByProviderId: DataLoader<string, SlotView[]>;
  userById: DataLoader<string, User | null>;
  /** A provider's snapshot by slug (null: no such provider), batched with the other lookups. */
  snapshotBySlug(slug: string): Promise<ProviderSnapshot | null>;
  /** Makes a snapshot already in hand answer this request's provider, slot and model lookups. */
  prime(snapshot: ProviderSnapshot): void;
}

function byKey<T, K>(rows: T[], keys: readonly K[], key: (row: T) => K): (T | null)[] {
  const map = new Map(rows.map((r) => [key(r), r]));
  return keys.map((k) => map.get(k) ?? null);
}

/**
 * Each loader is made on first use, and `em` is only forked when a loader really queries: a read
 * served from the warm cache costs neither (context creation is on every request's path).
 */
export function createLoaders(em: () => EntityManager, services: Services): Loaders {
  const slugIndex = services.snapshots.slugIndex;
  const knownModels = new Map<string, AIModel>();
  // Provider rows fetched by slug in this request, so snapshots need not read them again.
  const pendingProviders = new Map<string, Provider>();
  const lazy = <T>(make: () => T) => {
    let value: T | undefined;
    return () => (value ??= make());
  };

  const snapshots = lazy(
    () =>
      new DataLoader<string, ProviderSnapshot | null>(async (ids) => {
        const loaded = await services.snapshots.load(em, ids, pendingProviders);
        for (const s of loaded) for (const m of s?.heldModels ?? []) knownModels.set(m.id, m);
        return loaded;
      }),
  );
  const providerById = lazy(
    () =>
      new DataLoader<string, Provider | null>(async (ids) =>
        (await snapshots().loadMany(ids)).map((s) => (s && !(s instanceof Error) ? s.provider : null)),
      ),
  );
  const providerBySlug = lazy(
    () =>
      new DataLoader<string, Provider | null>(async (slugs) => {
        // Slugs known to name no provider (negative cache) cost no query either.
        const unknown = slugs.filter((s) => !slugIndex.has(s) && !services.snapshots.isUnknownSlug(s));
        if (unknown.length) {
          const token = services.snapshots.unknownSlugsToken();
          for (const p of await services.providers.findBySlugs(em(), unknown)) {
            slugIndex.set(p.slug, p.id);
            pendingProviders.set(p.id, p);
          }
          services.snapshots.rememberUnknownSlugs(unknown, token);
        }
        return Promise.all(slugs.map((slug) => (slugIndex.has(slug) ? providerById().load(slugIndex.get(slug)!) : null)));
      }),
  );
  let all: Promise<Provider[]> | undefined;
  const allProviders = () =>
    (all ??= services.providers.list(em()).then((list) => {
      for (const p of list) {
        slugIndex.set(p.slug, p.id);
        pendingProviders.set(p.id, p);
      }
      return Promise.all(list.map((p) => providerById().load(p.id))).then((ps) => ps.filter((p): p is Provider => !!p));
    }));
  const modelById = lazy(
    () =>
      new DataLoader<string, AIModel | null>(async (ids) => {
        const missing = ids.filter((id) => !knownModels.has(id));
        if (missing.length) for (const m of await services.models.findByIds(em(), missing)) knownModels.set(m.id, m);
        return ids.map((id) => knownModels.get(id) ?? null);
      }),
  );
  const liveModelsByProviderId = lazy(
    () =>
      new DataLoader<string, AIModel[]>(async (providerIds) => {
        const models = await services.models.listLiveByProviders(em(), providerIds);
        for (const m of models) modelById().prime(m.id, m);
        return providerIds.map((id) => models.filter((m) => m.providerId === id));
      }),
  );
  const slotsByProviderId = lazy(
    () =>
      new DataLoader<string, SlotView[]>(async (ids) =>
        (await snapshots().loadMany(ids)).map((s) => (s && !(s instanceof Error) ? s.slots : [])),
      ),
  );
  const userById = lazy(
    () => new DataLoader<string, User | null>(async (ids) => byKey(await services.auth.findUsers(em(), ids), ids, (u) => u.id)),
  );
  return {
    get providerBySlug() {
      return providerBySlug();
    },
    get providerById() {
      return providerById();
    },
    allProviders,
    get modelById() {
      return modelById();
    },
    get liveModelsByProviderId() {
      return liveModelsByProviderId();
    },
    get slotsByProviderId() {
      return slotsByProviderId();
    },
    get userById() {
      return userById();
    },
    async snapshotBySlug(slug: string) {
      const id = slugIndex.get(slug) ?? (await providerBySlug().load(slug))?.id;
      return id === undefined ? null : snapshots().load(id);
    },
    prime(snapshot: ProviderSnapshot) {
      for (const m of snapshot.heldModels) knownModels.set(m.id, m);
      const { provider } = snapshot;
      snapshots().prime(provider.id, snapshot);
      providerById().prime(provider.id, provider);
      providerBySlug().prime(provider.slug, provider);
      slotsByProviderId().prime(provider.id, snapshot.slots);
    },
  };
}
