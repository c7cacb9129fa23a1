import type { EntityManager } from '@mikro-orm/postgresql';
import type { Capability } from '../../common/capability';
import { pgArray, type SqlStatement } from '../../db/sql';
import { ActivationChange } from './activation-change.entity';
import { rowToChange, type ChangeRecord } from './change-record';
import type { SlotView } from './slot-view';

/** Serializes the assignment of history ids to commit order across all slots (see ActivationChange). */
const HISTORY_LOCK_KEY = 7_310_001;

const SLOT_COLUMNS = 'provider_id, capability, model_id, version, activated_at, activated_by';

function rowToSlot(row: Record<string, unknown>): SlotView {
  return {
    providerId: row.provider_id as string,
    capability: row.capability as Capability,
    aiModelId: (row.model_id as string | null) ?? null,
    version: Number(row.version),
    activatedAt: row.activated_at ? new Date(row.activated_at as string) : null,
    activatedBy: (row.activated_by as string | null) ?? null,
  };
}

/** A history entity as the record the services pass around (the same shape as rowToChange's). */
function entityToChange(change: ActivationChange): ChangeRecord {
  return {
    id: String(change.id),
    providerId: change.providerId,
    capability: change.capability,
    aiModelId: change.aiModelId ?? null,
    previousAiModelId: change.previousAiModelId ?? null,
    version: change.version,
    changedAt: change.changedAt,
    changedBy: change.changedBy ?? null,
    reason: change.reason ?? null,
    scheduledChangeId: change.scheduledChangeId ?? null,
  };
}

/** History reads through the ORM are read-only: kept out of the request's identity map. */
const READ_ONLY = { disableIdentityMap: true } as const;

export interface LockedSlot {
  capability: Capability;
  model_id: string | null;
  version: number;
}

export interface HistoryFilter {
  providerId?: string;
  capability?: Capability;
}

function filterSql(filter: HistoryFilter): { where: string; params: unknown[] } {
  const parts = ['true'];
  const params: unknown[] = [];
  if (filter.providerId) {
    parts.push('provider_id = ?');
    params.push(filter.providerId);
  }
  if (filter.capability) {
    parts.push('capability = ?');
    params.push(filter.capability);
  }
  return { where: parts.join(' and '), params };
}

/**
 * The SQL of slots and history that stays raw on purpose: the slot locks in capability order, the
 * advisory lock that makes history ids follow commit order, the one-statement history+slot write
 * (a CTE the ORM cannot express), the outbox's SKIP LOCKED batches, and the cursor reads of the
 * change feed (hot: every subscription event). The admin's history reads go through the ActivationChange entity.
 */
export class ActivationRepository {
  /** Locks the provider's slots of these capabilities, in capability order (so callers queue, never deadlock). */
  lockSlots(em: EntityManager, providerId: string, capabilities: readonly Capability[]): Promise<LockedSlot[]> {
    return em.execute<LockedSlot[]>(
      `select capability, model_id, version from activation_slot
        where provider_id = ? and capability = any(?::text[])
        order by capability_rank(capability)
        for update`,
      [providerId, pgArray(capabilities)],
    );
  }

  /** Held to commit: history ids are then assigned in commit order (the subscription cursor relies on it). */
  async lockHistory(em: EntityManager): Promise<void> {
    await em.execute(`select pg_advisory_xact_lock(${HISTORY_LOCK_KEY})`);
  }

