import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { isUuid } from '../../common/ids';
import { sortCapabilities, type Capability } from '../../common/capability';
import { ConflictError, NotFoundError, UserInputError } from '../../common/errors';
import type { SqlStatement } from '../../db/sql';
import type { Transaction, TransactionRunner } from '../../db/transaction';
import type { Actor } from '../auth/actor';
import { AIModel } from '../model/ai-model.entity';
import { slotsChanged } from './activation-events';
import type { ActivationRepository } from './activation.repository';
import type { ChangeRecord } from './change-record';
import { normalizeReason } from './reason';
import { AuditAction } from '../audit/audit-action';
import { slotChanges } from '../audit/audit-details';
import type { AuditService } from '../audit/audit.service';

/** A slot change as known once its slot is locked, before it is written (no id or time yet). */
export type PlannedChange = Pick<ChangeRecord, 'capability' | 'version' | 'previousAiModelId' | 'aiModelId'>;

/** What a change records besides its slot: why, and the scheduled switch that made it. */
export interface ChangeNote {
  reason?: string | null;
  scheduledChangeId?: string | null;
  /**
   * What commits with the changes (their audit event), sent inside the statement that writes the last
   * change: the slot locks and the history lock serialize writers until commit, so a statement of its
   * own there would cost every writer a round trip.
   */
  companion?: (planned: PlannedChange[]) => SqlStatement;
}

export interface ActivateInput {
  modelId: string;
  capabilities?: Capability[] | null;
  expectedVersion?: number | null;
  reason?: string | null;
}

/** One slot's wanted holder (a model row id, or null: empty); `onlyIfHeldBy` makes emptying conditional on the current holder. */
export interface SlotTarget {
  capability: Capability;
  aiModelId: string | null;
  onlyIfHeldBy?: string;
}

export interface ActivateResult {
  model: AIModel;
  changes: ChangeRecord[];
  /** Row ids of the models displaced from the slots. */
  displacedAiModelIds: string[];
}

/**
 * The one place slots change. Every caller (activate, deactivate, createModel(active), updateModel,
 * deleteModel) goes through `changeSlots`: slots are locked in capability order, each changed
 * slot gets its new holder, version + 1 and a history row, and a call that changes nothing writes nothing.
 * The changes are emitted on the transaction: the commit listeners publish them and refresh the caches.
 */
export class ActivationService {
  constructor(
    private readonly transactions: TransactionRunner,
    private readonly repository: ActivationRepository,
    private readonly audit: AuditService,
  ) {}

  /** activateModel: the model takes its slots; one audit event when something changed (in the same transaction). */
  async activate(actor: Actor, input: ActivateInput): Promise<ActivateResult> {
    const reason = normalizeReason(input.reason);
    const result = await this.transactions.run((tx) =>
      this.activateInTransaction(tx, actor, {
        ...input,
        reason,
        companion: (model, changes) =>
          this.audit.statement(actor, {
            action: AuditAction.MODEL_ACTIVATED,
            targetType: 'model',
            targetId: model.id,
            providerId: model.providerId,
            summary: { model: model.name, capabilities: changes.map((c) => c.capability).join(', '), reason },
            details: {
              model: model.name,
              modelId: model.id,
              expectedVersion: input.expectedVersion ?? null,
              reason,
              changes: slotChanges(changes),
            },
          }),
      }),
    );
    return { ...result, displacedAiModelIds: displaced(result.changes) };
  }

