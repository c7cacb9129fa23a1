import { Arg, Ctx, FieldResolver, ID, Query, Resolver, Root } from 'type-graphql';
import { ProviderType } from '../provider/provider.types';
import type { Provider } from '../provider/provider.entity';
import type { RequestContext } from '../shared/request-context';
import type { AIModel } from './ai-model.entity';
import type { AIModelService } from './ai-model.service';
import { AIModelType } from './ai-model.types';

@Resolver(() => AIModelType)
export class AIModelResolver {
  constructor(private readonly models: AIModelService) {}

  @Query(() => AIModelType, { nullable: true, description: 'A model by id; null when unknown or deleted.' })
  model(@Arg('id', () => ID, { description: 'The model id.' }) id: string, @Ctx() ctx: RequestContext): Promise<AIModel | null> {
    return this.models.liveById(ctx, id);
  }

  @FieldResolver(() => ProviderType, { description: 'The provider of the model.' })
  async provider(@Root() model: AIModel, @Ctx() ctx: RequestContext): Promise<Provider> {
    return (await ctx.loaders.providerById.load(model.providerId))!;
  }
}

/** Provider.models belongs to this module (a provider knows nothing of models). */
@Resolver(() => ProviderType)
export class ProviderModelsResolver {
  @FieldResolver(() => [AIModelType], { description: 'The models of this provider (deleted ones excluded), by name.' })
  models(@Root() provider: Provider, @Ctx() ctx: RequestContext): Promise<AIModel[]> {
    return ctx.loaders.liveModelsByProviderId.load(provider.id);
  }
}
