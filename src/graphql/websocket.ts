import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { GraphQLError, type GraphQLSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { createSharedSubscribe } from './shared-subscribe';
import { WebSocketServer } from 'ws';
import type { Logger } from 'pino';
import type { Locale } from '../config/config';
import { presentError, UnauthenticatedError } from '../common/errors';
import type { Actor } from '../modules/auth/actor';
import type { RequestContext } from '../modules/shared/request-context';
import { requestLocale } from '../http/request-locale';
import type { ContextFactory } from './context-factory';

interface ConnectionInfo {
  connectionId: string;
  locale: Locale;
  authorization: string;
  user: Actor;
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
}): WebSocketHandle {
  const { app, schema, contexts, log } = input;
  const wss = new WebSocketServer({ server: app.server, path: '/graphql' });
  const infoOf = (extra: unknown) => (extra as { info?: ConnectionInfo }).info;
  /** Contexts built (and authenticated) in onSubscribe, handed to `context` for the same id. */
  const pendingContexts = (extra: unknown) => ((extra as { contexts?: Map<string, RequestContext> }).contexts ??= new Map<string, RequestContext>());
  const localize = (errors: readonly GraphQLError[], info: ConnectionInfo | undefined) =>
    errors.map((e) => {
      const out = presentError(e.toJSON(), e, info?.locale ?? input.defaultLocale, info?.connectionId ?? 'ws');
      if (out.unexpected) log.error({ err: e, connectionId: info?.connectionId }, 'unexpected subscription error');
      return new GraphQLError(out.formatted.message, { path: out.formatted.path, extensions: out.formatted.extensions });
    });

  const disposable = useServer(
    {
      schema,
      subscribe: createSharedSubscribe(),
      onConnect: async (ctx) => {
        const params = (ctx.connectionParams ?? {}) as Record<string, unknown>;
        const authorization = typeof params.authorization === 'string' ? params.authorization : '';
        const locale = requestLocale(params.locale, input.defaultLocale);
        const probe = await contexts.create({ locale, authorization });
        if (probe.authError || !probe.user) return false;
        const info: ConnectionInfo = { connectionId: randomUUID(), locale, authorization, user: probe.user };
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
        log.debug({ connectionId: info.connectionId, requestId: `${info.connectionId}:${id}`, operation: payload.operationName ?? undefined }, 'websocket operation');
        const context = await contexts.create({ locale: info.locale, authorization: info.authorization, requestId: `${info.connectionId}:${id}` });
        if (context.authError || !context.user) {
          return [context.authError instanceof GraphQLError ? context.authError : new UnauthenticatedError()];
        }
        pendingContexts(ctx.extra).set(id, context);
        return undefined;
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
      onNext: (ctx, _id, _payload, _args, result) => {
        if (!result.errors?.length) return result;
        return { ...result, errors: localize(result.errors, infoOf(ctx.extra)) };
      },
    },
    wss,
  );

  return {
    connections: () => wss.clients.size,
    async close() {
      await disposable.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
