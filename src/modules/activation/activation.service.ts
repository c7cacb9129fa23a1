import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { isUuid } from '../../common/ids';
import type { Logger } from 'pino';
import { sortCapabilities, type Capability } from '../../common/capability';
import { ConflictError, NotFoundError, UserInputError } from '../../common/errors';
import { inTransaction } from '../../db/transaction';
import { pgArray } from '../../db/sql';
import type { AuthService, AuthContext } from '../auth/auth.service';
import { AIModel } from '../model/ai-model.entity';
import { rowToChange, type ChangeListener, type ChangeRecord } from './change-record';

/** One slot's wanted holder; `onlyIfHeldBy` makes emptying conditional on the current holder. */
export interface SlotTarget {
  capability: Capability;
  modelId: string | null;
  onlyIfHeldBy?: string;
}

/** Serializes the assignment of history ids to commit order across all slots (see ActivationChange). */
const HISTORY_LOCK_KEY = 7_310_001;

export interface ActivateResult {
  model: AIModel;
  changes: ChangeRecord[];
  deactivatedIds: string[];
}

/**
 * The one place slots change. Every caller (activate, deactivate, createModel(active), updateModel,
 * deleteModel) goes through `applyInTransaction`: slots are locked in capability order, each changed
 * slot gets its new holder, version + 1 and a history row, and a call that changes nothing writes nothing.
 */
export class ActivationService {
  constructor(
    private readonly auth: AuthService,
    private readonly listener: ChangeListener,
    private readonly log: Logger,
  ) {}

  async activate(
    ctx: AuthContext,
    input: { modelId: string; capabilities?: Capability[] | null; expectedVersion?: number | null },
  ): Promise<ActivateResult> {
    const actor = this.auth.requireAdmin(ctx, 'activateModel');
    const result = await inTransaction(ctx.em, async (em) => {
      const model = await this.lockModel(em, input.modelId);
      const capabilities = input.capabilities ?? model.capabilities;
      for (const c of capabilities) {
        if (!model.capabilities.includes(c)) {
          throw new UserInputError('model.lacksCapability', { name: model.name, capability: c }, 'capabilities');
        }
      }
      if (input.expectedVersion !== undefined && input.expectedVersion !== null && capabilities.length !== 1) {
        throw new UserInputError('activation.expectedVersionNeedsOneCapability', { count: capabilities.length }, 'expectedVersion');
      }
      const changes = await this.applyInTransaction(
        em,
        model.providerId,
        capabilities.map((capability) => ({ capability, modelId: model.id })),
        actor.name,
        input.expectedVersion ?? undefined,
      );
      return { model, changes };
    });
    await this.committed(result.changes, [result.model.providerId]);
    const deactivatedIds = [...new Set(result.changes.map((c) => c.previousModelId).filter((id): id is string => !!id))];
    return { ...result, deactivatedIds };
  }

  async deactivate(ctx: AuthContext, input: { modelId: string; capabilities?: Capability[] | null }) {
    const actor = this.auth.requireAdmin(ctx, 'deactivateModel');
    const result = await inTransaction(ctx.em, async (em) => {
      const model = await this.lockModel(em, input.modelId);
      for (const c of input.capabilities ?? []) {
        if (!model.capabilities.includes(c)) {
          throw new UserInputError('model.lacksCapability', { name: model.name, capability: c }, 'capabilities');
        }
      }
      const changes = await this.vacate(em, model, input.capabilities ?? model.capabilities, actor.name);
      return { model, changes };
    });
    await this.committed(result.changes, [result.model.providerId]);
    return result;
  }

  /** Empties the given slots where `model` holds them (delete, dropped capabilities, deactivate). */
  vacate(em: EntityManager, model: AIModel, capabilities: readonly Capability[], actor: string): Promise<ChangeRecord[]> {
    return this.applyInTransaction(
      em,
      model.providerId,
      capabilities.map((capability) => ({ capability, modelId: null, onlyIfHeldBy: model.id })),
      actor,
    );
  }

  /**
   * Must run inside `em`'s transaction. Locks the provider's target slots in capability order
   * (so concurrent callers queue instead of deadlocking), applies compare-and-swap when
   * `expectedVersion` is given, and writes history + slot for each slot that really changes.
   */
  async applyInTransaction(
    em: EntityManager,
    providerId: string,
    targets: SlotTarget[],
    actor: string,
    expectedVersion?: number,
  ): Promise<ChangeRecord[]> {
    if (targets.length === 0) return [];
    const byCapability = new Map(targets.map((t) => [t.capability, t]));
    const capabilities = sortCapabilities([...byCapability.keys()]);
    const slots = await em.execute<{ capability: Capability; model_id: string | null; version: number }[]>(
      `select capability, model_id, version from activation_slot
        where provider_id = ? and capability = any(?::text[])
        order by capability_rank(capability)
        for update`,
      [providerId, pgArray(capabilities)],
    );
    if (expectedVersion !== undefined) {
      const slot = slots[0];
      const actual = slot?.version ?? 0;
      if (actual !== expectedVersion) {
        const [provider] = await em.execute<{ slug: string }[]>('select slug from provider where id = ?', [providerId]);
        throw new ConflictError(
          'activation.versionConflict',
          { provider: provider?.slug ?? providerId, capability: capabilities[0], actual, expected: expectedVersion },
          { actualVersion: actual },
        );
      }
    }
    const pending = slots.filter((slot) => {
      const target = byCapability.get(slot.capability)!;
      if (target.onlyIfHeldBy !== undefined && slot.model_id !== target.onlyIfHeldBy) return false;
      return slot.model_id !== target.modelId;
    });
    if (pending.length === 0) return [];

    await em.execute(`select pg_advisory_xact_lock(${HISTORY_LOCK_KEY})`);
    const changes: ChangeRecord[] = [];
    for (const slot of pending) {
      const target = byCapability.get(slot.capability)!;
      const rows = await em.execute<Record<string, unknown>[]>(
        `with change as (
           insert into activation_change (provider_id, capability, model_id, previous_model_id, version, changed_by)
           values (?, ?, ?, ?, ?, ?)
           returning *
         )
         update activation_slot s
            set model_id = change.model_id, version = change.version,
                activated_at = change.changed_at, activated_by = change.changed_by
           from change
          where s.provider_id = change.provider_id and s.capability = change.capability
         returning change.*`,
        [providerId, slot.capability, target.modelId, slot.model_id, slot.version + 1, actor],
      );
      changes.push(rowToChange(rows[0]));
    }
    return changes;
  }

  /** Post-commit: listeners publish and invalidate. Their failure must not undo a committed change. */
  async committed(changes: ChangeRecord[], providerIds: string[]): Promise<void> {
    try {
      await this.listener.changesCommitted(changes, providerIds);
    } catch (e) {
      this.log.error({ err: e }, 'change listener failed after commit; the outbox relay will retry');
    }
  }

  private async lockModel(em: EntityManager, id: string): Promise<AIModel> {
    const model = isUuid(id)
      ? await em.findOne(AIModel, { id, deletedAt: null }, { lockMode: LockMode.PESSIMISTIC_READ })
      : null;
    if (!model) throw new NotFoundError('model.notFound', { id });
    return model;
  }
}
