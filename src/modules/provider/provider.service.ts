import type { EntityManager } from '@mikro-orm/postgresql';
import { LockMode } from '@mikro-orm/core';
import { ApiStyle } from '../../common/api-style';
import { CAPABILITIES } from '../../common/capability';
import { ConflictError, NotFoundError } from '../../common/errors';
import { keyHint, type SecretBox } from '../../common/secret-box';
import { isUniqueViolation, type TransactionRunner } from '../../db/transaction';
import { ActivationSlot } from '../activation/activation-slot.entity';
import { providerChanged } from './provider-events';
import { Provider } from './provider.entity';
import type { Actor } from '../auth/actor';
import { AuditAction } from '../audit/audit-action';
import { diffFields } from '../audit/audit-details';
import type { AuditService } from '../audit/audit.service';

/** What the audit log may show of a provider: the shared key only as its hint. */
function auditView(p: Provider) {
  return {
    name: p.name,
    baseUrl: p.baseUrl ?? null,
    apiStyle: p.apiStyle,
    sharedApiEnabled: p.sharedApiEnabled,
    sharedApiKeyHint: p.sharedApiKeyHint ?? null,
  };
}

export interface CreateProviderData {
  slug: string;
  name: string;
  baseUrl?: string | null;
  sharedApiKey?: string | null;
  sharedApiEnabled?: boolean | null;
  apiStyle?: ApiStyle | null;
}

export interface UpdateProviderData {
  slug: string;
  name?: string | null;
  baseUrl?: string | null;
  apiStyle?: ApiStyle | null;
  /** "" removes the shared key. */
  sharedApiKey?: string | null;
  sharedApiEnabled?: boolean | null;
}

/** Providers and their shared key (encrypted, write-only). */
export class ProviderService {
  constructor(
    private readonly transactions: TransactionRunner,
    private readonly secrets: SecretBox,
    private readonly audit: AuditService,
  ) {}

  async create(actor: Actor, input: CreateProviderData): Promise<Provider> {
    try {
      return await this.transactions.run(async (tx) => {
        const em = tx.em;
        const provider = em.create(Provider, {
          slug: input.slug,
          name: input.name,
          baseUrl: input.baseUrl ?? null,
          apiStyle: input.apiStyle ?? ApiStyle.OPENAI,
          sharedApiEnabled: input.sharedApiEnabled ?? false,
        });
        this.setSharedKey(provider, input.sharedApiKey);
        // Every slot exists from the start (version 0, empty): activations only ever lock and update.
        for (const capability of CAPABILITIES) em.create(ActivationSlot, { provider, providerId: provider.id, capability });
        await em.flush();
        await this.audit.record(em, actor, {
          action: AuditAction.PROVIDER_CREATED,
          targetType: 'provider',
          targetId: provider.id,
          summary: { provider: provider.slug },
          details: { slug: provider.slug, ...auditView(provider) },
        });
        // Its first invalidation empties every instance's negative cache, where the slug may be
        // (acknowledged: a read on any instance after this returns finds the provider).
        tx.emit(providerChanged(provider.id));
        return provider;
      });
    } catch (e) {
      if (isUniqueViolation(e)) throw new ConflictError('provider.slugTaken', { slug: input.slug });
      throw e;
    }
  }

  /** Changes settings; what changes nothing (the same values, the same key) writes nothing and records nothing. */
  async update(actor: Actor, input: UpdateProviderData): Promise<Provider> {
    return this.transactions.run(async (tx) => {
      const found = await tx.em.findOne(Provider, { slug: input.slug }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!found) throw new NotFoundError('provider.notFound', { slug: input.slug });
      const before = auditView(found);
      // A new key with the same last four characters is still a change: compare the stored secret, not its hint.
      const oldKey = input.sharedApiKey != null ? await this.sharedKey(tx.em, found.id) : null;
      const keyChanged = input.sharedApiKey != null && (input.sharedApiKey === '' ? oldKey !== null : oldKey !== input.sharedApiKey);
      if (input.name != null) found.name = input.name;
      if (input.baseUrl !== undefined) found.baseUrl = input.baseUrl || null;
      if (input.apiStyle != null) found.apiStyle = input.apiStyle;
      if (input.sharedApiEnabled != null) found.sharedApiEnabled = input.sharedApiEnabled;
      if (keyChanged) this.setSharedKey(found, input.sharedApiKey);
      const diff = diffFields(before, auditView(found));
      if (!diff && !keyChanged) return found;
      found.updatedAt = new Date();
      await tx.em.flush();
      await this.audit.record(tx.em, actor, {
        action: AuditAction.PROVIDER_UPDATED,
        targetType: 'provider',
        targetId: found.id,
        summary: { provider: found.slug, fields: [...new Set([...(diff?.fields ?? []), ...(keyChanged ? ['sharedApiKey'] : [])])].join(', ') },
        details: { slug: found.slug, ...(diff ?? { fields: [], before: {}, after: {} }), sharedApiKeyChanged: keyChanged },
      });
      // The read cache holds provider settings too.
      tx.emit(providerChanged(found.id));
      return found;
    });
  }

  /** The decrypted shared key, for the gateway only; never for a response. */
  async sharedKey(em: EntityManager, providerId: string): Promise<string | null> {
    const provider = await em.findOne(Provider, { id: providerId }, { fields: ['sharedApiKeyEncrypted'], disableIdentityMap: true });
    const stored = provider?.sharedApiKeyEncrypted;
    return stored ? this.secrets.decrypt(stored) : null;
  }

  async findBySlugOrFail(em: EntityManager, slug: string): Promise<Provider> {
    const provider = await em.findOne(Provider, { slug });
    if (!provider) throw new NotFoundError('provider.notFound', { slug });
    return provider;
  }

  list(em: EntityManager): Promise<Provider[]> {
    return em.find(Provider, {}, { orderBy: { slug: 'asc' } });
  }

  findBySlugs(em: EntityManager, slugs: readonly string[]): Promise<Provider[]> {
    return em.find(Provider, { slug: { $in: [...slugs] } });
  }

  findByIds(em: EntityManager, ids: readonly string[]): Promise<Provider[]> {
    return em.find(Provider, { id: { $in: [...ids] } });
  }

  private setSharedKey(provider: Provider, key: string | null | undefined): void {
    if (key === undefined || key === null) return;
    if (key === '') {
      provider.sharedApiKeyEncrypted = null;
      provider.sharedApiKeyHint = null;
    } else {
      provider.sharedApiKeyEncrypted = this.secrets.encrypt(key);
      provider.sharedApiKeyHint = keyHint(key);
    }
  }
}
