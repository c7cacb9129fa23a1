import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { ProviderSnapshot } from '../modules/activation/provider-snapshot';
import type { ProviderSnapshotReader } from '../modules/activation/provider-snapshot.reader';
import type { SlotView } from '../modules/activation/slot-view';
import type { User } from '../modules/auth/user.entity';
import type { UserService } from '../modules/auth/user.service';
import type { AIModel } from '../modules/model/ai-model.entity';
import type { AIModelService } from '../modules/model/ai-model.service';
import type { Provider } from '../modules/provider/provider.entity';
import type { ProviderService } from '../modules/provider/provider.service';
import type { Loaders } from '../modules/shared/request-context';

/** The services the loaders read through. */
export interface LoaderSources {
  snapshots: ProviderSnapshotReader;
  providers: ProviderService;
  models: AIModelService;
  users: UserService;
}

function byKey<T, K>(rows: T[], keys: readonly K[], key: (row: T) => K): (T | null)[] {
  const map = new Map(rows.map((r) => [key(r), r]));
  return keys.map((k) => map.get(k) ?? null);
}

/**
 * Each loader is made on first use, and `em` is only forked when a loader really queries: a read
 * served from the warm cache costs neither (context creation is on every request's path).
 */
export function createLoaders(em: () => EntityManager, services: LoaderSources): Loaders {
  const slugIndex = services.snapshots.slugIndex;
  const knownModels = new Map<string, AIModel>();
  // Provider rows fetched by slug in this request, so snapshots need not read them again.
  const pendingProviders = new Map<string, Provider>();
  /** A loader made on first use (most requests use one or two of them). */
  const onFirstUse = <T>(make: () => T) => {
    let value: T | undefined;
    return () => (value ??= make());
  };

  const snapshots = onFirstUse(
    () =>
      new DataLoader<string, ProviderSnapshot | null>(async (ids) => {
        const loaded = await services.snapshots.load(em, ids, pendingProviders);
        for (const s of loaded) for (const m of s?.heldModels ?? []) knownModels.set(m.id, m);
        return loaded;
      }),
  );
  const providerById = onFirstUse(
    () =>
      new DataLoader<string, Provider | null>(async (ids) =>
        (await snapshots().loadMany(ids)).map((s) => (s && !(s instanceof Error) ? s.provider : null)),
      ),
  );
  const providerBySlug = onFirstUse(
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
  const modelById = onFirstUse(
    () =>
      new DataLoader<string, AIModel | null>(async (ids) => {
        const missing = ids.filter((id) => !knownModels.has(id));
        if (missing.length) for (const m of await services.models.findByIds(em(), missing)) knownModels.set(m.id, m);
        return ids.map((id) => knownModels.get(id) ?? null);
      }),
  );
  const liveModelsByProviderId = onFirstUse(
    () =>
      new DataLoader<string, AIModel[]>(async (providerIds) => {
        const models = await services.models.listLiveByProviders(em(), providerIds);
        for (const m of models) modelById().prime(m.id, m);
        return providerIds.map((id) => models.filter((m) => m.providerId === id));
      }),
  );
  const slotsByProviderId = onFirstUse(
    () =>
      new DataLoader<string, SlotView[]>(async (ids) =>
        (await snapshots().loadMany(ids)).map((s) => (s && !(s instanceof Error) ? s.slots : [])),
      ),
  );
  const userById = onFirstUse(
    () => new DataLoader<string, User | null>(async (ids) => byKey(await services.users.findUsers(em(), ids), ids, (u) => u.id)),
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
