import 'reflect-metadata';
import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import { DateTimeScalar } from './date-time.scalar';
import { PubSub as MemoryPubSub } from 'graphql-subscriptions';
import { buildSchema, type NonEmptyArray, type PubSub } from 'type-graphql';
import { roleAuthChecker } from '../modules/auth/auth-checker';
import '../modules/shared/graphql-enums';
import { EventBus } from '../pubsub/event-bus';

/**
 * The schema over resolver instances built by the module factories: TypeGraphQL's container hands
 * each resolver class its instance (constructed with its services), so no resolver looks anything up.
 * `pubSub` is the server's bus; the schema emitter needs none (an in-process one stands in).
 */
export async function createSchema(resolvers: object[], pubSub: PubSub = new EventBus(new MemoryPubSub())): Promise<GraphQLSchema> {
  const byClass = new Map<Function, object>(resolvers.map((r) => [r.constructor, r]));
  return buildSchema({
    resolvers: [...byClass.keys()] as unknown as NonEmptyArray<Function>,
    container: { get: (cls: Function) => byClass.get(cls) },
    authChecker: roleAuthChecker,
    scalarsMap: [{ type: Date, scalar: DateTimeScalar }],
    validate: { forbidUnknownValues: false },
    pubSub,
    emitSchemaFile: false,
  });
}

/** The committed schema.graphql: sorted, so that it changes only when the API does. */
export function printSchemaFile(schema: GraphQLSchema): string {
  return printSchema(lexicographicSortSchema(schema)) + '\n';
}
