import DataLoader from 'dataloader';
import type { TransactionRunner } from '../../db/transaction';
import { AuditAction } from '../audit/audit-action';
import { diffFields } from '../audit/audit-details';
import type { AuditService } from '../audit/audit.service';
import type { EntityManager } from '@mikro-orm/postgresql';
import { ForbiddenError, UserInputError } from '../../common/errors';
import { isUuid } from '../../common/ids';
import { Role } from '../../common/role';
import { keyHint, type SecretBox } from '../../common/secret-box';
import type { Actor } from '../auth/actor';
import type { ProviderService } from '../provider/provider.service';
import type { RequestScope } from '../shared/request-context';
import type { PersonalApiKeyRepository, PersonalApiKeyView } from './personal-api-key.repository';

export type { PersonalApiKeyView };

/** A personal key as the gateway needs it (decrypted). Internal only: never put in a response or a log. */
export interface StoredPersonalKey {
  key: string;
  keyHint: string;
  useSharedApi: boolean;
}

export interface SetPersonalApiKeyData {
  provider: string;
  /** Absent: keep the stored key and change only useSharedApi. */
  apiKey?: string | null;
  useSharedApi?: boolean | null;
}

/**
 * Per-request batching of User.personalApiKeys, kept here rather than in graphql/loaders.ts so the
 * credentials module stays self-contained; keyed by the request's loaders, so it lives exactly as long.
 */
const keyLoaders = new WeakMap<object, DataLoader<string, PersonalApiKeyView[]>>();

/**
 * Personal API keys (write-only, encrypted with SecretBox) and the user settings that decide who may
 * fall back to a provider's shared key.
 */
export class CredentialsService {
  constructor(
    private readonly providers: ProviderService,
    private readonly secrets: SecretBox,
    private readonly keys: PersonalApiKeyRepository,
    private readonly transactions: TransactionRunner,
    private readonly audit: AuditService,
  ) {}

  /**
   * Stores (or replaces) the caller's key for a provider, or only changes useSharedApi. Setting what
   * is already stored (the same key, the same preference) changes nothing and records nothing.
   */
  async setPersonalApiKey(user: Actor, em: EntityManager, input: SetPersonalApiKeyData): Promise<PersonalApiKeyView> {
    const provider = await this.providers.findBySlugOrFail(em, input.provider);
    const useSharedApi = input.useSharedApi ?? false;
    return this.transactions.run(async ({ em: tx }) => {
      const old = await this.keys.stored(tx, user.id, provider.id, true);
      let view: PersonalApiKeyView;
      if (input.apiKey == null) {
        if (!old) throw new UserInputError('gateway.personalKeyMissing', { provider: provider.slug }, 'apiKey');
        if (old.useSharedApi === useSharedApi) return (await this.keys.view(tx, user.id, provider.id))!;
        view = (await this.keys.setPreference(tx, user.id, provider.id, useSharedApi))!;
      } else {
        // Setting what is already stored changes nothing and records nothing.
        if (old && old.useSharedApi === useSharedApi && this.secrets.decrypt(old.keyEncrypted) === input.apiKey) {
          return (await this.keys.view(tx, user.id, provider.id))!;
        }
        view = await this.keys.upsert(tx, user.id, provider.id, {
          encrypted: this.secrets.encrypt(input.apiKey),
          hint: keyHint(input.apiKey),
          useSharedApi,
        });
      }
      const diff = diffFields(
        { keyHint: old?.keyHint ?? null, useSharedApi: old?.useSharedApi ?? null },
        { keyHint: view.keyHint, useSharedApi: view.useSharedApi },
      );
      await this.audit.record(tx, user, {
        action: AuditAction.PERSONAL_KEY_SET,
        targetType: 'personalApiKey',
        targetId: `${user.id}/${provider.slug}`,
        summary: { provider: provider.slug, hint: view.keyHint },
        details: {
          userId: user.id,
          provider: provider.slug,
          // The same hint may hide a new key: say so without showing either.
          keyReplaced: input.apiKey != null && !!old,
          ...(diff ?? { fields: [], before: {}, after: {} }),
        },
      });
      return view;
    });
  }

  /** Deletes the caller's key for a provider: true when there was one, false when there was none. */
  async removePersonalApiKey(user: Actor, em: EntityManager, providerSlug: string): Promise<boolean> {
    const provider = await this.providers.findBySlugOrFail(em, providerSlug);
    return this.transactions.run(async ({ em: tx }) => {
      const hint = await this.keys.remove(tx, user.id, provider.id);
      if (hint === null) return false;
      await this.audit.record(tx, user, {
        action: AuditAction.PERSONAL_KEY_REMOVED,
        targetType: 'personalApiKey',
        targetId: `${user.id}/${provider.slug}`,
        summary: { provider: provider.slug },
        details: { userId: user.id, provider: provider.slug, before: { keyHint: hint } },
      });
      return true;
    });
  }

  /**
   * A user's keys (hints only), by provider slug. Only the user itself and ADMIN may look:
   * anyone else gets FORBIDDEN rather than an empty list, which would read as "has no keys".
   */
  personalApiKeysOf(caller: Actor, scope: RequestScope, userId: string): Promise<PersonalApiKeyView[]> {
    if (caller.id !== userId && caller.role !== Role.ADMIN) throw new ForbiddenError('auth.notOwnUser');
    let loader = keyLoaders.get(scope.loaders);
    if (!loader) {
      loader = new DataLoader((ids) => this.listForUsers(scope.em, ids));
      keyLoaders.set(scope.loaders, loader);
    }
    return loader.load(userId);
  }

  /** Keys of several users, grouped in input order, each list by provider slug. */
  async listForUsers(em: EntityManager, userIds: readonly string[]): Promise<PersonalApiKeyView[][]> {
    const valid = userIds.filter(isUuid);
    const rows = valid.length ? await this.keys.viewsOfUsers(em, valid) : [];
    const byUser = new Map<string, PersonalApiKeyView[]>(userIds.map((id) => [id, []]));
    for (const view of rows) byUser.get(view.userId)?.push(view);
    return userIds.map((id) => byUser.get(id) ?? []);
  }

  /** The decrypted personal key of a user for a provider, for the gateway only; null when none. */
  async storedKey(em: EntityManager, userId: string, providerId: string): Promise<StoredPersonalKey | null> {
    const row = await this.keys.stored(em, userId, providerId);
    if (!row) return null;
    return { key: this.secrets.decrypt(row.keyEncrypted), keyHint: row.keyHint, useSharedApi: row.useSharedApi };
  }
}
