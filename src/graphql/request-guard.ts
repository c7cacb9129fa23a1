import type { ApolloServerPlugin } from '@apollo/server';
import { Kind, visit, type DocumentNode, type OperationDefinitionNode } from 'graphql';
import { AppError, ErrorCode } from '../common/errors';

/**
 * Client mistakes that graphql-js and Apollo would otherwise let through to a 500:
 *  - an operationName naming no operation, or several operations and no operationName;
 *  - a subscription sent over HTTP (subscriptions are served over the WebSocket);
 *  - a NUL character in a string (Postgres text cannot hold one: the statement would fail).
 * Checked once the operation is known, before anything executes. The variables are scanned per
 * request (a few strings for a real query); the document's own string literals only once, when it
 * is validated (see `noNulLiteralsRule`).
 */
export class BadRequestError extends AppError {
  constructor(key: 'request.unknownOperation' | 'request.operationNameRequired' | 'request.subscriptionOverHttp', params: Record<string, string> = {}) {
    super(ErrorCode.BAD_REQUEST, key, params, { http: { status: 400 } });
  }
}

/** The path of the first string containing U+0000 in a JSON value, if any. */
export function nulPath(value: unknown, path = ''): string | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? path || 'value' : undefined;
  if (value === null || typeof value !== 'object') return undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = nulPath(value[i], `${path}[${i}]`);
      if (found) return found;
    }
    return undefined;
  }
  for (const [k, v] of Object.entries(value)) {
    const found = nulPath(v, path ? `${path}.${k}` : k);
    if (found) return found;
  }
  return undefined;
}

/** BAD_USER_INPUT, HTTP 400: raised before execution, where Apollo would otherwise answer 500. */
function nulError(field: string): AppError {
  return new AppError(ErrorCode.BAD_USER_INPUT, 'input.nul', { field }, { field, http: { status: 400 } });
}

export function nulInVariablesError(variables: Record<string, unknown> | undefined | null): AppError | undefined {
  if (!variables) return undefined;
  const field = nulPath(variables);
  return field ? nulError(`$${field}`) : undefined;
}

/** Why an operation cannot be picked out of a document, if it cannot. */
export function operationResolutionError(document: DocumentNode, operationName: string | null | undefined, operation: OperationDefinitionNode | null | undefined): BadRequestError | undefined {
  if (operation) return undefined;
  if (operationName) return new BadRequestError('request.unknownOperation', { name: operationName });
  return document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION).length > 1 ? new BadRequestError('request.operationNameRequired') : undefined;
}

/** A string literal in the document itself with a NUL in it (`"\u0000"`). */
export function nulInDocument(document: DocumentNode): AppError | undefined {
  let error: AppError | undefined;
  visit(document, {
    StringValue(node) {
      if (node.value.includes('\u0000')) {
        error = nulError('a string literal');
        return false;
      }
      return undefined;
    },
  });
  return error;
}

const checkedDocuments = new WeakMap<DocumentNode, AppError | null>();

export function requestGuardPlugin(): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, operation, request }) {
          const unresolved = operationResolutionError(document, request.operationName, operation);
          if (unresolved) throw unresolved;
          if (operation?.operation === 'subscription') throw new BadRequestError('request.subscriptionOverHttp');
          let literal = checkedDocuments.get(document);
          if (literal === undefined) {
            literal = nulInDocument(document) ?? null;
            checkedDocuments.set(document, literal);
          }
          if (literal) throw literal;
          const nul = nulInVariablesError(request.variables);
          if (nul) throw nul;
        },
      };
    },
  };
}
