import { IsOptional } from 'class-validator';
import { Field, InputType, Int, ObjectType } from 'type-graphql';
import { AtLeast } from '../../common/validators';
import { Capability } from '../shared/graphql-enums';
import { AIModelType } from '../model/ai-model.types';
import { ActiveModelChangeType } from './activation.types';
import type { ChangeRecord } from './change-record';

@InputType('RevertSlotInput', { description: 'Which slot goes back to which version.' })
export class RevertSlotInput {
  @Field({ description: 'The provider slug.' })
  provider: string;

  @Field(() => Capability, { description: 'The slot.' })
  capability: Capability;

  @Field(() => Int, { description: 'The version whose model the slot gets back (0: empty); 0 <= toVersion < current version.' })
  toVersion: number;

  @Field(() => Int, { nullable: true, description: 'Compare-and-swap, as in activateModel: the version the caller last saw.' })
  @IsOptional()
  @AtLeast(0)
  expectedVersion?: number | null;

  @Field(() => String, { nullable: true, description: 'Why (trimmed, at most 500 characters).' })
  reason?: string | null;
}

@ObjectType('RevertSlotPayload', { simpleResolvers: true, description: 'What a revert did.' })
export class RevertSlotPayload {
  @Field(() => [ActiveModelChangeType], { description: 'One change, or none when the slot already holds that model.' })
  changes: ChangeRecord[];

  @Field(() => [AIModelType], { description: 'The model displaced, if any.' })
  deactivated: unknown[];
}
