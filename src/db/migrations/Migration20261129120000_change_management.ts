import { Migration } from '@mikro-orm/migrations';

const AUDIT_ACTIONS = [
  'PROVIDER_CREATED',
  'PROVIDER_UPDATED',
  'MODEL_CREATED',
  'MODEL_UPDATED',
  'MODEL_DELETED',
  'MODEL_ACTIVATED',
  'MODEL_DEACTIVATED',
  'SLOT_REVERTED',
  'SCHEDULE_CREATED',
  'SCHEDULE_CANCELLED',
  'SCHEDULE_APPLIED',
  'SCHEDULE_FAILED',
  'USER_CREATED',
  'USER_UPDATED',
  'TOKEN_CREATED',
  'TOKEN_REVOKED',
  'PERSONAL_KEY_SET',
  'PERSONAL_KEY_REMOVED',
];
const TARGET_TYPES = ['provider', 'model', 'slot', 'scheduledChange', 'user', 'apiToken', 'personalApiKey'];
const list = (values: string[]) => values.map((v) => `'${v}'`).join(', ');

/**
 * Change management (issue 11):
 *  - a reason on every history row (trimmed, 1..500 characters, or null) and the scheduled switch that
 *    made it, both immutable like the rest of the row;
 *  - scheduled_change: switches that apply at `at`. Workers claim due rows with FOR UPDATE SKIP LOCKED
 *    (the partial index on PENDING rows by `at` makes that probe one index step); a row leaves PENDING
 *    exactly once, with its time (and, FAILED, its code) set in the same statement;
 *  - audit_event: one row per state-changing mutation, written in that mutation's transaction. Times
 *    are cut to milliseconds, as the API shows them, so (at, id) page cursors round-trip exactly; each
 *    filter of auditLog has an index that also serves the newest-first order.
 */
export class Migration20261129120000_change_management extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
create table scheduled_change (
  id uuid primary key,
  provider_id uuid not null references provider (id) on delete cascade,
  model_id uuid not null,
  capabilities text[] not null check (capabilities_valid(capabilities)),
  expected_version int check (expected_version >= 0),
  at timestamptz not null,
  reason text check (char_length(reason) between 1 and 500),
  status text not null default 'PENDING' check (status in ('PENDING', 'APPLIED', 'CANCELLED', 'FAILED')),
  created_by uuid not null references app_user (id),
  created_at timestamptz not null default date_trunc('milliseconds', clock_timestamp()),
  applied_at timestamptz,
  failure_code text,
  failure_key text,
  failure_params jsonb,
  foreign key (model_id, provider_id) references ai_model (id, provider_id),
  check (expected_version is null or cardinality(capabilities) = 1),
  check ((status = 'PENDING') = (applied_at is null)),
  check ((status = 'FAILED') = (failure_code is not null and failure_key is not null))
);`);
    this.addSql(`create index scheduled_change_due_idx on scheduled_change (at, id) where status = 'PENDING';`);
    this.addSql(`create index scheduled_change_list_idx on scheduled_change (at, id);`);
    this.addSql(`create index scheduled_change_provider_idx on scheduled_change (provider_id, at, id);`);
    this.addSql(`create index scheduled_change_model_idx on scheduled_change (model_id);`);

    this.addSql(`alter table activation_change add column reason text check (char_length(reason) between 1 and 500);`);
    this.addSql(`alter table activation_change add column scheduled_change_id uuid references scheduled_change (id);`);
    this.addSql(`create index activation_change_scheduled_idx on activation_change (scheduled_change_id) where scheduled_change_id is not null;`);
    // activationHistory's filters without a provider: by author, and by time (newest first by id).
    this.addSql(`create index activation_change_changed_by_idx on activation_change (changed_by, id);`);
    this.addSql(`create index activation_change_provider_id_idx on activation_change (provider_id, id);`);
    this.addSql(`create index activation_change_time_idx on activation_change (changed_at, id);`);

    this.addSql(`
create or replace function activation_change_immutable() returns trigger language plpgsql as $$
begin
  if (new.id, new.provider_id, new.capability, new.model_id, new.previous_model_id, new.version, new.changed_at,
      new.changed_by, new.reason, new.scheduled_change_id)
     is distinct from
     (old.id, old.provider_id, old.capability, old.model_id, old.previous_model_id, old.version, old.changed_at,
      old.changed_by, old.reason, old.scheduled_change_id) then
    raise exception 'history rows are immutable' using errcode = 'check_violation';
  end if;
  return new;
end
$$;`);

    this.addSql(`
create table audit_event (
  id bigserial primary key,
  at timestamptz not null default date_trunc('milliseconds', clock_timestamp()),
  actor_id uuid references app_user (id),
  action text not null check (action in (${list(AUDIT_ACTIONS)})),
  target_type text not null check (target_type in (${list(TARGET_TYPES)})),
  target_id text not null,
  summary_key text not null,
  summary_params jsonb not null default '{}',
  details jsonb not null default '{}' check (jsonb_typeof(details) = 'object')
);`);
    this.addSql(`create index audit_event_at_idx on audit_event (at, id);`);
    this.addSql(`create index audit_event_actor_idx on audit_event (actor_id, at, id);`);
    this.addSql(`create index audit_event_action_idx on audit_event (action, at, id);`);
    this.addSql(`create index audit_event_target_idx on audit_event (target_type, at, id);`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists audit_event;');
    this.addSql('drop index if exists activation_change_time_idx, activation_change_provider_id_idx, activation_change_changed_by_idx;');
    this.addSql('alter table activation_change drop column if exists scheduled_change_id, drop column if exists reason;');
    this.addSql('drop table if exists scheduled_change;');
    this.addSql(`
create or replace function activation_change_immutable() returns trigger language plpgsql as $$
begin
  if (new.id, new.provider_id, new.capability, new.model_id, new.previous_model_id, new.version, new.changed_at, new.changed_by)
     is distinct from
     (old.id, old.provider_id, old.capability, old.model_id, old.previous_model_id, old.version, old.changed_at, old.changed_by) then
    raise exception 'history rows are immutable' using errcode = 'check_violation';
  end if;
  return new;
end
$$;`);
  }
}
