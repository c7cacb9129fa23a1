import type { EntityManager } from '@mikro-orm/postgresql';
import type { Capability } from '../../common/capability';
import { NotFoundError, UserInputError } from '../../common/errors';
import { isUuid } from '../../common/ids';
import type { ActivationService } from '../activation/activation.service';
import { AIModel } from '../model/ai-model.entity';
import type { ScheduleActivation } from './schedule.service';

/** activateModel's checks (at scheduling time, nothing locked) and its single activation path (when due). */
export function scheduleActivationOf(activation: ActivationService): ScheduleActivation {
  return {
    async check(em: EntityManager, input: { modelId: string; capabilities?: Capability[] | null; expectedVersion?: number | null }) {
      const model = isUuid(input.modelId) ? await em.findOne(AIModel, { id: input.modelId, deletedAt: null }) : null;
      if (!model) throw new NotFoundError('model.notFound', { id: input.modelId });
      const capabilities = input.capabilities ?? model.capabilities;
      for (const c of capabilities) {
        if (!model.capabilities.includes(c))
          throw new UserInputError('model.lacksCapability', { name: model.name, capability: c }, 'capabilities');
      }
      if (input.expectedVersion != null && capabilities.length !== 1) {
        throw new UserInputError('activation.expectedVersionNeedsOneCapability', { count: capabilities.length }, 'expectedVersion');
      }
      return { aiModelId: model.id, providerId: model.providerId, capabilities };
    },
    async applyInTransaction(tx, actor, input) {
      return (await activation.activateInTransaction(tx, actor, input)).changes;
    },
  };
}