  /**
   * activateModel's checks and slot changes inside the caller's transaction, as `actor` (also how a
   * scheduled switch applies): the live model, each capability one of its own, expectedVersion on
   * exactly one slot. Writes no audit event: the caller records what it did, best as the `companion`.
   */
  async activateInTransaction(
    tx: Transaction,
    actor: { name: string },
    input: ActivateInput & Omit<ChangeNote, 'companion'> & { companion?: (model: AIModel, planned: PlannedChange[]) => SqlStatement },
  ): Promise<{ model: AIModel; changes: ChangeRecord[] }> {
    const model = await this.lockModel(tx.em, input.modelId);
    const capabilities = input.capabilities ?? model.capabilities;
    for (const c of capabilities) {
      if (!model.capabilities.includes(c)) {
        throw new UserInputError('model.lacksCapability', { name: model.name, capability: c }, 'capabilities');
      }
    }
    if (input.expectedVersion !== undefined && input.expectedVersion !== null && capabilities.length !== 1) {
      throw new UserInputError('activation.expectedVersionNeedsOneCapability', { count: capabilities.length }, 'expectedVersion');
    }
    const changes = await this.changeSlots(
      tx,
      model.providerId,
      capabilities.map((capability) => ({ capability, aiModelId: model.id })),
      actor.name,
      input.expectedVersion ?? undefined,
      {
        reason: input.reason,
        scheduledChangeId: input.scheduledChangeId,
        companion: input.companion && ((planned) => input.companion!(model, planned)),
      },
    );
    return { model, changes };
  }

  async deactivate(
    actor: Actor,
    input: { modelId: string; capabilities?: Capability[] | null; reason?: string | null },
  ): Promise<{ model: AIModel; changes: ChangeRecord[] }> {
    const reason = normalizeReason(input.reason);
    return this.transactions.run(async (tx) => {
      const model = await this.lockModel(tx.em, input.modelId);
      for (const c of input.capabilities ?? []) {
        if (!model.capabilities.includes(c)) {
          throw new UserInputError('model.lacksCapability', { name: model.name, capability: c }, 'capabilities');
        }
      }
      const changes = await this.vacate(tx, model, input.capabilities ?? model.capabilities, actor.name, {
        reason,
        companion: (planned) =>
          this.audit.statement(actor, {
            action: AuditAction.MODEL_DEACTIVATED,
            targetType: 'model',
            targetId: model.id,
            providerId: model.providerId,
            summary: { model: model.name, capabilities: planned.map((c) => c.capability).join(', '), reason },
            details: { model: model.name, modelId: model.id, reason, changes: slotChanges(planned) },
          }),
      });
      return { model, changes };
    });
  }

  /**
   * revertSlot: the slot goes back to the model it held at `toVersion` (empty when it was empty
   * then), as a new change through the same path as every other (locks, compare-and-swap, history,
   * events). 0 <= toVersion < current version, else BAD_USER_INPUT; a model deleted since or without
   * the capability: CONFLICT. Reverting to what the slot holds changes nothing.
   */
  async revert(
    actor: Actor,
    input: { provider: string; capability: Capability; toVersion: number; expectedVersion?: number | null; reason?: string | null },
  ): Promise<{ changes: ChangeRecord[]; displacedAiModelIds: string[] }> {
    const reason = normalizeReason(input.reason);
    const changes = await this.transactions.run(async (tx) => {
      const target = await this.repository.versionOf(tx.em, input.provider, input.capability, input.toVersion);
      if (!target) throw new NotFoundError('provider.notFound', { slug: input.provider });
      if (!Number.isInteger(input.toVersion) || input.toVersion < 0 || input.toVersion >= target.currentVersion || !target.found) {
        throw new UserInputError(
          'revert.versionRange',
          {
            provider: input.provider,
            capability: input.capability,
            max: Math.max(0, target.currentVersion - 1),
            current: target.currentVersion,
          },
          'toVersion',
        );
      }
      const aiModelId = input.toVersion === 0 ? null : target.aiModelId;
      // The model must still be able to hold the slot; it is locked as activateModel locks it.
      if (aiModelId !== null && !(await this.repository.lockModelFor(tx.em, aiModelId, input.capability))) {
        throw new ConflictError('revert.modelUnavailable', {
          provider: input.provider,
          capability: input.capability,
          toVersion: input.toVersion,
          name: target.modelName ?? aiModelId,
        });
      }
      return this.changeSlots(
        tx,
        target.providerId,
        [{ capability: input.capability, aiModelId }],
        actor.name,
        input.expectedVersion ?? undefined,
        {
          reason,
          // One slot: one planned change.
          companion: ([c]) =>
            this.audit.statement(actor, {
              action: AuditAction.SLOT_REVERTED,
              targetType: 'slot',
              targetId: `${input.provider}/${input.capability}`,
              providerId: target.providerId,
              summary: { capability: input.capability, toVersion: input.toVersion, model: target.modelName, reason },
              details: {
                capability: input.capability,
                toVersion: input.toVersion,
                expectedVersion: input.expectedVersion ?? null,
                reason,
                before: { version: c.version - 1, modelId: c.previousAiModelId },
                after: { version: c.version, modelId: c.aiModelId },
              },
            }),
        },
      );
    });
    return { changes, displacedAiModelIds: displaced(changes) };
  }

