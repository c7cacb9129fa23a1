import type { ApolloServerPlugin } from '@apollo/server';
import { Kind, OperationTypeNode, visit, type DocumentNode, type OperationDefinitionNode } from 'graphql';
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
  constructor(
    key: 'request.unknownOperation' | 'request.operationNameRequired' | 'request.subscriptionOverHttp',
    params: Record<string, string> = {},
  ) {
    super(ErrorCode.BAD_REQUEST, key, params, { http: { status: 400 } });
  }
}

/**
 * The path of the first string containing U+0000 in a JSON value, if any. Iterative: variables may
 * nest as deep as a 1 MiB body allows, and the path is built only for what is found.
 */
export function nulPath(value: unknown): string | undefined {
  interface Node {
    value: unknown;
    key: string | number | null;
    parent: Node | null;
  }
  const stack: Node[] = [{ value, key: null, parent: null }];
  while (stack.length) {
    const node = stack.pop()!;
    const v = node.value;
    if (typeof v === 'string') {
      if (!v.includes('\u0000')) continue;
      const keys: (string | number)[] = [];
      for (let n: Node | null = node; n && n.key !== null; n = n.parent) keys.unshift(n.key);
      return keys.reduce<string>((path, k) => (typeof k === 'number' ? `${path}[${k}]` : path ? `${path}.${k}` : k), '') || 'value';
    }
    if (v === null || typeof v !== 'object') continue;
    const entries: [string | number, unknown][] = Array.isArray(v) ? v.map((x, i) => [i, x]) : Object.entries(v);
    for (let i = entries.length - 1; i >= 0; i--) stack.push({ value: entries[i][1], key: entries[i][0], parent: node });
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
export function operationResolutionError(
  document: DocumentNode,
  operationName: string | null | undefined,
  operation: OperationDefinitionNode | null | undefined,
): BadRequestError | undefined {
  if (operation) return undefined;
  // An empty string is a name too: graphql-js looks for an operation called "" and finds none.
  if (operationName != null) return new BadRequestError('request.unknownOperation', { name: operationName });
  return document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION).length > 1
    ? new BadRequestError('request.operationNameRequired')
    : undefined;
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
          if (operation?.operation === OperationTypeNode.SUBSCRIPTION) throw new BadRequestError('request.subscriptionOverHttp');
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
