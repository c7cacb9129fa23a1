import { Migration } from '@mikro-orm/migrations';

/**
 * The history and the slots must tell the same story, not merely have matching version numbers:
 *  - a history row's previous model is the model of the row before it (none for version 1), and a
 *    row really changes something (model <> previous model);
 *  - a slot at version v > 0 is held by exactly the model its history row v names (null included),
 *    checked at commit, because the service writes the row and the slot in one statement.
 */
export class Migration20261126020000_history_agrees extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table activation_change add constraint activation_change_changes check (model_id is distinct from previous_model_id);`);

    this.addSql(`
create function activation_change_chain() returns trigger language plpgsql as $$
declare
  before_model uuid;
begin
  if new.version > 1 then
    select c.model_id into before_model from activation_change c
     where c.provider_id = new.provider_id and c.capability = new.capability and c.version = new.version - 1;
    -- A missing previous version is the self foreign key's to report.
    if found and new.previous_model_id is distinct from before_model then
      raise exception 'history %/% version %: previous model % is not %, the model of version %', new.provider_id,
        new.capability, new.version, new.previous_model_id, before_model, new.version - 1 using errcode = 'check_violation';
    end if;
  elsif new.previous_model_id is not null then
    raise exception 'history %/% version 1 cannot have a previous model', new.provider_id, new.capability
      using errcode = 'check_violation';
  end if;
  return new;
end
$$;`);
    this.addSql(`create trigger activation_change_chain before insert on activation_change for each row execute function activation_change_chain();`);

    this.addSql(`
create function activation_slot_matches_history() returns trigger language plpgsql as $$
begin
  if new.version > 0 and not exists (
    select 1 from activation_change c
     where c.provider_id = new.provider_id and c.capability = new.capability and c.version = new.version
       and c.model_id is not distinct from new.model_id
  ) then
    raise exception 'slot %/% at version % is held by %, but its history row says otherwise (or is missing)',
      new.provider_id, new.capability, new.version, new.model_id using errcode = 'foreign_key_violation';
  end if;
  return null;
end
$$;`);
    this.addSql(`
create constraint trigger activation_slot_matches_history after insert or update on activation_slot
  deferrable initially deferred for each row execute function activation_slot_matches_history();`);
  }

  override async down(): Promise<void> {
    this.addSql('drop trigger if exists activation_slot_matches_history on activation_slot;');
    this.addSql('drop trigger if exists activation_change_chain on activation_change;');
    this.addSql('drop function if exists activation_slot_matches_history, activation_change_chain;');
    this.addSql('alter table activation_change drop constraint if exists activation_change_changes;');
  }
}
