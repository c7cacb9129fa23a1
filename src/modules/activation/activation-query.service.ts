import type { EntityManager } from '@mikro-orm/postgresql';
import type { Capability } from '../../common/capability';
import { NotFoundError, UserInputError } from '../../common/errors';
import type { RequestContext } from '../../graphql/context';
import type { AIModel } from '../model/ai-model.entity';
import type { Provider } from '../provider/provider.entity';
import { pgArray } from '../../db/sql';
import { parseCursor, rowToChange, type ChangeRecord } from './change-record';

/** A slot as the read side sees it. */
export interface SlotView {
  providerId: string;
  capability: Capability;
  modelId: string | null;
  version: number;
  activatedAt: Date | null;
  activatedBy: string | null;
}

export interface HistoryPage {
  changes: ChangeRecord[];
  hasNextPage: boolean;
}

const SLOT_COLUMNS = 'provider_id, capability, model_id, version, activated_at, activated_by';

function rowToSlot(row: Record<string, unknown>): SlotView {
  return {
    providerId: row.provider_id as string,
    capability: row.capability as Capability,
    modelId: (row.model_id as string | null) ?? null,
    version: Number(row.version),
    activatedAt: row.activated_at ? new Date(row.activated_at as string) : null,
    activatedBy: (row.activated_by as string | null) ?? null,
  };
}

export function checkPageSize(first: number): void {
  if (!Number.isInteger(first) || first < 1 || first > 100) {
    throw new UserInputError('input.range', { field: 'first', min: 1, max: 100 }, 'first');
  }
}

/** Reads of slots and history: what is active now, what was active then, and what changed. */
export class ActivationQueryService {
  async providerOrFail(ctx: RequestContext, slug: string): Promise<Provider> {
    const provider = await ctx.loaders.providerBySlug.load(slug);
    if (!provider) throw new NotFoundError('provider.notFound', { slug });
    return provider;
  }

  async activeModel(ctx: RequestContext, slug: string, capability: Capability, at?: Date | null): Promise<AIModel | null> {
    if (!at || at.getTime() >= Date.now()) {
      // The hot path: the provider's snapshot (in-process without waiting when warm; else one batched
      // cache read) answers, and primes this request's loaders for the nested fields.
      const snapshots = ctx.services.snapshots;
      const snapshot = snapshots.peekBySlug(slug) ?? (snapshots.isUnknownSlug(slug) ? null : await ctx.loaders.snapshotBySlug(slug));
      if (!snapshot) throw new NotFoundError('provider.notFound', { slug });
      ctx.loaders.prime(snapshot);
      const modelId = snapshot.slots.find((s) => s.capability === capability)?.modelId;
      return modelId ? (snapshot.heldModels.find((m) => m.id === modelId) ?? null) : null;
    }
    const provider = await this.providerOrFail(ctx, slug);
    const rows = await ctx.em.execute<{ model_id: string | null }[]>(
      // changed_at has microseconds but the API shows milliseconds: compare at the API's precision,
      // so activeModel(at: change.changedAt) includes that change.
      `select model_id from activation_change
        where provider_id = ? and capability = ? and changed_at < ?::timestamptz + interval '1 millisecond'
        order by version desc limit 1`,
      [provider.id, capability, at],
    );
    const modelId = rows[0]?.model_id;
    return modelId ? ctx.loaders.modelById.load(modelId) : null;
  }

  /** Held slots, ordered by provider slug, then capability in enum order. */
  async activeModels(ctx: RequestContext, slug?: string | null): Promise<SlotView[]> {
    const providers = slug ? [await this.providerOrFail(ctx, slug)] : await ctx.loaders.allProviders();
    const slotLists = await ctx.loaders.slotsByProviderId.loadMany(providers.map((p) => p.id));
    return slotLists.flatMap((list) => (list instanceof Error ? [] : list.filter((s) => s.modelId !== null)));
  }

  async history(
    ctx: RequestContext,
    args: { provider: string; capability?: Capability | null; first: number; after?: string | null },
  ): Promise<HistoryPage> {
    checkPageSize(args.first);
    let afterId: string | undefined;
    if (args.after != null) {
      afterId = parseCursor(args.after);
      if (afterId === undefined) throw new UserInputError('input.cursor', { field: 'after' }, 'after');
    }
    const provider = await this.providerOrFail(ctx, args.provider);
    const where = ['provider_id = ?'];
    const params: unknown[] = [provider.id];
    if (args.capability) {
      where.push('capability = ?');
      params.push(args.capability);
    }
    if (afterId !== undefined) {
      where.push('id < ?');
      params.push(afterId);
    }
    params.push(args.first + 1);
    const rows = await ctx.em.execute<Record<string, unknown>[]>(
      `select * from activation_change where ${where.join(' and ')} order by id desc limit ?`,
      params,
    );
    return { changes: rows.slice(0, args.first).map(rowToChange), hasNextPage: rows.length > args.first };
  }

  /** Slots of these providers, all six each (empty ones included), grouped in input order. */
  async slotsByProviders(em: EntityManager, providerIds: readonly string[]): Promise<SlotView[][]> {
    const rows = await em.execute<Record<string, unknown>[]>(
      `select ${SLOT_COLUMNS} from activation_slot where provider_id = any(?::uuid[]) order by capability_rank(capability)`,
      [pgArray(providerIds)],
    );
    const byProvider = new Map<string, SlotView[]>(providerIds.map((id) => [id, []]));
    for (const row of rows) byProvider.get(row.provider_id as string)?.push(rowToSlot(row));
    return providerIds.map((id) => byProvider.get(id) ?? []);
  }

  /** Changes after a cursor, oldest first (subscription replay). */
  async changesAfter(em: EntityManager, afterId: string, limit: number): Promise<ChangeRecord[]> {
    const rows = await em.execute<Record<string, unknown>[]>(
      'select * from activation_change where id > ? order by id asc limit ?',
      [afterId, limit],
    );
    return rows.map(rowToChange);
  }
}
