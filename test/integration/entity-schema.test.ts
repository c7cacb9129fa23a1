import type { MikroORM } from '@mikro-orm/postgresql';
import { openDatabase } from '../../src/db/database';
import { AIModel } from '../../src/modules/model/ai-model.entity';
import { dropDatabase, freshDatabaseUrl } from '../helpers/test-server';

/**
 * The migrations are the source of truth; the entities must describe what they build (columns,
 * defaults, foreign keys, checks, indexes and constraint names), so that the ORM orders inserts by
 * the real relations and a generated migration never "repairs" the schema. The diff below is what
 * MikroORM would change to make the database match the entities: it must be empty except for
 * the statements listed here, each accounted for.
 */
const ACCOUNTED_FOR = [
  // Composite foreign keys the ORM cannot express next to the single-column relations and primary
  // keys mapped on the same columns; the database enforces them (test/integration/db-constraints.test.ts).
  // History row → its slot (provider_id, capability).
  'alter table "activation_change" drop constraint "activation_change_provider_id_capability_fkey";',
  // The history chain: version v > 1 follows v - 1 of the same slot (a self key over a generated column).
  'alter table "activation_change" drop constraint "activation_change_provider_id_capability_previous_version_fkey";',
  // The deferred key from a held slot version to its history row, checked at commit.
  'alter table "activation_slot" drop constraint "activation_slot_history_fk";',
  // A slot is held only by its own provider's model: (model_id, provider_id) → ai_model (id, provider_id).
  'alter table "activation_slot" drop constraint "activation_slot_model_id_provider_id_fkey";',
  // A usage row's model belongs to its provider: (model_id, provider_id) → ai_model (id, provider_id).
  'alter table "usage_record" drop constraint "usage_record_model_id_provider_id_fkey";',
  // A scheduled switch's model belongs to its provider: (model_id, provider_id) → ai_model (id, provider_id).
  'alter table "scheduled_change" drop constraint "scheduled_change_model_id_provider_id_fkey";',
  // MikroORM 6.6.16 reads back only checks that Postgres prints with double parentheses; a bare function
  // call prints as `CHECK (capabilities_valid(capabilities))`, so this one always looks changed.
  'alter table "ai_model" drop constraint ai_model_capabilities_check;',
  'alter table "ai_model" add constraint ai_model_capabilities_check check(capabilities_valid(capabilities));',
  'alter table "scheduled_change" drop constraint scheduled_change_capabilities_check;',
  'alter table "scheduled_change" add constraint scheduled_change_capabilities_check check(capabilities_valid(capabilities));',
];

let orm: MikroORM;
let url: string;

beforeAll(async () => {
  url = freshDatabaseUrl('entity_schema');
  orm = await openDatabase({ databaseUrl: url, migrate: true });
});
afterAll(async () => {
  await orm?.close(true);
  if (url) await dropDatabase(url);
});

it('the entities describe the migrated schema (only the listed differences remain)', async () => {
  const diff = await orm.schema.getUpdateSchemaSQL({ wrap: false });
  const statements = diff
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
  expect(statements.filter((s) => !ACCOUNTED_FOR.includes(s))).toEqual([]);
  // The list stays honest: an entry that no longer appears must be deleted.
  expect(ACCOUNTED_FOR.filter((s) => !statements.includes(s))).toEqual([]);
});

it('the foreign-key scalars mapped beside their relations are hydrated on load', async () => {
  const em = orm.em.fork();
  const rows = await em
    .getConnection()
    .execute<{ id: string }[]>(`insert into provider (id, slug, name) values (gen_random_uuid(), 'hydrate', 'Hydrate') returning id`);
  const providerId = rows[0].id;
  await em.getConnection().execute(
    `insert into ai_model (id, provider_id, name, model_id, display_name, capabilities)
     values (gen_random_uuid(), ?, 'm', 'm-1', 'M', '{CHAT}')`,
    [providerId],
  );
  const model = await em.findOneOrFail(AIModel, { provider: providerId });
  expect(model.providerId).toBe(providerId);
  expect(model.provider.id).toBe(providerId);
});
