import { ArgsType, Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { GraphQLJSONObject } from 'graphql-scalars';
import { PageArgs } from '../shared/page-args';
import { PageInfo } from '../activation/activation.types';
import { AuditAction } from './audit-action';
import type { AuditEventView } from './audit.service';

registerEnumType(AuditAction, { name: 'AuditAction', description: 'What an audit event records.' });

@ObjectType('AuditEvent', { simpleResolvers: true, description: 'One state change: who, what, when, and what changed (never a secret).' })
export class AuditEventType {
  @Field(() => ID, { description: 'Stable id.' })
  id: string;

  @Field({ description: 'When the change committed (its transaction wrote this event).' })
  at: Date;

  @Field(() => AuditAction, { description: 'What happened.' })
  action: AuditAction;

  @Field({ description: 'provider | model | slot | scheduledChange | user | apiToken | personalApiKey' })
  targetType: string;

  @Field({ description: 'The id of the target (a slot: "<provider slug>/<capability>").' })
  targetId: string;

  @Field({ description: "One line for people, in the caller's locale." })
  summary: string;

  @Field(() => GraphQLJSONObject, {
    description: 'What changed (before/after where it applies); never a secret: keys only as their hint, tokens never.',
  })
  details: Record<string, unknown>;
}

@ObjectType('AuditEventEdge', { simpleResolvers: true, description: 'An audit event and its cursor.' })
export class AuditEventEdge {
  @Field({ description: 'Pass as `after` to continue after this event.' })
  cursor: string;

  @Field(() => AuditEventType, { description: 'The event.' })
  node: AuditEventView;
}

@ObjectType('AuditEventConnection', { simpleResolvers: true, description: 'A page of the audit log, newest first.' })
export class AuditEventConnection {
  @Field(() => [AuditEventEdge], { description: 'The events of this page.' })
  edges: AuditEventEdge[];

  @Field(() => PageInfo, { description: 'Whether there is more.' })
  pageInfo: PageInfo;
}

@ArgsType()
export class AuditLogArgs extends PageArgs {
  @Field(() => ID, { nullable: true, description: 'Only events by this user.' })
  actorId?: string | null;

  @Field(() => AuditAction, { nullable: true, description: 'Only this action.' })
  action?: AuditAction | null;

  @Field(() => String, {
    nullable: true,
    description: 'Only this kind of target (provider, model, slot, scheduledChange, user, apiToken, personalApiKey).',
  })
  targetType?: string | null;

  @Field(() => Date, { nullable: true, description: 'Only events at or after this instant.' })
  from?: Date | null;

  @Field(() => Date, { nullable: true, description: 'Only events before this instant.' })
  to?: Date | null;
}
