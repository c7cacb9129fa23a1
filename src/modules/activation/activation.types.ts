import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { IsOptional } from 'class-validator';
import { AtLeast, DistinctList, NonEmptyList } from '../../common/validators';
import { Capability } from '../shared/graphql-enums';
import { AIModelType } from '../model/ai-model.types';
import { connectionType } from '../shared/connection.types';
import type { ChangeRecord } from './change-record';
import type { SlotView } from './slot-view';

@ObjectType('ActiveModelSlot', { simpleResolvers: true, description: 'A held slot: the one model active for a provider and capability.' })
export class ActiveModelSlotType implements Partial<SlotView> {
  @Field(() => Capability, { description: 'The capability of the slot.' })
  capability: Capability;

  @Field(() => Int, { description: 'Starts at 1, +1 on every change of this slot; never goes back.' })
  version: number;

  @Field({ description: 'When the slot last changed.' })
  activatedAt: Date;

  @Field(() => String, { nullable: true, description: 'Who made the last change (user name).' })
  activatedBy: string | null;
}

@ObjectType('ActiveModelChange', { simpleResolvers: true, description: 'One committed change of a slot.' })
export class ActiveModelChangeType implements Partial<ChangeRecord> {
  @Field(() => Capability, { description: 'The capability of the slot.' })
  capability: Capability;

  @Field(() => Int, { description: "The slot's version after this change." })
  version: number;

  @Field({ description: 'When the change committed.' })
  changedAt: Date;

  @Field(() => String, { nullable: true, description: 'Who made the change (user name).' })
  changedBy: string | null;

  @Field(() => String, { nullable: true, description: 'Why, as given with the change; null when none was given.' })
  reason: string | null;
}

export const ActiveModelChangeConnection = connectionType<ChangeRecord>(ActiveModelChangeType, {
  item: 'change',
  edge: { name: 'ActiveModelChangeEdge', description: 'A change and its cursor.' },
  connection: { name: 'ActiveModelChangeConnection', description: 'A page of history, newest first.', edges: 'The changes of this page.' },
});

@ObjectType('ActivateModelPayload', { simpleResolvers: true, description: 'What an activation did.' })
export class ActivateModelPayload {
  @Field(() => AIModelType, { description: 'The activated model.' })
  model: unknown;

  @Field(() => [ActiveModelChangeType], { description: 'One per slot that changed; empty when nothing changed.' })
  changes: ChangeRecord[];

  @Field(() => [AIModelType], { description: 'The models displaced from those slots.' })
  deactivated: unknown[];
}

@ObjectType('DeactivateModelPayload', { simpleResolvers: true, description: 'What a deactivation did.' })
export class DeactivateModelPayload {
  @Field(() => AIModelType, { description: 'The deactivated model.' })
  model: unknown;

  @Field(() => [ActiveModelChangeType], { description: 'One per slot emptied; empty when nothing changed.' })
  changes: ChangeRecord[];
}

@ObjectType('DeleteModelPayload', { simpleResolvers: true, description: 'What a deletion did.' })
export class DeleteModelPayload {
  @Field(() => ID, { description: 'The deleted model.' })
  id: string;

  @Field(() => [ActiveModelChangeType], { description: 'Slots the deleted model held, now empty.' })
  changes: ChangeRecord[];
}

/**
 * The model and the slots it takes, as activateModel and scheduleActivation both name them. A base class
 * only: input types inherit fields from a registered @InputType, and one that no field uses is not emitted.
 */
@InputType()
export abstract class ModelSlotsInput {
  @Field(() => ID, { description: 'The model to activate.' })
  modelId: string;

  @Field(() => [Capability], { nullable: true, description: "Default: all of the model's capabilities; each must be one of them." })
  @IsOptional()
  @NonEmptyList()
  @DistinctList()
  capabilities?: Capability[] | null;
}

@InputType('ActivateModelInput', { description: 'Which model takes which slots.' })
export class ActivateModelInput extends ModelSlotsInput {
  @Field(() => Int, {
    nullable: true,
    description:
      'Compare-and-swap: the version the caller last saw of the one slot it changes (0 for a slot never held). Needs exactly one capability. Mismatch: CONFLICT, nothing changes.',
  })
  @IsOptional()
  @AtLeast(0)
  expectedVersion?: number | null;

  @Field(() => String, { nullable: true, description: 'Why (trimmed, at most 500 characters); stored with every slot change it causes.' })
  reason?: string | null;
}

@InputType('DeactivateModelInput', { description: 'Which slots a model gives up.' })
export class DeactivateModelInput {
  @Field(() => ID, { description: 'The model to deactivate.' })
  modelId: string;

  @Field(() => [Capability], { nullable: true, description: 'Default: every slot the model holds.' })
  @IsOptional()
  @NonEmptyList()
  @DistinctList()
  capabilities?: Capability[] | null;

  @Field(() => String, { nullable: true, description: 'Why (trimmed, at most 500 characters); stored with every slot change it causes.' })
  reason?: string | null;
}
