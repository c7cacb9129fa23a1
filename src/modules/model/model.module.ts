import { AIModelResolver, ProviderModelsResolver } from './ai-model.resolver';
import { AIModelService } from './ai-model.service';

export interface ModelServices {
  models: AIModelService;
}

/** AI model rows and their read API; the mutations that move slots are activation's (ModelLifecycleService). */
export function createModelModule() {
  const services: ModelServices = { models: new AIModelService() };
  return { services, resolvers: modelResolvers(services) };
}

export function modelResolvers(s: ModelServices): object[] {
  return [new AIModelResolver(s.models), new ProviderModelsResolver()];
}
