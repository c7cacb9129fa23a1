import type { EntityManager } from '@mikro-orm/postgresql';
import { LockMode } from '@mikro-orm/core';
import type { Capability } from '../../common/capability';
import { NotFoundError, UserInputError } from '../../common/errors';
import { isUuid } from '../../common/ids';
import type { ActivationService } from '../activation/activation.service';
import { AIModel } from '../model/ai-model.entity';
import type { ScheduleActivation } from './schedule.service';

/** activateModel's checks and its single activation path, for scheduled switches. */
export function scheduleActivationOf(activation: ActivationService): ScheduleActivation {
  const checkModel = async (em: EntityManager, input: { modelId: string; capabilities?: Capability[] | null; expectedVersion?: number | null }, lock: boolean) => {
    const model = isUuid(input.modelId)
      ? await em.findOne(AIModel, { id: input.modelId, deletedAt: null }, lock ? { lockMode: LockMode.PESSIMISTIC_READ } : {})
      : null;
    if (!model) throw new NotFoundError('model.notFound', { id: input.modelId });
    const capabilities = input.capabilities ?? model.capabilities;
    for (const c of capabilities) {
      if (!model.capabilities.includes(c)) throw new UserInputError('model.lacksCapability', { name: model.name, capability: c }, 'capabilities');
    }
    if (input.expectedVersion != null && capabilities.length !== 1) {
      throw new UserInputError('activation.expectedVersionNeedsOneCapability', { count: capabilities.length }, 'expectedVersion');
    }
    return { model, capabilities };
  };
  return {
    async check(em, input) {
      const { model, capabilities } = await checkModel(em, input, false);
      return { modelId: model.id, providerId: model.providerId, capabilities };
    },
    async applyInTransaction(em, actor, input) {
      const { model, capabilities } = await checkModel(em, input, true);
      return activation.applyInTransaction(
        em,
        model.providerId,
        capabilities.map((capability) => ({ capability, modelId: model.id })),
        actor.name,
        input.expectedVersion ?? undefined,
      );
    },
  };
}
