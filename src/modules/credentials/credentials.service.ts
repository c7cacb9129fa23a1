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
import { pgArray } from '../../db/sql';
import type { Actor } from '../auth/actor';
import type { ProviderService } from '../provider/provider.service';
import type { RequestScope } from '../shared/request-context';

/** What a user may see of a personal key: never the key, only its hint. */
export interface PersonalApiKeyView {
  userId: string;
  providerId: string;
  keyHint: string;
  useSharedApi: boolean;
  updatedAt: Date;
}

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

const VIEW_COLUMNS = 'user_id, provider_id, key_hint, use_shared_api, updated_at';

function rowToView(row: Record<string, unknown>): PersonalApiKeyView {
  return {
    userId: row.user_id as string,
    providerId: row.provider_id as string,
    keyHint: row.key_hint as string,
    useSharedApi: Boolean(row.use_shared_api),
    updatedAt: new Date(row.updated_at as string),
  };
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
      // Locks the stored key (if any): concurrent calls for it queue, and the last one wins.
      const [old] = await tx.execute<{ key_encrypted: string; key_hint: string; use_shared_api: boolean }[]>(
        'select key_encrypted, key_hint, use_shared_api from personal_api_key where user_id = ? and provider_id = ? for update',
        [user.id, provider.id],
      );
      const current = async () =>
        rowToView((await tx.execute<Record<string, unknown>[]>(`select ${VIEW_COLUMNS} from personal_api_key where user_id = ? and provider_id = ?`, [user.id, provider.id]))[0]);
      let rows: Record<string, unknown>[];
      if (input.apiKey == null) {
        if (!old) throw new UserInputError('gateway.personalKeyMissing', { provider: provider.slug }, 'apiKey');
        if (old.use_shared_api === useSharedApi) return current();
        rows = await tx.execute<Record<string, unknown>[]>(
          `update personal_api_key set use_shared_api = ?, updated_at = now()
            where user_id = ? and provider_id = ?
            returning ${VIEW_COLUMNS}`,
          [useSharedApi, user.id, provider.id],
        );
      } else {
        if (old && old.use_shared_api === useSharedApi && this.secrets.decrypt(old.key_encrypted) === input.apiKey) return current();
        // One statement: two concurrent first calls cannot both insert, and the last one wins.
        rows = await tx.execute<Record<string, unknown>[]>(
          `insert into personal_api_key (user_id, provider_id, key_encrypted, key_hint, use_shared_api, updated_at)
           values (?, ?, ?, ?, ?, now())
           on conflict (user_id, provider_id) do update
              set key_encrypted = excluded.key_encrypted, key_hint = excluded.key_hint,
                  use_shared_api = excluded.use_shared_api, updated_at = excluded.updated_at
           returning ${VIEW_COLUMNS}`,
          [user.id, provider.id, this.secrets.encrypt(input.apiKey), keyHint(input.apiKey), useSharedApi],
        );
      }
      const view = rowToView(rows[0]);
      const diff = diffFields(
        { keyHint: old?.key_hint ?? null, useSharedApi: old?.use_shared_api ?? null },
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
      const removed = await tx.execute<{ key_hint: string }[]>('delete from personal_api_key where user_id = ? and provider_id = ? returning key_hint', [user.id, provider.id]);
      if (!removed.length) return false;
      await this.audit.record(tx, user, {
        action: AuditAction.PERSONAL_KEY_REMOVED,
        targetType: 'personalApiKey',
        targetId: `${user.id}/${provider.slug}`,
        summary: { provider: provider.slug },
        details: { userId: user.id, provider: provider.slug, before: { keyHint: removed[0].key_hint } },
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
    const rows = valid.length
      ? await em.execute<Record<string, unknown>[]>(
          `select k.user_id, k.provider_id, k.key_hint, k.use_shared_api, k.updated_at
             from personal_api_key k join provider p on p.id = k.provider_id
            where k.user_id = any(?::uuid[])
            order by p.slug`,
          [pgArray(valid)],
        )
      : [];
    const byUser = new Map<string, PersonalApiKeyView[]>(userIds.map((id) => [id, []]));
    for (const row of rows) byUser.get(row.user_id as string)?.push(rowToView(row));
    return userIds.map((id) => byUser.get(id) ?? []);
  }

  /** The decrypted personal key of a user for a provider, for the gateway only; null when none. */
  async storedKey(em: EntityManager, userId: string, providerId: string): Promise<StoredPersonalKey | null> {
    const rows = await em.execute<{ key_encrypted: string; key_hint: string; use_shared_api: boolean }[]>(
      'select key_encrypted, key_hint, use_shared_api from personal_api_key where user_id = ? and provider_id = ?',
      [userId, providerId],
    );
    const row = rows[0];
    if (!row) return null;
    return { key: this.secrets.decrypt(row.key_encrypted), keyHint: row.key_hint, useSharedApi: row.use_shared_api };
  }
}
