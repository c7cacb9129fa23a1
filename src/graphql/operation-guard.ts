import type { ApolloServerPlugin } from '@apollo/server';
import { Kind, type OperationDefinitionNode } from 'graphql';
import { UnauthenticatedError } from '../common/errors';
import type { GraphQLContext } from './context-factory';

/** True when the operation asks only for the schema (__schema, __type, __typename). */
export function isIntrospectionOnly(operation: OperationDefinitionNode | null | undefined): boolean {
  if (!operation) return false;
  return operation.selectionSet.selections.every((s) => s.kind === Kind.FIELD && s.name.value.startsWith('__'));
}

/**
 * Every operation needs a valid token, checked once the operation is known: the schema itself
 * may be read without one (the explorer loads it before the user pastes a token).
 */
export function authGatePlugin(): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ contextValue, operation }) {
          if (contextValue.authError) throw contextValue.authError;
          if (!contextValue.user && !isIntrospectionOnly(operation)) throw new UnauthenticatedError();
        },
      };
    },
  };
}
