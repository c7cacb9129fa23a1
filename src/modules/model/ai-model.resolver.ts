import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../../graphql/context';
import { Capability } from '../../graphql/enums';
import { DeleteModelPayload } from '../activation/activation.types';
import type { ChangeRecord } from '../activation/change-record';
import { ProviderType } from '../provider/provider.types';
import type { Provider } from '../provider/provider.entity';
import type { AIModel } from './ai-model.entity';
import { AIModelType, CreateModelInput, UpdateModelInput } from './ai-model.types';

@Resolver(() => AIModelType)
export class AIModelResolver {
  @Query(() => AIModelType, { nullable: true, description: 'A model by id; null when unknown or deleted.' })
  model(@Arg('id', () => ID, { description: 'The model id.' }) id: string, @Ctx() ctx: RequestContext): Promise<AIModel | null> {
    return ctx.services.models.liveById(ctx, id);
  }

  @Mutation(() => AIModelType, { description: 'Registers a model; with active: true it also takes its slots. ADMIN only.' })
  createModel(@Arg('input', { description: 'The new model.' }) input: CreateModelInput, @Ctx() ctx: RequestContext): Promise<AIModel> {
    return ctx.services.models.create(ctx, input);
  }

  @Mutation(() => AIModelType, { description: 'Changes a model; a dropped capability it holds empties that slot. ADMIN only.' })
  updateModel(@Arg('input', { description: 'The changes.' }) input: UpdateModelInput, @Ctx() ctx: RequestContext): Promise<AIModel> {
    return ctx.services.models.update(ctx, input);
  }

  @Mutation(() => DeleteModelPayload, { description: 'Soft-deletes a model and empties the slots it held. ADMIN only.' })
  deleteModel(@Arg('id', () => ID, { description: 'The model id.' }) id: string, @Ctx() ctx: RequestContext): Promise<{ id: string; changes: ChangeRecord[] }> {
    return ctx.services.models.delete(ctx, id);
  }

  @FieldResolver(() => ProviderType, { description: 'The provider of the model.' })
  async provider(@Root() model: AIModel, @Ctx() ctx: RequestContext): Promise<Provider> {
    return (await ctx.loaders.providerById.load(model.providerId))!;
  }

  @FieldResolver(() => Boolean, { description: 'Whether the model holds at least one slot.' })
  async isActive(@Root() model: AIModel, @Ctx() ctx: RequestContext): Promise<boolean> {
    return (await ctx.services.models.activeCapabilities(ctx, model)).length > 0;
  }

  @FieldResolver(() => [Capability], { description: 'The capabilities whose slot this model holds.' })
  activeCapabilities(@Root() model: AIModel, @Ctx() ctx: RequestContext): Promise<Capability[]> {
    return ctx.services.models.activeCapabilities(ctx, model);
  }
}