  /** One history row and the slot's new state, in one statement. */
  async writeChange(
    em: EntityManager,
    change: {
      providerId: string;
      capability: Capability;
      aiModelId: string | null;
      previousAiModelId: string | null;
      version: number;
      actor: string;
      reason?: string | null;
      scheduledChangeId?: string | null;
    },
    /** A statement that commits with this change, run inside this one (Postgres runs every data-modifying WITH part). */
    companion?: SqlStatement,
  ): Promise<ChangeRecord> {
    const rows = await em.execute<Record<string, unknown>[]>(
      `with change as (
         insert into activation_change (provider_id, capability, model_id, previous_model_id, version, changed_by, reason, scheduled_change_id)
         values (?, ?, ?, ?, ?, ?, ?, ?)
         returning *
       )${companion ? `, companion as (${companion.sql})` : ''}
       update activation_slot s
          set model_id = change.model_id, version = change.version,
              activated_at = change.changed_at, activated_by = change.changed_by
         from change
        where s.provider_id = change.provider_id and s.capability = change.capability
       returning change.*`,
      [
        change.providerId,
        change.capability,
        change.aiModelId,
        change.previousAiModelId,
        change.version,
        change.actor,
        change.reason ?? null,
        change.scheduledChangeId ?? null,
        ...(companion?.params ?? []),
      ],
    );
    return rowToChange(rows[0]);
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

  /** The versions of the matching slots (a feed's starting point). */
  async slotVersions(em: EntityManager, filter: HistoryFilter): Promise<{ providerId: string; capability: Capability; version: number }[]> {
    const { where, params } = filterSql(filter);
    const rows = await em.execute<{ provider_id: string; capability: Capability; version: number }[]>(
      `select provider_id, capability, version from activation_slot where ${where}`,
      params,
    );
    return rows.map((r) => ({ providerId: r.provider_id, capability: r.capability, version: Number(r.version) }));
  }

  /** The row id of the model that held a slot at an instant (null: empty then). */
  async holderAt(em: EntityManager, providerId: string, capability: Capability, at: Date): Promise<string | null> {
    // changed_at has microseconds but the API shows milliseconds: compare at the API's precision,
    // so activeModel(at: change.changedAt) includes that change.
    const change = await em.findOne(
      ActivationChange,
      { providerId, capability, changedAt: { $lt: new Date(at.getTime() + 1) } },
      { ...READ_ONLY, orderBy: { version: 'desc' } },
    );
    return change?.aiModelId ?? null;
  }

  /**
   * A page of history, newest first, before `beforeId`; one row more than asked tells whether more
   * follow. changed_at has microseconds and the API shows milliseconds: from: changedAt includes that
   * change, to: changedAt excludes it.
   */
  async historyPage(
    em: EntityManager,
    filter: HistoryFilter & { changedBy?: string; from?: Date; to?: Date },
    beforeId: string | undefined,
    limit: number,
  ): Promise<ChangeRecord[]> {
    const changedAt = { ...(filter.from ? { $gte: filter.from } : {}), ...(filter.to ? { $lt: filter.to } : {}) };
    const changes = await em.find(
      ActivationChange,
      {
        ...(filter.providerId ? { providerId: filter.providerId } : {}),
        ...(filter.capability ? { capability: filter.capability } : {}),
        ...(filter.changedBy !== undefined ? { changedBy: filter.changedBy } : {}),
        ...(filter.from || filter.to ? { changedAt } : {}),
        ...(beforeId === undefined ? {} : { id: { $lt: beforeId } }),
      },
      { ...READ_ONLY, orderBy: { id: 'desc' }, limit },
    );
    return changes.map(entityToChange);
  }

  /** Changes with afterId < id (< beforeId when given) matching the filter, oldest first. */
  async changesAfter(
    em: EntityManager,
    afterId: string,
    options: { beforeId?: string; limit?: number; filter?: HistoryFilter } = {},
  ): Promise<ChangeRecord[]> {
    const { where, params } = filterSql(options.filter ?? {});
    const rows = await em.execute<Record<string, unknown>[]>(
      `select * from activation_change where id > ?${options.beforeId === undefined ? '' : ' and id < ?'} and ${where} order by id${options.limit === undefined ? '' : ` limit ${options.limit}`}`,
      [afterId, ...(options.beforeId === undefined ? [] : [options.beforeId]), ...params],
    );
    return rows.map(rowToChange);
  }

  /** Versions in (after, before) of one slot, oldest first (a feed filling a gap). */
  async slotVersionsBetween(
    em: EntityManager,
    providerId: string,
    capability: Capability,
    after: number,
    before: number,
  ): Promise<ChangeRecord[]> {
    const changes = await em.find(
      ActivationChange,
      { providerId, capability, version: { $gt: after, $lt: before } },
      { ...READ_ONLY, orderBy: { version: 'asc' } },
    );
    return changes.map(entityToChange);
  }

  async lastChangeId(em: EntityManager): Promise<bigint> {
    const rows = await em.execute<{ max: string | null }[]>('select max(id) as max from activation_change');
    return BigInt(rows[0]?.max ?? 0);
  }

  /** Idle, the outbox relay costs this one indexed probe (the partial index on unpublished rows), no transaction. */
  async anyUnpublishedOlderThan(em: EntityManager, graceSeconds: number): Promise<boolean> {
    const rows = await em.execute<unknown[]>(
      `select 1 /* outbox relay probe */ from activation_change
        where published_at is null and changed_at < clock_timestamp() - interval '${graceSeconds} second' limit 1`,
    );
    return rows.length > 0;
  }

  /** Locks a batch of unpublished changes (others' relays skip them). graceSeconds 0: all of them. */
  async lockUnpublished(em: EntityManager, graceSeconds: number, limit: number): Promise<ChangeRecord[]> {
    const age = graceSeconds > 0 ? ` and changed_at < clock_timestamp() - interval '${graceSeconds} second'` : '';
    const rows = await em.execute<Record<string, unknown>[]>(
      `select * from activation_change where published_at is null${age} order by id limit ${limit} for update skip locked`,
    );
    return rows.map(rowToChange);
  }

  async markPublished(em: EntityManager, changes: readonly ChangeRecord[]): Promise<void> {
    if (!changes.length) return;
    await em.execute(
      `update activation_change set published_at = now() where id in (${changes.map(() => '?').join(',')}) and published_at is null`,
      changes.map((c) => c.id),
    );
  }

  async unpublishedCount(em: EntityManager): Promise<number> {
    return em.count(ActivationChange, { publishedAt: null });
  }

  /**
   * For revertSlot: the provider's id, the slot's current version and what version `version` held
   * (`found`: that version exists, or is 0), or undefined when the provider is unknown.
   */
  async versionOf(
    em: EntityManager,
    slug: string,
    capability: Capability,
    version: number,
  ): Promise<{ providerId: string; currentVersion: number; found: boolean; aiModelId: string | null; modelName: string | null } | undefined> {
    // `(?)::int`: values are inlined, and `-2147483648::int` would cast 2147483648 before negating it.
    const [row] = await em.execute<{ provider_id: string; version: number; model_id: string | null; found: boolean; name: string | null }[]>(
      `select p.id as provider_id, s.version, c.model_id, (c.id is not null or (?)::int = 0) as found, m.name
         from provider p
         join activation_slot s on s.provider_id = p.id and s.capability = ?
         left join activation_change c on c.provider_id = p.id and c.capability = s.capability and c.version = ?
         left join ai_model m on m.id = c.model_id
        where p.slug = ?`,
      [version, capability, version, slug],
    );
    return (
      row && { providerId: row.provider_id, currentVersion: Number(row.version), found: row.found, aiModelId: row.model_id, modelName: row.name }
    );
  }

  /** Locks a live model that has `capability` (FOR SHARE, as activateModel locks it); false when there is none. */
  async lockModelFor(em: EntityManager, aiModelId: string, capability: Capability): Promise<boolean> {
    const rows = await em.execute(`select id from ai_model where id = ? and deleted_at is null and ? = any (capabilities) for share`, [
      aiModelId,
      capability,
    ]);
    return rows.length > 0;
  }

  async providerSlug(em: EntityManager, providerId: string): Promise<string | undefined> {
    const [row] = await em.execute<{ slug: string }[]>('select slug from provider where id = ?', [providerId]);
    return row?.slug;
  }
}
