import { Migration } from '@mikro-orm/migrations';

/**
 * The core schema. The single-active rule and the history's integrity are enforced here, by the
 * database itself, so that no code path (or hand-written SQL) can break them:
 *  - activation_slot's primary key (provider_id, capability): one holder per slot;
 *  - a trigger: every update of a slot adds exactly 1 to its version; the holder has that capability;
 *  - activation_change: unique (provider, capability, version), and version v > 1 must follow an
 *    existing v - 1 (a self foreign key), so no version is duplicated or skipped;
 *  - a deferred foreign key from each held slot version to its history row.
 */
export class Migration20261126000000_core extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
create function capability_rank(c text) returns int immutable language sql as $$
  select array_position(array['CHAT','CODE','CONTENT','IMAGE','AUDIO','EMBEDDING'], c)
$$;`);
    this.addSql(`
create function capabilities_valid(cs text[]) returns boolean immutable language sql as $$
  select cardinality(cs) > 0
     and cs <@ array['CHAT','CODE','CONTENT','IMAGE','AUDIO','EMBEDDING']
     and cardinality(cs) = (select count(distinct c) from unnest(cs) c)
$$;`);

    this.addSql(`
create table app_user (
  id uuid primary key,
  name varchar(100) not null unique,
  role text not null check (role in ('ADMIN', 'MEMBER')),
  can_use_shared_api boolean not null default true,
  created_at timestamptz not null default now()
);`);
    this.addSql(`
create table api_token (
  id uuid primary key,
  user_id uuid not null references app_user (id) on delete cascade,
  name varchar(100) not null,
  token_hash varchar(64) not null unique,
  from_env boolean not null default false,
  created_at timestamptz not null default now(),
  last_used_at timestamptz,
  revoked_at timestamptz
);`);
    this.addSql(`create index api_token_user_idx on api_token (user_id);`);

    this.addSql(`
create table provider (
  id uuid primary key,
  slug varchar(40) not null unique check (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
  name varchar(100) not null,
  base_url text,
  api_style text not null default 'OPENAI' check (api_style in ('OPENAI', 'ANTHROPIC')),
  shared_api_enabled boolean not null default false,
  shared_api_key_encrypted text,
  shared_api_key_hint text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);`);

    this.addSql(`
create table ai_model (
  id uuid primary key,
  provider_id uuid not null references provider (id),
  name varchar(100) not null,
  model_id varchar(200) not null,
  display_name varchar(200) not null,
  capabilities text[] not null check (capabilities_valid(capabilities)),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  deleted_at timestamptz,
  unique (id, provider_id)
);`);
    this.addSql(`create unique index ai_model_provider_name_live on ai_model (provider_id, name) where deleted_at is null;`);
    this.addSql(`create index ai_model_provider_idx on ai_model (provider_id);`);

    this.addSql(`
create table activation_slot (
  provider_id uuid not null references provider (id) on delete cascade,
  capability text not null check (capability_rank(capability) is not null),
  model_id uuid,
  version int not null default 0 check (version >= 0),
  history_version int generated always as (nullif(version, 0)) stored,
  activated_at timestamptz,
  activated_by text,
  primary key (provider_id, capability),
  foreign key (model_id, provider_id) references ai_model (id, provider_id)
);`);
    this.addSql(`create index activation_slot_model_idx on activation_slot (model_id) where model_id is not null;`);

    this.addSql(`
create table activation_change (
  id bigserial primary key,
  provider_id uuid not null,
  capability text not null,
  model_id uuid references ai_model (id),
  previous_model_id uuid references ai_model (id),
  version int not null check (version >= 1),
  previous_version int generated always as (nullif(version - 1, 0)) stored,
  changed_at timestamptz not null default clock_timestamp(),
  changed_by text,
  published_at timestamptz,
  unique (provider_id, capability, version),
  foreign key (provider_id, capability) references activation_slot (provider_id, capability) on delete cascade,
  foreign key (provider_id, capability, previous_version)
    references activation_change (provider_id, capability, version)
);`);
    this.addSql(`create index activation_change_unpublished_idx on activation_change (id) where published_at is null;`);
    this.addSql(`create index activation_change_changed_at_idx on activation_change (provider_id, capability, changed_at);`);

    this.addSql(`
alter table activation_slot add constraint activation_slot_history_fk
  foreign key (provider_id, capability, history_version)
  references activation_change (provider_id, capability, version)
  deferrable initially deferred;`);

    this.addSql(`
create function activation_slot_guard() returns trigger language plpgsql as $$
begin
  if new.provider_id <> old.provider_id or new.capability <> old.capability then
    raise exception 'a slot''s provider and capability never change' using errcode = 'check_violation';
  end if;
  if new.version <> old.version + 1 then
    raise exception 'slot %/% must go from version % to %, not %', old.provider_id, old.capability,
      old.version, old.version + 1, new.version using errcode = 'check_violation';
  end if;
  if new.model_id is not null and not exists (
    select 1 from ai_model m
     where m.id = new.model_id and m.deleted_at is null and new.capability = any (m.capabilities)
  ) then
    raise exception 'model % cannot hold slot % (deleted or lacks the capability)', new.model_id, new.capability
      using errcode = 'check_violation';
  end if;
  return new;
end
$$;`);
    this.addSql(`create trigger activation_slot_guard before update on activation_slot for each row execute function activation_slot_guard();`);

    // History rows are facts: only their publication mark may change afterwards.
    this.addSql(`
create function activation_change_immutable() returns trigger language plpgsql as $$
begin
  if (new.id, new.provider_id, new.capability, new.model_id, new.previous_model_id, new.version, new.changed_at, new.changed_by)
     is distinct from
     (old.id, old.provider_id, old.capability, old.model_id, old.previous_model_id, old.version, old.changed_at, old.changed_by) then
    raise exception 'history rows are immutable' using errcode = 'check_violation';
  end if;
  return new;
end
$$;`);
    this.addSql(`create trigger activation_change_immutable before update on activation_change for each row execute function activation_change_immutable();`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists activation_slot cascade;');
    this.addSql('drop table if exists activation_change cascade;');
    this.addSql('drop table if exists ai_model cascade;');
    this.addSql('drop table if exists provider cascade;');
    this.addSql('drop table if exists api_token cascade;');
    this.addSql('drop table if exists app_user cascade;');
    this.addSql('drop function if exists activation_slot_guard, activation_change_immutable, capabilities_valid, capability_rank;');
  }
}
