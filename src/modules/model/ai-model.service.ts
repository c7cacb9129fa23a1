import type { EntityManager } from '@mikro-orm/postgresql';
import type { Capability } from '../../common/capability';
import { NotFoundError } from '../../common/errors';
import { isUuid } from '../../common/ids';
import type { RequestScope } from '../shared/request-context';
import { AIModel, LIVE_MODELS } from './ai-model.entity';

export interface CreateModelData {
  provider: string;
  name: string;
  modelId: string;
  displayName?: string | null;
  capabilities: Capability[];
  active?: boolean | null;
}

export interface UpdateModelData {
  id: string;
  modelId?: string | null;
  displayName?: string | null;
  capabilities?: Capability[] | null;
}

/**
 * AI model rows: lookups and row-level edits inside a caller's transaction. Changes that also move
 * slots (create active, drop a held capability, delete) are orchestrated by activation's
 * ModelLifecycleService. Deleted models are hidden by the LIVE_MODELS filter unless asked for.
 */
export class AIModelService {
  /** A live model by id through the request's loader; null when unknown, malformed or deleted. */
  async liveById(scope: RequestScope, id: string): Promise<AIModel | null> {
    const model = isUuid(id) ? await scope.loaders.modelById.load(id) : null;
    return model && !model.deletedAt ? model : null;
  }

  async findByNameOrFail(em: EntityManager, providerId: string, providerSlug: string, name: string): Promise<AIModel> {
    const model = await em.findOne(AIModel, { providerId, name });
    if (!model) throw new NotFoundError('model.notFoundByName', { provider: providerSlug, name });
    return model;
  }

  /** Any models by id, deleted ones included (history keeps pointing at them). */
  findByIds(em: EntityManager, ids: readonly string[]): Promise<AIModel[]> {
    return em.find(AIModel, { id: { $in: [...ids] } }, { filters: { [LIVE_MODELS]: false } });
  }

  listLiveByProviders(em: EntityManager, providerIds: readonly string[]): Promise<AIModel[]> {
    return em.find(AIModel, { providerId: { $in: [...providerIds] } }, { orderBy: { name: 'asc' } });
  }

  /** A new model row (flushed: slot changes refer to it). */
  async insert(em: EntityManager, providerId: string, input: CreateModelData): Promise<AIModel> {
    const model = em.create(AIModel, {
      providerId,
      name: input.name,
      modelId: input.modelId,
      displayName: input.displayName ?? input.name,
      capabilities: input.capabilities,
    });
    await em.flush();
    return model;
  }

  /** Applies the edits; returns the capabilities the model no longer has. */
  async applyEdits(em: EntityManager, model: AIModel, input: UpdateModelData): Promise<Capability[]> {
    if (input.modelId != null) model.modelId = input.modelId;
    if (input.displayName != null) model.displayName = input.displayName;
    let dropped: Capability[] = [];
    if (input.capabilities != null) {
      dropped = model.capabilities.filter((c) => !input.capabilities!.includes(c));
      model.capabilities = input.capabilities;
    }
    model.updatedAt = new Date();
    await em.flush();
    return dropped;
  }

  async markDeleted(em: EntityManager, model: AIModel): Promise<void> {
    model.deletedAt = new Date();
    await em.flush();
  }

  /** A live model, locked against concurrent edits and activations, or NOT_FOUND. */
  async lockLive(em: EntityManager, id: string): Promise<AIModel> {
    // FOR NO KEY UPDATE, not FOR UPDATE: it still excludes activations of this model (FOR SHARE), but
    // not the key-share lock a concurrent activation takes when its history row names this model as
    // previous holder; FOR UPDATE deadlocked with it (we wait for its slot, it waits for our row).
    // Raw because MikroORM's LockMode has no NO KEY UPDATE.
    const locked = isUuid(id) ? await em.execute('select id from ai_model where id = ? and deleted_at is null for no key update', [id]) : [];
    const model = locked.length ? await em.findOne(AIModel, { id }) : null;
    if (!model) throw new NotFoundError('model.notFound', { id });
    return model;
  }
}