  /** Gives `model` these slots (createModel with active: true). Inside the caller's transaction. */
  assign(tx: Transaction, model: AIModel, capabilities: readonly Capability[], actor: string): Promise<ChangeRecord[]> {
    return this.changeSlots(
      tx,
      model.providerId,
      capabilities.map((capability) => ({ capability, aiModelId: model.id })),
      actor,
    );
  }

  /** Empties the given slots where `model` holds them (delete, dropped capabilities, deactivate). Inside the caller's transaction. */
  vacate(tx: Transaction, model: AIModel, capabilities: readonly Capability[], actor: string, note: ChangeNote = {}): Promise<ChangeRecord[]> {
    return this.changeSlots(
      tx,
      model.providerId,
      capabilities.map((capability) => ({ capability, aiModelId: null, onlyIfHeldBy: model.id })),
      actor,
      undefined,
      note,
    );
  }

  /**
   * Locks the provider's target slots in capability order (so concurrent callers queue instead of
   * deadlocking), applies compare-and-swap when `expectedVersion` is given, and writes history +
   * slot for each slot that really changes.
   */
  async changeSlots(
    tx: Transaction,
    providerId: string,
    targets: SlotTarget[],
    actor: string,
    expectedVersion?: number,
    note: ChangeNote = {},
  ): Promise<ChangeRecord[]> {
    if (targets.length === 0) return [];
    const { em } = tx;
    const byCapability = new Map(targets.map((t) => [t.capability, t]));
    const capabilities = sortCapabilities([...byCapability.keys()]);
    const slots = await this.repository.lockSlots(em, providerId, capabilities);
    if (expectedVersion !== undefined) {
      const actual = slots[0]?.version ?? 0;
      if (actual !== expectedVersion) {
        const slug = await this.repository.providerSlug(em, providerId);
        throw new ConflictError(
          'activation.versionConflict',
          { provider: slug ?? providerId, capability: capabilities[0], actual, expected: expectedVersion },
          { actualVersion: actual },
        );
      }
    }
    const pending = slots.filter((slot) => {
      const target = byCapability.get(slot.capability)!;
      if (target.onlyIfHeldBy !== undefined && slot.model_id !== target.onlyIfHeldBy) return false;
      return slot.model_id !== target.aiModelId;
    });
    if (pending.length === 0) return [];

    const planned: PlannedChange[] = pending.map((slot) => ({
      capability: slot.capability,
      version: slot.version + 1,
      previousAiModelId: slot.model_id,
      aiModelId: byCapability.get(slot.capability)!.aiModelId,
    }));
    const companion = note.companion?.(planned);
    await this.repository.lockHistory(em);
    const changes: ChangeRecord[] = [];
    for (const [i, change] of planned.entries()) {
      changes.push(
        await this.repository.writeChange(
          em,
          { ...change, providerId, actor, reason: note.reason, scheduledChangeId: note.scheduledChangeId },
          i === planned.length - 1 ? companion : undefined,
        ),
      );
    }
    tx.emit(slotsChanged(changes));
    return changes;
  }

  private async lockModel(em: EntityManager, id: string): Promise<AIModel> {
    const model = isUuid(id) ? await em.findOne(AIModel, { id }, { lockMode: LockMode.PESSIMISTIC_READ }) : null;
    if (!model) throw new NotFoundError('model.notFound', { id });
    return model;
  }
}

/** The models displaced by these changes (each once). */
function displaced(changes: readonly ChangeRecord[]): string[] {
  return [...new Set(changes.map((c) => c.previousAiModelId).filter((id): id is string => !!id))];
}
