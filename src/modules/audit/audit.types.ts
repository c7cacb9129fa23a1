import { ArgsType, Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { GraphQLJSONObject } from 'graphql-scalars';
import { PageArgs } from '../shared/page-args';
import { connectionType } from '../shared/connection.types';
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

export const AuditEventConnection = connectionType<AuditEventView>(AuditEventType, {
  item: 'event',
  edge: { name: 'AuditEventEdge', description: 'An audit event and its cursor.' },
  connection: { name: 'AuditEventConnection', description: 'A page of the audit log, newest first.', edges: 'The events of this page.' },
});

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
