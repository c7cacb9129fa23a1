import 'reflect-metadata';
import { createHash } from 'node:crypto';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { fastifyApolloDrainPlugin, fastifyApolloHandler } from '@as-integrations/fastify';
import Fastify, { type FastifyInstance } from 'fastify';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { GraphQLSchema } from 'graphql';
import type { Config } from './config/config';
import { createLogger, type Logger } from './common/logger';
import { translate } from './common/i18n/translate';
import { SecretBox } from './common/secret-box';
import { DEFAULT_DATABASE_URL } from './db/orm-options';
import { openDatabase } from './db/database';
import { ActivationQueryService } from './modules/activation/activation-query.service';
import { ActivationService } from './modules/activation/activation.service';
import type { ChangeListener } from './modules/activation/change-record';
import { AuthService } from './modules/auth/auth.service';
import { AIModelService } from './modules/model/ai-model.service';
import { ProviderService } from './modules/provider/provider.service';
import type { RequestContext } from './graphql/context';
import { ContextFactory } from './graphql/context-factory';
import { authGatePlugin } from './graphql/operation-guard';
import { formatErrorFirstPass, localizedErrorsPlugin } from './graphql/error-plugin';
import { createSchema } from './graphql/schema';
import { jitGateway } from './graphql/jit-executor';
import type { Services } from './graphql/services';
import { createBroker, type Broker } from './pubsub/broker';
import { ChangePublisher } from './modules/activation/change-publisher';
import { ChangeFeedService } from './modules/activation/change-feed.service';
import { ChangeSequencer } from './modules/activation/change-sequencer';
import { ProviderSnapshotReader, snapshotCodec, type ProviderSnapshot } from './modules/activation/provider-snapshot.reader';
import { registerAllModules } from './modules/register';
import { attachWebSocketServer } from './graphql/websocket';
import { registerStaticRoutes } from './http/static-routes';
import { registerConnectionDrain } from './http/drain';
import { createMetrics } from './observability/metrics';
import { createGatewayServices } from './modules/gateway/gateway.module';
import { createAuditModule } from './modules/audit/audit.module';
import { createScheduleModule } from './modules/schedule/schedule.module';
import { scheduleActivationOf } from './modules/schedule/activation-adapter';
import type { ScheduleWorker } from './modules/schedule/schedule.worker';

export interface ServerOptions {
  logger?: Logger;
  /** Every SQL statement, for tests that count them. */
  onQuery?: (sql: string) => void;
  /** false: the scheduled-switch worker is not started (tests start it through `scheduleWorker`). */
  startScheduleWorker?: boolean;
}

export interface SwitchboardServer {
  app: FastifyInstance;
  orm: MikroORM;
  schema: GraphQLSchema;
  services: Services;
  broker: Broker<ProviderSnapshot>;
  publisher: ChangePublisher;
  /** This instance's worker for scheduled switches. */
  scheduleWorker: ScheduleWorker;
  log: Logger;
  listen(): Promise<string>;
  /**
   * Graceful stop. `graceMs`: first keep serving (and accepting) that long with /readyz at 503, so a
   * load balancer stops sending and connections already queued in the kernel are still served.
   */
  close(options?: { graceMs?: number }): Promise<void>;
}

/** Fans committed changes out to every interested party (events, caches). */
class ChangeListeners implements ChangeListener {
  readonly listeners: ChangeListener[] = [];
  async changesCommitted(changes: Parameters<ChangeListener['changesCommitted']>[0], providerIds: string[]) {
    await Promise.all(this.listeners.map((l) => l.changesCommitted(changes, providerIds)));
  }
}

/** Instances that share a database are one deployment: they share Redis channels and cache keys. */
function deploymentNamespace(databaseUrl: string): string {
  const u = new URL(databaseUrl);
  return createHash('sha256').update(`${u.hostname}:${u.port || 5432}${u.pathname}`).digest('hex').slice(0, 12);
}

