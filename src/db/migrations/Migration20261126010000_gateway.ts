import { Migration } from '@mikro-orm/migrations';

/**
 * Credentials and usage. Personal keys: one per (user, provider), the primary key on the pair; the key
 * is stored only encrypted (AES-256-GCM, "v1:iv:tag:data"). Usage: one row per generation call that got
 * past model and key resolution; the model must belong to the provider (a composite foreign key),
 * and an ERROR row always says which error (a check).
 */
export class Migration20261126010000_gateway extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
create table personal_api_key (
  user_id uuid not null references app_user (id) on delete cascade,
  provider_id uuid not null references provider (id) on delete cascade,
  key_encrypted text not null check (key_encrypted like 'v1:%'),
  key_hint text not null,
  use_shared_api boolean not null default false,
  updated_at timestamptz not null default now(),
  primary key (user_id, provider_id)
);`);
    this.addSql(`create index personal_api_key_provider_idx on personal_api_key (provider_id);`);

    this.addSql(`
create table usage_record (
  id bigserial primary key,
  user_id uuid not null references app_user (id),
  provider_id uuid not null references provider (id),
  model_id uuid not null,
  capability text not null check (capability_rank(capability) is not null),
  key_source text not null check (key_source in ('PERSONAL', 'SHARED')),
  status text not null check (status in ('OK', 'ERROR')),
  error_code text,
  prompt_tokens int check (prompt_tokens >= 0),
  completion_tokens int check (completion_tokens >= 0),
  total_tokens int check (total_tokens >= 0),
  latency_ms int not null check (latency_ms >= 0),
  created_at timestamptz not null default now(),
  foreign key (model_id, provider_id) references ai_model (id, provider_id),
  check ((status = 'ERROR') = (error_code is not null))
);`);
    // The two ways usage is read: one user's calls, one provider's calls; both newest first.
    this.addSql(`create index usage_record_user_idx on usage_record (user_id, id desc);`);
    this.addSql(`create index usage_record_provider_idx on usage_record (provider_id, id desc);`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists usage_record;');
    this.addSql('drop table if exists personal_api_key;');
  }
}
