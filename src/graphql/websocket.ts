import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { GraphQLError, type ExecutionResult, type GraphQLSchema } from 'graphql';
import { createSharedSubscribe, type DirectTarget } from './shared-subscribe';
import { canSendNow, sendText, serveGraphqlWs } from './ws-transport';
import { WebSocketServer } from 'ws';
import type { Logger } from 'pino';
import type { Locale } from '../config/config';
import { presentError, UnauthenticatedError } from '../common/errors';
import type { Actor } from '../modules/auth/actor';
import type { RequestContext } from '../modules/shared/request-context';
import { requestLocale } from '../http/request-locale';
import type { ContextFactory } from './context-factory';
import type { EventBus } from '../pubsub/event-bus';
import { AUTH_CHANGED, type AuthChangedPayload } from '../modules/auth/auth-events';
import type { OperationLimits } from './operation-limits';
import { spansOn } from '../observability/spans';
import {
  CLOSE_TOO_MANY_CONNECTIONS,
  ConnectionRegistry,
  MAX_WS_MESSAGE_BYTES,
  WsOperations,
  closeOversizedWith4413,
  subscriptionLimitError,
  withoutSuggestions,
} from './ws-limits';

interface ConnectionInfo {
  connectionId: string;
  locale: Locale;
  authorization: string;
  user: Actor;
  close(code: number, reason: string): void;
}

export interface WebSocketHandle {
  connections(): number;
  close(): Promise<void>;
}

/**
 * graphql-ws on the HTTP server's port and path. A connection authenticates once with
 * connectionParams.authorization (a bad or revoked token is refused with 4403) and every
 * subscription re-checks it, so revocation also stops new subscriptions on open sockets.
 */
