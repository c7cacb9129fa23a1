import 'reflect-metadata';
import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import { DateTimeResolver } from 'graphql-scalars';
import { buildSchema, type NonEmptyArray } from 'type-graphql';
import type { PubSub } from 'type-graphql';
import { ActivationResolver, ActiveModelChangeResolver, ActiveModelSlotResolver } from '../modules/activation/activation.resolver';
import { ChangeFeedResolver } from '../modules/activation/change-feed.resolver';
import { ApiTokenResolver, AuthResolver } from '../modules/auth/auth.resolver';
import { AIModelResolver } from '../modules/model/ai-model.resolver';
import { ProviderResolver } from '../modules/provider/provider.resolver';
import { ProviderKeyHintResolver } from '../modules/provider/provider-key-hint.resolver';
import { UserDirectoryResolver, UserTokensResolver } from '../modules/auth/user-directory.resolver';
import './enums';
import { PubSub as MemoryPubSub } from 'graphql-subscriptions';
import { EventBus } from '../pubsub/event-bus';

const coreResolvers = [
  ProviderResolver,
  AIModelResolver,
  ActivationResolver,
  ActiveModelSlotResolver,
  ActiveModelChangeResolver,
  ChangeFeedResolver,
  AuthResolver,
  ApiTokenResolver,
  UserDirectoryResolver,
  UserTokensResolver,
  ProviderKeyHintResolver,
];
const extraResolvers: Function[] = [];

/** Later modules (realtime, gateway) add their resolvers before the schema is built. */
export function registerResolvers(...resolvers: Function[]): void {
  for (const r of resolvers) if (!extraResolvers.includes(r)) extraResolvers.push(r);
}

/** `pubSub` is the server's bus; the schema emitter needs none (an in-process one stands in). */
export async function createSchema(pubSub: PubSub = new EventBus(new MemoryPubSub())): Promise<GraphQLSchema> {
  return buildSchema({
    resolvers: [...coreResolvers, ...extraResolvers] as unknown as NonEmptyArray<Function>,
    scalarsMap: [{ type: Date, scalar: DateTimeResolver }],
    validate: { forbidUnknownValues: false },
    pubSub,
    emitSchemaFile: false,
  });
}

/** The committed schema.graphql: sorted, so that it changes only when the API does. */
export function printSchemaFile(schema: GraphQLSchema): string {
  return printSchema(lexicographicSortSchema(schema)) + '\n';
}
