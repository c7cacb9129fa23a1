import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Services } from './services';
import type { Provider } from '../modules/provider/provider.entity';
import type { AIModel } from '../modules/model/ai-model.entity';
import type { SlotView } from '../modules/activation/activation-query.service';
import type { User } from '../modules/auth/user.entity';

/**
 * Per-request batching: however wide a query is, each kind of lookup costs one SQL statement.
 * Loaders that find a row prime the others (a provider found by slug is known by id too).
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
}

function byKey<T, K>(rows: T[], keys: readonly K[], key: (row: T) => K): (T | null)[] {
  const map = new Map(rows.map((r) => [key(r), r]));
  return keys.map((k) => map.get(k) ?? null);
}

export function createLoaders(em: EntityManager, services: Services): Loaders {
  const providerById: DataLoader<string, Provider | null> = new DataLoader(async (ids) =>
    byKey(await services.providers.findByIds(em, ids), ids, (p) => p.id),
  );
  const providerBySlug: DataLoader<string, Provider | null> = new DataLoader(async (slugs) => {
    const found = await services.providers.findBySlugs(em, slugs);
    for (const p of found) providerById.prime(p.id, p);
    return byKey(found, slugs, (p) => p.slug);
  });
  let all: Promise<Provider[]> | undefined;
  const allProviders = () =>
    (all ??= services.providers.list(em).then((list) => {
      for (const p of list) {
        providerById.prime(p.id, p);
        providerBySlug.prime(p.slug, p);
      }
      return list;
    }));
  const modelById: DataLoader<string, AIModel | null> = new DataLoader(async (ids) =>
    byKey(await services.models.findByIds(em, ids), ids, (m) => m.id),
  );
  const liveModelsByProviderId = new DataLoader<string, AIModel[]>(async (providerIds) => {
    const models = await services.models.listLiveByProviders(em, providerIds);
    for (const m of models) modelById.prime(m.id, m);
    return providerIds.map((id) => models.filter((m) => m.providerId === id));
  });
  const slotsByProviderId = new DataLoader<string, SlotView[]>((providerIds) =>
    services.activationQueries.slotsByProviders(em, providerIds),
  );
  const userById: DataLoader<string, User | null> = new DataLoader(async (ids) =>
    byKey(await services.auth.findUsers(em, ids), ids, (u) => u.id),
  );
  return { providerBySlug, providerById, allProviders, modelById, liveModelsByProviderId, slotsByProviderId, userById };
}
