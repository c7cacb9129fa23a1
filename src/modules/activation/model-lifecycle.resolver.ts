import { Arg, Authorized, Ctx, ID, Mutation, Resolver } from 'type-graphql';
import { Role } from '../../common/role';
import type { AIModel } from '../model/ai-model.entity';
import { AIModelType, CreateModelInput, UpdateModelInput } from '../model/ai-model.types';
import { actorOf, type RequestContext } from '../shared/request-context';
import { DeleteModelPayload } from './activation.types';
import type { ChangeRecord } from './change-record';
import type { ModelLifecycleService } from './model-lifecycle.service';

/** The model mutations, which may move slots (so they live with activation). */
@Resolver()
export class ModelLifecycleResolver {
  constructor(private readonly lifecycle: ModelLifecycleService) {}

  @Authorized(Role.ADMIN)
  @Mutation(() => AIModelType, { description: 'Registers a model; with active: true it also takes its slots. ADMIN only.' })
  createModel(@Arg('input', { description: 'The new model.' }) input: CreateModelInput, @Ctx() ctx: RequestContext): Promise<AIModel> {
    return this.lifecycle.create(actorOf(ctx), input);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => AIModelType, { description: 'Changes a model; a dropped capability it holds empties that slot. ADMIN only.' })
  updateModel(@Arg('input', { description: 'The changes.' }) input: UpdateModelInput, @Ctx() ctx: RequestContext): Promise<AIModel> {
    return this.lifecycle.update(actorOf(ctx), input);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => DeleteModelPayload, { description: 'Soft-deletes a model and empties the slots it held. ADMIN only.' })
  deleteModel(
    @Arg('id', () => ID, { description: 'The model id.' }) id: string,
    @Ctx() ctx: RequestContext,
  ): Promise<{ id: string; changes: ChangeRecord[] }> {
    return this.lifecycle.delete(actorOf(ctx), id);
  }
}
