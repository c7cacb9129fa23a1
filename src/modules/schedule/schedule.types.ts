import { IsOptional } from 'class-validator';
import { ArgsType, Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { AtLeast } from '../../common/validators';
import { Capability } from '../shared/graphql-enums';
import { PageArgs } from '../shared/page-args';
import { ModelSlotsInput } from '../activation/activation.types';
import { connectionType } from '../shared/connection.types';
import { ScheduledChangeStatus } from './schedule-rules';
import type { ScheduledChangeRecord } from './schedule.repository';

registerEnumType(ScheduledChangeStatus, {
  name: 'ScheduledChangeStatus',
  description: 'PENDING until it applies (APPLIED), fails a check (FAILED) or is cancelled (CANCELLED).',
});

@ObjectType('ScheduledChange', {
  simpleResolvers: true,
  description: 'A switch planned for a moment: applies within 2 s after `at`, exactly once.',
})
export class ScheduledChangeType {
  @Field(() => ID, { description: 'Stable id.' })
  id: string;

  @Field(() => [Capability], { description: 'The slots it switches.' })
  capabilities: Capability[];

  @Field(() => Int, { nullable: true, description: 'Compare-and-swap at apply time, as in activateModel.' })
  expectedVersion: number | null;

  @Field({ description: 'When it applies.' })
  at: Date;

  @Field(() => String, { nullable: true, description: 'Why; stored with every slot change it makes.' })
  reason: string | null;

  @Field(() => ScheduledChangeStatus, { description: 'Where it stands.' })
  status: ScheduledChangeStatus;

  @Field({ description: 'When it was scheduled.' })
  createdAt: Date;

  @Field(() => Date, { nullable: true, description: 'When it was applied, failed or cancelled.' })
  appliedAt: Date | null;

  @Field(() => String, { nullable: true, description: 'FAILED: the error code (CONFLICT, NOT_FOUND, BAD_USER_INPUT, FORBIDDEN).' })
  failureCode: string | null;
}

export const ScheduledChangeConnection = connectionType<ScheduledChangeRecord>(ScheduledChangeType, {
  item: 'switch',
  edge: { name: 'ScheduledChangeEdge', description: 'A scheduled switch and its cursor.' },
  connection: {
    name: 'ScheduledChangeConnection',
    description: 'A page of scheduled switches, by `at`, then id.',
    edges: 'The switches of this page.',
  },
});

@InputType('ScheduleActivationInput', { description: 'A switch to make later, exactly as activateModel would then.' })
export class ScheduleActivationInput extends ModelSlotsInput {
  @Field(() => Int, { nullable: true, description: 'As in activateModel: compared when it applies; needs exactly one capability.' })
  @IsOptional()
  @AtLeast(0)
  expectedVersion?: number | null;

  @Field({ description: 'When: in the future, at most 366 days ahead.' })
  at: Date;

  @Field(() => String, { nullable: true, description: 'Why (trimmed, at most 500 characters).' })
  reason?: string | null;
}

@ArgsType()
export class ScheduledChangesArgs extends PageArgs {
  @Field(() => String, { nullable: true, description: 'Only this provider (slug).' })
  provider?: string | null;

  @Field(() => ScheduledChangeStatus, { nullable: true, description: 'Only this status.' })
  status?: ScheduledChangeStatus | null;
}