export function attachWebSocketServer(input: {
  app: FastifyInstance;
  schema: GraphQLSchema;
  contexts: ContextFactory;
  defaultLocale: Locale;
  log: Logger;
  /** Operation limits and per-connection bounds (ws-limits.ts). */
  limits: OperationLimits & { maxSubscriptionsPerConnection: number; maxConnectionsPerUser: number };
  introspection: boolean;
  /** AUTH_CHANGED arrives here from every instance: revoked tokens' sockets are closed. */
  bus: EventBus;
}): WebSocketHandle {
  const { app, schema, contexts, log, limits } = input;
  // maxPayload: a larger message is refused while its frame header is read, before it is buffered.
  const wss = new WebSocketServer({ server: app.server, path: '/graphql', maxPayload: MAX_WS_MESSAGE_BYTES });
  wss.on('connection', closeOversizedWith4413);
  const operations = new WsOperations({ schema, limits, introspection: input.introspection });
  const registry = new ConnectionRegistry<ConnectionInfo>(limits.maxConnectionsPerUser);
  const authChanges = input.bus.subscribe<AuthChangedPayload>(AUTH_CHANGED);
  void (async () => {
    for await (const change of authChanges) {
      // Let AuthService drop its cached answers for this change first (same event, same tick).
      await new Promise((resolve) => setImmediate(resolve));
      await registry.recheck(
        change ?? {},
        async (c) => {
          const probe = await contexts.create({ locale: c.locale, authorization: c.authorization });
          if (probe.authError) throw probe.authError;
          return probe.user;
        },
        (err) => log.warn({ err }, 'could not re-check a websocket token after AUTH_CHANGED'),
      );
    }
  })().catch((err) => log.error({ err }, 'AUTH_CHANGED listener stopped'));
  const infoOf = (extra: unknown) => (extra as { info?: ConnectionInfo }).info;
  /** Contexts built (and authenticated) in onSubscribe, handed to `context` for the same id. */
  const pendingContexts = (extra: unknown) =>
    ((extra as { contexts?: Map<string, RequestContext> }).contexts ??= new Map<string, RequestContext>());
  /** With tracing on: the connection of each subscription's context, for its span. */
  const connectionOf = new WeakMap<object, string>();
  /** Each subscription's socket and id (by its context), for events sent without graphql-ws's loop (shared-subscribe.ts). */
  const directTargets = new WeakMap<object, DirectTarget>();
  const localize = (errors: readonly GraphQLError[], info: ConnectionInfo | undefined) =>
    errors.map((e) => {
      const out = presentError(e.toJSON(), e, info?.locale ?? input.defaultLocale, info?.connectionId ?? 'ws');
      if (out.unexpected) log.error({ err: e, connectionId: info?.connectionId }, 'unexpected subscription error');
      const message = input.introspection ? out.formatted.message : withoutSuggestions(out.formatted.message);
      return new GraphQLError(message, { path: out.formatted.path, extensions: out.formatted.extensions });
    });
  /** A result as graphql-ws sends it to this connection: its errors in the connection's locale. */
  const localizedResult = (result: ExecutionResult, info: ConnectionInfo | undefined): ExecutionResult => ({
    ...result,
    errors: localize(result.errors ?? [], info),
  });

  const disposable = serveGraphqlWs(
    {
      schema,
      subscribe: createSharedSubscribe({
        connectionOf: (context) => connectionOf.get(context as object),
        directTargetOf: (context) => directTargets.get(context as object),
      }),
      onConnect: async (ctx) => {
        const params = (ctx.connectionParams ?? {}) as Record<string, unknown>;
        const authorization = typeof params.authorization === 'string' ? params.authorization : '';
        const locale = requestLocale(params.locale, input.defaultLocale);
        const probe = await contexts.create({ locale, authorization });
        if (probe.authError || !probe.user) return false;
        const socket = (ctx.extra as { socket: import('ws').WebSocket }).socket;
        const info: ConnectionInfo = {
          connectionId: randomUUID(),
          locale,
          authorization,
          user: probe.user,
          close: (code, reason) => socket.close(code, reason),
        };
        if (!registry.add(info)) {
          log.warn({ user: info.user.name, max: limits.maxConnectionsPerUser }, 'websocket refused: too many connections for this user');
          socket.close(CLOSE_TOO_MANY_CONNECTIONS, 'Too many connections');
          return false;
        }
        socket.once('close', () => registry.delete(info));
        (ctx.extra as { info?: ConnectionInfo }).info = info;
        log.info({ connectionId: info.connectionId, user: info.user.name }, 'websocket connected');
        return true;
      },
      onClose: (ctx, code, reason) => {
        const info = infoOf(ctx.extra);
        if (info) log.info({ connectionId: info.connectionId, code, reason: reason || undefined }, 'websocket closed');
      },
      // The token is checked again for every subscription. A token revoked since the connection was
      // made gets UNAUTHENTICATED for that subscription: throwing from `context` instead would make
      // graphql-ws log an internal error and close the socket with 4500.
      onSubscribe: async (ctx, id, payload) => {
        const info = infoOf(ctx.extra)!;
        log.debug(
          { connectionId: info.connectionId, requestId: `${info.connectionId}:${id}`, operation: payload.operationName ?? undefined },
          'websocket operation',
        );
        // This one is already counted (graphql-ws reserves its id before calling onSubscribe).
        const tooMany = subscriptionLimitError(Object.keys(ctx.subscriptions).length, limits.maxSubscriptionsPerConnection);
        if (tooMany) return [tooMany];
        // Parsed and validated here, with the limits, before anything runs (graphql-ws would close the socket on a syntax error).
        const prepared = operations.prepare(payload);
        if ('errors' in prepared) return prepared.errors;
        const context = await contexts.create({
          locale: info.locale,
          authorization: info.authorization,
          requestId: `${info.connectionId}:${id}`,
        });
        if (context.authError || !context.user) {
          return [context.authError instanceof GraphQLError ? context.authError : new UnauthenticatedError()];
        }
        pendingContexts(ctx.extra).set(id, context);
        const { socket } = ctx.extra;
        directTargets.set(context, {
          head: `{"id":${JSON.stringify(id)}`,
          writable: () => canSendNow(socket),
          send: (text) => void sendText(socket, text)?.catch(() => undefined), // a failed write closes the socket
          withErrors: (result) => localizedResult(result, info),
        });
        if (spansOn()) connectionOf.set(context, info.connectionId);
        return { schema, document: prepared.document, operationName: payload.operationName, variableValues: payload.variables };
      },
      context: (ctx, id) => {
        const pending = pendingContexts(ctx.extra);
        const context = pending.get(id);
        pending.delete(id);
        if (!context) throw new Error(`no context for subscription ${id}`);
        return context;
      },
      onError: (ctx, id, _payload, errors) => {
        pendingContexts(ctx.extra).delete(id);
        return localize(errors, infoOf(ctx.extra));
      },
      onNext: (ctx, _id, _payload, _args, result) => (result.errors?.length ? localizedResult(result, infoOf(ctx.extra)) : result),
    },
    wss,
    log,
  );

  return {
    connections: () => wss.clients.size,
    async close() {
      await authChanges.return?.();
      await disposable.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
