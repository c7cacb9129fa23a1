import type { EntityManager } from '@mikro-orm/postgresql';
import { pgArray } from '../../db/sql';

/** What a user may see of a personal key: never the key, only its hint. */
export interface PersonalApiKeyView {
  userId: string;
  providerId: string;
  keyHint: string;
  useSharedApi: boolean;
  updatedAt: Date;
}

/** A stored key row as the gateway needs it (still encrypted). */
export interface StoredKeyRow {
  keyEncrypted: string;
  keyHint: string;
  useSharedApi: boolean;
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
 * The SQL of personal keys that stays raw: one-statement writes that return the visible columns
 * (an upsert two concurrent calls cannot both insert; an update that says whether a key existed),
 * and reads that never select the encrypted key unless the gateway asks for it.
 */
export class PersonalApiKeyRepository {
  /** Changes only the preference; null when the user has no key for the provider. */
  async setPreference(em: EntityManager, userId: string, providerId: string, useSharedApi: boolean): Promise<PersonalApiKeyView | null> {
    const rows = await em.execute<Record<string, unknown>[]>(
      `update personal_api_key set use_shared_api = ?, updated_at = now()
        where user_id = ? and provider_id = ?
        returning ${VIEW_COLUMNS}`,
      [useSharedApi, userId, providerId],
    );
    return rows[0] ? rowToView(rows[0]) : null;
  }

  /** Stores or replaces the key in one statement: two concurrent calls cannot both insert, and the last one wins. */
  async upsert(
    em: EntityManager,
    userId: string,
    providerId: string,
    key: { encrypted: string; hint: string; useSharedApi: boolean },
  ): Promise<PersonalApiKeyView> {
    const rows = await em.execute<Record<string, unknown>[]>(
      `insert into personal_api_key (user_id, provider_id, key_encrypted, key_hint, use_shared_api, updated_at)
       values (?, ?, ?, ?, ?, now())
       on conflict (user_id, provider_id) do update
          set key_encrypted = excluded.key_encrypted, key_hint = excluded.key_hint,
              use_shared_api = excluded.use_shared_api, updated_at = excluded.updated_at
       returning ${VIEW_COLUMNS}`,
      [userId, providerId, key.encrypted, key.hint, key.useSharedApi],
    );
    return rowToView(rows[0]);
  }

  /** The keys of these users (hints only), each user's ordered by provider slug. */
  async viewsOfUsers(em: EntityManager, userIds: readonly string[]): Promise<PersonalApiKeyView[]> {
    const rows = await em.execute<Record<string, unknown>[]>(
      `select k.user_id, k.provider_id, k.key_hint, k.use_shared_api, k.updated_at
         from personal_api_key k join provider p on p.id = k.provider_id
        where k.user_id = any(?::uuid[])
        order by p.slug`,
      [pgArray(userIds)],
    );
    return rows.map(rowToView);
  }

  /** The stored key; `forUpdate` locks it so concurrent writes of the same key queue (the last one wins). */
  async stored(em: EntityManager, userId: string, providerId: string, forUpdate = false): Promise<StoredKeyRow | null> {
    const rows = await em.execute<{ key_encrypted: string; key_hint: string; use_shared_api: boolean }[]>(
      `select key_encrypted, key_hint, use_shared_api from personal_api_key where user_id = ? and provider_id = ?${forUpdate ? ' for update' : ''}`,
      [userId, providerId],
    );
    const row = rows[0];
    return row ? { keyEncrypted: row.key_encrypted, keyHint: row.key_hint, useSharedApi: row.use_shared_api } : null;
  }

  async view(em: EntityManager, userId: string, providerId: string): Promise<PersonalApiKeyView | null> {
    const rows = await em.execute<Record<string, unknown>[]>(
      `select ${VIEW_COLUMNS} from personal_api_key where user_id = ? and provider_id = ?`,
      [userId, providerId],
    );
    return rows[0] ? rowToView(rows[0]) : null;
  }

  /** Deletes the key; its hint when there was one (for the audit log), else null. */
  async remove(em: EntityManager, userId: string, providerId: string): Promise<string | null> {
    const rows = await em.execute<{ key_hint: string }[]>(
      'delete from personal_api_key where user_id = ? and provider_id = ? returning key_hint',
      [userId, providerId],
    );
    return rows[0]?.key_hint ?? null;
  }
}