export async function createServer(config: Config, options: ServerOptions = {}): Promise<SwitchboardServer> {
  registerAllModules();
  const log = options.logger ?? createLogger(config.logLevel);
  if (config.encryptionKeyIsDefault) {
    log.warn('ENCRYPTION_KEY is not set: using the built-in development key. Set ENCRYPTION_KEY (32 bytes) in production.');
  }
  const databaseUrl = config.databaseUrl ?? DEFAULT_DATABASE_URL;
  const orm = await openDatabase({ databaseUrl, poolMax: config.databasePoolMax, migrate: config.migrateOnStart, onQuery: options.onQuery });
  const broker = createBroker({ redisUrl: config.redisUrl, namespace: deploymentNamespace(databaseUrl), codec: snapshotCodec, log });
  const listeners = new ChangeListeners();
  const secrets = new SecretBox(config.encryptionKey);
  const auth = new AuthService(orm.em as never);
  const activation = new ActivationService(auth, listeners, log);
  const providers = new ProviderService(auth, secrets, listeners);
  const models = new AIModelService(auth, providers, activation);
  const activationQueries = new ActivationQueryService();
  const sequencer = new ChangeSequencer(orm, broker.bus, log);
  await sequencer.start();
  const snapshots = new ProviderSnapshotReader(broker.store, providers, models, activationQueries);
  const changeFeed = new ChangeFeedService(orm, sequencer, snapshots.slugIndex);
  broker.onReconnect(() => sequencer.resync());
  const auditModule = createAuditModule({ orm, log, retentionDays: config.auditRetentionDays });
  const scheduleModule = createScheduleModule({ orm, activation: scheduleActivationOf(activation), audit: auditModule.audit, listener: listeners, log });
  const services: Services = {
    auth,
    providers,
    activation,
    models,
    activationQueries,
    snapshots,
    changeFeed,
    ...createGatewayServices({ auth, providers, secrets, log, providerTimeoutMs: config.providerTimeoutMs }),
    audit: auditModule.audit,
    schedules: scheduleModule.schedules,
  };
  const publisher = new ChangePublisher(orm, broker.bus, broker.store, log);
  listeners.listeners.push(publisher);
  const metrics = createMetrics({
    liveSubscriptions: () => changeFeed.openFeeds,
    webSocketConnections: () => wsServer.connections(),
    cache: () => ({ hits: broker.store.hits, misses: broker.store.misses }),
    outboxBacklog: () => publisher.backlog(),
  });
  listeners.listeners.push(metrics.changeListener);
  publisher.startRelay();
  auditModule.retention.start();
  // Switches that fell due while no instance ran apply now; tests may hold the worker back.
  if (options.startScheduleWorker !== false) scheduleModule.worker.start();
  // Token cache on, following AUTH_CHANGED from the other instances (before bootstrapAdmin announces).
  auth.connect(broker);
  if (config.adminToken) await auth.bootstrapAdmin(config.adminToken);

  const schema = await createSchema(broker.bus);
  const contexts = new ContextFactory(orm, services, config.defaultLocale);

  const app = Fastify({ logger: false, bodyLimit: 1024 * 1024, return503OnClosing: false });
  const apollo = new ApolloServer<RequestContext>({
    // graphql-jit executes (Apollo's `gateway` hook); parsing, validation, plugins and formatError stay Apollo's.
    gateway: jitGateway(schema),
    introspection: config.introspection,
    includeStacktraceInErrorResponses: false,
    // main.ts owns SIGTERM (graceful shutdown); Apollo's own handler would re-raise the signal and kill the process mid-drain.
    stopOnTerminationSignals: false,
    plugins: [fastifyApolloDrainPlugin(app), ApolloServerPluginCacheControlDisabled(), ApolloServerPluginLandingPageDisabled(), metrics.apolloPlugin(log), authGatePlugin() as never, localizedErrorsPlugin(log)],
    formatError: formatErrorFirstPass(config.defaultLocale),
  });
  await apollo.start();

  const graphqlHandler = fastifyApolloHandler(apollo, {
    context: async (request) =>
      contexts.create({
        requestId: (request as unknown as { requestId: string }).requestId,
        locale: contexts.locale(request.headers['accept-language']),
        authorization: request.headers.authorization,
      }),
  });

  app.decorateRequest('requestId', '');
  app.addHook('onRequest', async (request, reply) => {
    const id = contexts.newRequestId(request.headers['x-request-id']);
    (request as unknown as { requestId: string }).requestId = id;
    reply.header('x-request-id', id);
  });

  app.route({
    url: '/graphql',
    method: ['GET', 'POST', 'OPTIONS'],
    handler: graphqlHandler as never,
  });

  const wsServer = attachWebSocketServer({ app, schema, contexts, defaultLocale: config.defaultLocale, log });

  app.get('/healthz', async () => ({ status: 'ok' }));
  let draining = false;
  app.get('/readyz', async (_request, reply) => {
    const postgres = await orm.em
      .getConnection()
      .execute('select 1')
      .then(() => 'ok' as const, () => 'down' as const);
    const redis = broker.mode === 'memory' ? 'not configured' : (await broker.ping()) ? 'ok' : 'down';
    const ready = postgres === 'ok' && redis !== 'down' && !draining;
    return reply.code(ready ? 200 : 503).send({ status: draining ? 'draining' : ready ? 'ok' : 'unavailable', postgres, redis });
  });

  // Every error response is JSON with a code, in the caller's language.
  app.setNotFoundHandler((request, reply) => {
    const locale = contexts.locale(request.headers['accept-language']);
    reply.code(404).send({
      errors: [{ message: translate(locale, 'request.notFound', { method: request.method, url: request.url }), extensions: { code: 'NOT_FOUND' } }],
    });
  });
  app.setErrorHandler((error: Error & { statusCode?: number; code?: string }, request, reply) => {
    const locale = contexts.locale(request.headers['accept-language']);
    const status = error.statusCode ?? 500;
    if (status >= 500) {
      const requestId = (request as unknown as { requestId: string }).requestId;
      log.error({ err: error, requestId }, 'unexpected HTTP error');
      return reply.code(500).send({ errors: [{ message: translate(locale, 'internal', { requestId }), extensions: { code: 'INTERNAL_SERVER_ERROR', requestId } }] });
    }
    const key = status === 413 ? 'request.tooLarge' : error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error instanceof SyntaxError ? 'request.badJson' : null;
    const message = key ? translate(locale, key) : error.message;
    return reply.code(status).send({ errors: [{ message, extensions: { code: 'BAD_REQUEST' } }] });
  });
  // Only after setErrorHandler: awaiting a plugin registration lets Fastify bind the routes declared
  // so far (/graphql included) to the error handler of that moment, the default one.
  await registerStaticRoutes(app);
  registerConnectionDrain(app);
  metrics.registerRoute(app, config.metricsToken);

  let closed = false;
  return {
    app,
    orm,
    schema,
    services,
    broker,
    publisher,
    scheduleWorker: scheduleModule.worker,
    log,
    async listen() {
      const address = await app.listen({ port: config.port, host: config.host });
      log.info({ address }, 'Switchboard is listening');
      return address;
    },
    async close(options = {}) {
      if (closed) return;
      closed = true;
      draining = true;
      if (options.graceMs) await new Promise((resolve) => setTimeout(resolve, options.graceMs));
      await changeFeed.closeAll();
      // Ended feeds make graphql-ws send each subscription's `complete` a few ticks later: let those
      // frames out before the sockets are closed, so clients see a clean end, not a dropped socket.
      await new Promise((resolve) => setTimeout(resolve, 50));
      await wsServer.close();
      await app.close();
      await apollo.stop().catch(() => undefined);
      // The switch being applied finishes its transaction; no new one is claimed.
      await scheduleModule.worker.stop();
      await auditModule.retention.stop();
      await publisher.stop();
      await sequencer.stop();
      await auth.disconnect();
      await broker.close();
      await orm.close(true);
    },
  };
}
