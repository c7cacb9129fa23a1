import {
  GraphQLError,
  NoSchemaIntrospectionCustomRule,
  getOperationAST,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import type { WebSocket } from 'ws';
import { AppError, ErrorCode, OperationLimitError } from '../common/errors';
import { Role } from '../common/role';
import type { Actor } from '../modules/auth/actor';
import { operationLimitsRule, tokenLimitError, type OperationLimits } from './operation-limits';
import { BadRequestError, nulInDocument, nulInVariablesError } from './request-guard';

/**
 * The WebSocket's own bounds (the HTTP ones are Apollo's and Fastify's):
 *  - every operation is parsed (maxTokens) and validated with the same limits rule as over HTTP,
 *    and with NoSchemaIntrospection when INTROSPECTION=false;
 *  - MAX_SUBSCRIPTIONS_PER_CONNECTION, MAX_CONNECTIONS_PER_USER;
 *  - a message over MAX_WS_MESSAGE_BYTES closes the socket with 4413;
 *  - a token revoked, or its user's role lowered, closes that token's sockets with 4403.
 */

export const MAX_WS_MESSAGE_BYTES = 1024 * 1024;
export const CLOSE_TOO_LARGE = 4413;
export const CLOSE_FORBIDDEN = 4403;
export const CLOSE_TOO_MANY_CONNECTIONS = 4429;

/** ws closes a socket whose message exceeds maxPayload with 1009; the contract says 4413. */
export function closeOversizedWith4413(socket: WebSocket): void {
  const close = socket.close.bind(socket);
  socket.close = (code?: number, reason?: string | Buffer) =>
    code === 1009 ? close(CLOSE_TOO_LARGE, 'Message too large') : close(code, reason);
}

export interface WsOperationOptions {
  schema: GraphQLSchema;
  limits: OperationLimits;
  introspection: boolean;
}

/** Errors as Apollo names them over HTTP, so WS clients see the same codes. */
const withCode = (e: GraphQLError, code: string) =>
  new GraphQLError(e.message, {
    nodes: e.nodes,
    source: e.source,
    positions: e.positions,
    originalError: e.originalError ?? undefined,
    extensions: { ...e.extensions, code },
  });

/**
 * Parses and validates WebSocket operations; valid documents are kept by query text (bounded), so
 * 5,000 consoles subscribing with the same document validate it once.
 */
export class WsOperations {
  private readonly valid = new Map<string, DocumentNode>();
  private readonly rules;

  constructor(private readonly options: WsOperationOptions) {
    this.rules = [...specifiedRules, ...(options.introspection ? [] : [NoSchemaIntrospectionCustomRule]), operationLimitsRule(options.limits)];
  }

  prepare(payload: {
    query?: unknown;
    operationName?: unknown;
    variables?: unknown;
  }): { document: DocumentNode; operation: OperationDefinitionNode } | { errors: GraphQLError[] } {
    const query = typeof payload.query === 'string' ? payload.query : '';
    const operationName = typeof payload.operationName === 'string' ? payload.operationName : undefined;
    let document = this.valid.get(query);
    if (!document) {
      try {
        document = parse(query, { maxTokens: this.options.limits.maxTokens });
      } catch (e) {
        const overTokens = tokenLimitError(e);
        if (overTokens) return { errors: [overTokens] };
        return { errors: [withCode(e instanceof GraphQLError ? e : new GraphQLError(String(e)), 'GRAPHQL_PARSE_FAILED')] };
      }
      const errors = validate(this.options.schema, document, this.rules);
      if (errors.length) {
        return { errors: errors.map((e) => (e.originalError instanceof AppError ? e.originalError : withCode(e, 'GRAPHQL_VALIDATION_FAILED'))) };
      }
      const literal = nulInDocument(document);
      if (literal) return { errors: [literal] };
      this.valid.set(query, document);
      if (this.valid.size > 200) this.valid.delete(this.valid.keys().next().value!);
    }
    const operation = getOperationAST(document, operationName);
    if (!operation)
      return {
        errors: [
          operationName !== undefined
            ? new BadRequestError('request.unknownOperation', { name: operationName })
            : new BadRequestError('request.operationNameRequired'),
        ],
      };
    const nul = nulInVariablesError(payload.variables as Record<string, unknown> | undefined);
    if (nul) return { errors: [nul] };
    return { document, operation };
  }
}

/** "Did you mean …?" spells the schema out: dropped when introspection is off (as Apollo does over HTTP). */
export function withoutSuggestions(message: string): string {
  return message.replace(/ ?Did you mean(.+)\?$/, '');
}

export function subscriptionLimitError(open: number, max: number): OperationLimitError | undefined {
  return open > max ? new OperationLimitError('subscriptions', max, open) : undefined;
}

const ROLE_RANK: Record<string, number> = { [Role.MEMBER]: 1, [Role.ADMIN]: 2 };

/** The sockets of each user, for the per-user bound and for closing a revoked token's sockets. */
export class ConnectionRegistry<C extends { user: Actor; close(code: number, reason: string): void }> {
  private readonly byUser = new Map<string, Set<C>>();

  constructor(private readonly maxPerUser: number) {}

  /** False when the user already holds the maximum. */
  add(connection: C): boolean {
    let set = this.byUser.get(connection.user.id);
    if (!set) this.byUser.set(connection.user.id, (set = new Set()));
    if (set.size >= this.maxPerUser) return false;
    set.add(connection);
    return true;
  }

  delete(connection: C): void {
    const set = this.byUser.get(connection.user.id);
    set?.delete(connection);
    if (set?.size === 0) this.byUser.delete(connection.user.id);
  }

  /** The connections an AUTH_CHANGED event concerns (no ids: all of them). */
  affected(change: { userId?: string; tokenId?: string }): C[] {
    const all = [...this.byUser.values()].flatMap((s) => [...s]);
    if (!change.userId && !change.tokenId) return all;
    return all.filter((c) => c.user.id === change.userId || c.user.tokenId === change.tokenId);
  }

  /**
   * Checks each affected connection's token again: revoked (or its user gone) or a lower role
   * closes the socket with 4403. `authenticate` throws for a bad token.
   */
  async recheck(
    change: { userId?: string; tokenId?: string },
    authenticate: (c: C) => Promise<Actor | null>,
    onError: (e: unknown) => void,
  ): Promise<void> {
    await Promise.all(
      this.affected(change).map(async (c) => {
        let now: Actor | null;
        try {
          now = await authenticate(c);
        } catch (e) {
          if (!(e instanceof AppError && e.code === ErrorCode.UNAUTHENTICATED)) {
            onError(e);
            return; // the database could not say: keep the socket (the next subscription checks again)
          }
          now = null;
        }
        if (!now) return c.close(CLOSE_FORBIDDEN, 'Forbidden: token revoked');
        if ((ROLE_RANK[now.role] ?? 0) < (ROLE_RANK[c.user.role] ?? 0)) return c.close(CLOSE_FORBIDDEN, 'Forbidden: role changed');
      }),
    );
  }
}
