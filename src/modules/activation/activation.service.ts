import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { isUuid } from '../../common/ids';
import { sortCapabilities, type Capability } from '../../common/capability';
import { ConflictError, NotFoundError, UserInputError } from '../../common/errors';
import type { Transaction, TransactionRunner } from '../../db/transaction';
import type { Actor } from '../auth/actor';
import { AIModel } from '../model/ai-model.entity';
import { slotsChanged } from './activation-events';
import type { ActivationRepository } from './activation.repository';
import type { ChangeRecord } from './change-record';

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
  ) {}

  async activate(actor: Actor, input: { modelId: string; capabilities?: Capability[] | null; expectedVersion?: number | null }): Promise<ActivateResult> {
    const result = await this.transactions.run(async (tx) => {
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
      );
      return { model, changes };
    });
    const displacedAiModelIds = [...new Set(result.changes.map((c) => c.previousAiModelId).filter((id): id is string => !!id))];
    return { ...result, displacedAiModelIds };
  }

  async deactivate(actor: Actor, input: { modelId: string; capabilities?: Capability[] | null }): Promise<{ model: AIModel; changes: ChangeRecord[] }> {
    return this.transactions.run(async (tx) => {
      const model = await this.lockModel(tx.em, input.modelId);
      for (const c of input.capabilities ?? []) {
        if (!model.capabilities.includes(c)) {
          throw new UserInputError('model.lacksCapability', { name: model.name, capability: c }, 'capabilities');
        }
      }
      const changes = await this.vacate(tx, model, input.capabilities ?? model.capabilities, actor.name);
      return { model, changes };
    });
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
  vacate(tx: Transaction, model: AIModel, capabilities: readonly Capability[], actor: string): Promise<ChangeRecord[]> {
    return this.changeSlots(
      tx,
      model.providerId,
      capabilities.map((capability) => ({ capability, aiModelId: null, onlyIfHeldBy: model.id })),
      actor,
    );
  }

  /**
   * Locks the provider's target slots in capability order (so concurrent callers queue instead of
   * deadlocking), applies compare-and-swap when `expectedVersion` is given, and writes history +
   * slot for each slot that really changes.
   */
  async changeSlots(tx: Transaction, providerId: string, targets: SlotTarget[], actor: string, expectedVersion?: number): Promise<ChangeRecord[]> {
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

    await this.repository.lockHistory(em);
    const changes: ChangeRecord[] = [];
    for (const slot of pending) {
      changes.push(
        await this.repository.writeChange(em, {
          providerId,
          capability: slot.capability,
          aiModelId: byCapability.get(slot.capability)!.aiModelId,
          previousAiModelId: slot.model_id,
          version: slot.version + 1,
          actor,
        }),
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
