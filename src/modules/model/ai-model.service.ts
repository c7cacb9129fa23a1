import type { EntityManager } from '@mikro-orm/postgresql';
import type { Capability } from '../../common/capability';
import { ConflictError, NotFoundError } from '../../common/errors';
import { isUuid } from '../../common/ids';
import { inTransaction, isUniqueViolation } from '../../db/transaction';
import type { ActivationService } from '../activation/activation.service';
import type { ChangeRecord } from '../activation/change-record';
import type { AuthContext, AuthService } from '../auth/auth.service';
import type { RequestContext } from '../../graphql/context';
import type { ProviderService } from '../provider/provider.service';
import { AIModel } from './ai-model.entity';

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

/** AI models: registration, edits and soft deletion; slot changes are delegated to ActivationService. */
export class AIModelService {
  constructor(
    private readonly auth: AuthService,
    private readonly providers: ProviderService,
    private readonly activation: ActivationService,
  ) {}

  async create(ctx: AuthContext, input: CreateModelData): Promise<AIModel> {
    const actor = this.auth.requireAdmin(ctx, 'createModel');
    const provider = await this.providers.findBySlugOrFail(ctx.em, input.provider);
    let result: { model: AIModel; changes: ChangeRecord[] };
    try {
      result = await inTransaction(ctx.em, async (em) => {
        const model = em.create(AIModel, {
          providerId: provider.id,
          name: input.name,
          modelId: input.modelId,
          displayName: input.displayName ?? input.name,
          capabilities: input.capabilities,
        });
        await em.flush();
        const changes = input.active
          ? await this.activation.applyInTransaction(
              em,
              provider.id,
              input.capabilities.map((capability) => ({ capability, modelId: model.id })),
              actor.name,
            )
          : [];
        return { model, changes };
      });
    } catch (e) {
      if (isUniqueViolation(e)) throw new ConflictError('model.nameTaken', { provider: input.provider, name: input.name });
      throw e;
    }
    await this.activation.committed(result.changes, [provider.id]);
    return result.model;
  }

  async update(ctx: AuthContext, input: UpdateModelData): Promise<AIModel> {
    const actor = this.auth.requireAdmin(ctx, 'updateModel');
    const { model, changes } = await inTransaction(ctx.em, async (em) => {
      const found = await this.lockLive(em, input.id);
      if (input.modelId != null) found.modelId = input.modelId;
      if (input.displayName != null) found.displayName = input.displayName;
      let dropped: Capability[] = [];
      if (input.capabilities != null) {
        dropped = found.capabilities.filter((c) => !input.capabilities!.includes(c));
        found.capabilities = input.capabilities;
      }
      found.updatedAt = new Date();
      await em.flush();
      // A dropped capability the model holds empties that slot: a change like any other.
      const vacated = dropped.length ? await this.activation.vacate(em, found, dropped, actor.name) : [];
      return { model: found, changes: vacated };
    });
    await this.activation.committed(changes, [model.providerId]);
    return model;
  }

  async delete(ctx: AuthContext, id: string): Promise<{ id: string; changes: ChangeRecord[] }> {
    const actor = this.auth.requireAdmin(ctx, 'deleteModel');
    const { model, changes } = await inTransaction(ctx.em, async (em) => {
      const found = await this.lockLive(em, id);
      const vacated = await this.activation.vacate(em, found, found.capabilities, actor.name);
      found.deletedAt = new Date();
      await em.flush();
      return { model: found, changes: vacated };
    });
    await this.activation.committed(changes, [model.providerId]);
    return { id: model.id, changes };
  }

  /** A live model by id through the request's loader; null when unknown, malformed or deleted. */
  async liveById(ctx: RequestContext, id: string): Promise<AIModel | null> {
    const model = isUuid(id) ? await ctx.loaders.modelById.load(id) : null;
    return model && !model.deletedAt ? model : null;
  }

  /** The capabilities whose slot `model` holds, in enum order (from the provider's batched slots). */
  async activeCapabilities(ctx: RequestContext, model: AIModel): Promise<Capability[]> {
    const slots = await ctx.loaders.slotsByProviderId.load(model.providerId);
    return slots.filter((s) => s.modelId === model.id).map((s) => s.capability);
  }

  /** A live (not deleted) model, or null; malformed ids are simply not found. */
  findLive(em: EntityManager, id: string): Promise<AIModel | null> {
    return isUuid(id) ? em.findOne(AIModel, { id, deletedAt: null }) : Promise.resolve(null);
  }

  async findByNameOrFail(em: EntityManager, providerId: string, providerSlug: string, name: string): Promise<AIModel> {
    const model = await em.findOne(AIModel, { providerId, name, deletedAt: null });
    if (!model) throw new NotFoundError('model.notFoundByName', { provider: providerSlug, name });
    return model;
  }

  /** Any models by id, deleted ones included (history keeps pointing at them). */
  findByIds(em: EntityManager, ids: readonly string[]): Promise<AIModel[]> {
    return em.find(AIModel, { id: { $in: [...ids] } });
  }

  listLiveByProviders(em: EntityManager, providerIds: readonly string[]): Promise<AIModel[]> {
    return em.find(AIModel, { providerId: { $in: [...providerIds] }, deletedAt: null }, { orderBy: { name: 'asc' } });
  }

  private async lockLive(em: EntityManager, id: string): Promise<AIModel> {
    // FOR NO KEY UPDATE, not FOR UPDATE: it still excludes activations of this model (FOR SHARE), but
    // not the key-share lock a concurrent activation takes when its history row names this model as
    // previous holder; FOR UPDATE deadlocked with it (we wait for its slot, it waits for our row).
    const locked = isUuid(id)
      ? await em.execute('select id from ai_model where id = ? and deleted_at is null for no key update', [id])
      : [];
    const model = locked.length ? await em.findOne(AIModel, { id, deletedAt: null }) : null;
    if (!model) throw new NotFoundError('model.notFound', { id });
    return model;
  }
}
