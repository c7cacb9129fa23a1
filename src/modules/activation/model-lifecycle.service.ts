import { ConflictError } from '../../common/errors';
import { isUniqueViolation, type TransactionRunner } from '../../db/transaction';
import type { Actor } from '../auth/actor';
import type { AIModel } from '../model/ai-model.entity';
import type { AIModelService, CreateModelData, UpdateModelData } from '../model/ai-model.service';
import type { ProviderService } from '../provider/provider.service';
import type { ActivationService } from './activation.service';
import type { ChangeRecord } from './change-record';
import { AuditAction } from '../audit/audit-action';
import { diffFields, slotChanges } from '../audit/audit-details';
import type { AuditService } from '../audit/audit.service';

/** What the audit log shows of a model's editable fields. */
const auditView = (m: { modelId: string; displayName: string; capabilities: readonly string[] }) => ({
  modelId: m.modelId,
  displayName: m.displayName,
  capabilities: [...m.capabilities],
});

/**
 * Model changes that can move slots: registering a model active, dropping a capability it holds,
 * deleting it. The row edit and the slot changes commit together.
 */
export class ModelLifecycleService {
  constructor(
    private readonly transactions: TransactionRunner,
    private readonly providers: ProviderService,
    private readonly models: AIModelService,
    private readonly activation: ActivationService,
    private readonly audit: AuditService,
  ) {}

  async create(actor: Actor, input: CreateModelData): Promise<AIModel> {
    try {
      return await this.transactions.run(async (tx) => {
        const provider = await this.providers.findBySlugOrFail(tx.em, input.provider);
        const model = await this.models.insert(tx.em, provider.id, input);
        const changes = input.active ? await this.activation.assign(tx, model, input.capabilities, actor.name) : [];
        await this.audit.record(tx.em, actor, {
          action: AuditAction.MODEL_CREATED,
          targetType: 'model',
          targetId: model.id,
          providerId: provider.id,
          summary: { model: model.name },
          details: { name: model.name, ...auditView(model), active: !!input.active, changes: slotChanges(changes) },
        });
        return model;
      });
    } catch (e) {
      if (isUniqueViolation(e)) throw new ConflictError('model.nameTaken', { provider: input.provider, name: input.name });
      throw e;
    }
  }

  async update(actor: Actor, input: UpdateModelData): Promise<AIModel> {
    return this.transactions.run(async (tx) => {
      const model = await this.models.lockLive(tx.em, input.id);
      const diff = diffFields(
        auditView(model),
        auditView({
          modelId: input.modelId ?? model.modelId,
          displayName: input.displayName ?? model.displayName,
          capabilities: input.capabilities ?? model.capabilities,
        }),
      );
      if (!diff) return model; // nothing to change: no write, no event
      const dropped = await this.models.applyEdits(tx.em, model, input);
      // A dropped capability the model holds empties that slot: a change like any other.
      const vacated = dropped.length ? await this.activation.vacate(tx, model, dropped, actor.name) : [];
      await this.audit.record(tx.em, actor, {
        action: AuditAction.MODEL_UPDATED,
        targetType: 'model',
        targetId: model.id,
        providerId: model.providerId,
        summary: { model: model.name, fields: diff.fields.join(', ') },
        details: { name: model.name, ...diff, changes: slotChanges(vacated) },
      });
      return model;
    });
  }

  async delete(actor: Actor, id: string): Promise<{ id: string; changes: ChangeRecord[] }> {
    return this.transactions.run(async (tx) => {
      const model = await this.models.lockLive(tx.em, id);
      const changes = await this.activation.vacate(tx, model, model.capabilities, actor.name);
      await this.models.markDeleted(tx.em, model);
      await this.audit.record(tx.em, actor, {
        action: AuditAction.MODEL_DELETED,
        targetType: 'model',
        targetId: model.id,
        providerId: model.providerId,
        summary: { model: model.name },
        details: { name: model.name, ...auditView(model), changes: slotChanges(changes) },
      });
      return { id: model.id, changes };
    });
  }
}
