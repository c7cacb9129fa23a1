import 'reflect-metadata';
import { createHash } from 'node:crypto';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { fastifyApolloDrainPlugin, fastifyApolloHandler } from '@as-integrations/fastify';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { GraphQLSchema } from 'graphql';
import type { Config } from './config/config';
import { createLogger, type Logger } from './common/logger';
import { createApp, type AppServices } from './app';
import { DEFAULT_DATABASE_URL } from './db/orm-options';
import { openDatabase } from './db/database';
import type { TransactionRunner } from './db/transaction';
import { changesIn } from './modules/activation/activation-events';
import { snapshotCodec, type ProviderSnapshot } from './modules/activation/provider-snapshot';
import { ContextFactory, type ContextInput, type GraphQLContext } from './graphql/context-factory';
import { HttpFastPath } from './graphql/http-fast-path';
import { authGatePlugin } from './graphql/operation-guard';
import { requestGuardPlugin } from './graphql/request-guard';
import { DEFAULT_LIST_SIZE, operationLimitsRule } from './graphql/operation-limits';
import { formatErrorInDefaultLocale, localizedErrorsPlugin } from './graphql/error-plugin';
import { createSchema } from './graphql/schema';
import { jitGateway } from './graphql/jit-executor';
import { attachWebSocketServer } from './graphql/websocket';
import { createBackplane, type Backplane } from './pubsub/backplane';
import { registerStaticRoutes } from './http/static-routes';
import { registerConnectionDrain } from './http/drain';
import { registerRestV1 } from './http/rest-v1.route';
import { registerLanding } from './http/landing';
import { fastifyTimeouts } from './http/timeouts';
import { registerErrorHandlers } from './http/error-handlers';
import { registerHealthRoutes } from './http/health-routes';
import { REQUEST_ID_HEADER, requestIdOf } from './http/request-id';
import { requestLocale } from './http/request-locale';
import { createMetrics } from './observability/metrics';
import { closeInOrder } from './shutdown';

export interface ServerOptions {
  logger?: Logger;
  /** Every SQL statement, for tests that count them. */
  onQuery?: (sql: string) => void;
  /** Turns tracing on with this exporter (tests: InMemorySpanExporter), whatever the configuration says. */
  spanExporter?: import('@opentelemetry/sdk-trace').SpanExporter;
  /** false: the scheduled-switch worker is not started (tests start it through services.scheduleWorker). */
  startScheduleWorker?: boolean;
}

export interface SwitchboardServer {
  app: FastifyInstance;
  orm: MikroORM;
  schema: GraphQLSchema;
  services: AppServices;
  transactions: TransactionRunner;
  backplane: Backplane<ProviderSnapshot>;
  log: Logger;
  listen(): Promise<string>;
  /**
   * Graceful stop. `graceMs`: first keep serving (and accepting) that long with /readyz at 503, so a
   * load balancer stops sending and connections already queued in the kernel are still served.
   */
  close(options?: { graceMs?: number }): Promise<void>;
}

/** Instances that share a database are one deployment: they share Redis channels and cache keys. */
function deploymentNamespace(databaseUrl: string): string {
  const u = new URL(databaseUrl);
  return createHash('sha256')
    .update(`${u.hostname}:${u.port || 5432}${u.pathname}`)
    .digest('hex')
    .slice(0, 12);
}

/** The composition root: database, backplane, the modules (src/app.ts), GraphQL over HTTP and WebSocket. */
export async function createServer(config: Config, options: ServerOptions = {}): Promise<SwitchboardServer> {
  const log = options.logger ?? createLogger(config.logLevel);
  // Loaded only when on: with tracing off no OpenTelemetry SDK or instrumentation is in the process.
  const tracing =
    config.otelEndpoint || options.spanExporter
      ? // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded lazily and synchronously, only when tracing is on
        (require('./observability/tracing') as typeof import('./observability/tracing')).startTracing({
          endpoint: config.otelEndpoint,
          exporter: options.spanExporter,
          log,
        })
      : undefined;
  if (config.encryptionKeyIsDefault) {
    log.warn('ENCRYPTION_KEY is not set: using the built-in development key. Set ENCRYPTION_KEY (32 bytes) in production.');
  }
  const databaseUrl = config.databaseUrl ?? DEFAULT_DATABASE_URL;
  const orm = await openDatabase({
    databaseUrl,
    poolMax: config.databasePoolMax,
    migrate: config.migrateOnStart,
    onQuery: options.onQuery,
    timeouts: config.database,
  });
  const rootEm = orm.em;
  const backplane = createBackplane({ redisUrl: config.redisUrl, namespace: deploymentNamespace(databaseUrl), codec: snapshotCodec, log });
  const { services, transactions, resolvers } = createApp({ config, rootEm, backplane, log });

  await services.sequencer.start();
  backplane.onReconnect(() => services.sequencer.resync());
  const metrics = createMetrics({
    liveSubscriptions: () => services.changeFeed.openFeeds,
    webSocketConnections: () => wsServer.connections(),
    cache: () => ({ hits: backplane.cache.hits, misses: backplane.cache.misses }),
    outboxBacklog: () => services.outbox.backlog(),
  });
  transactions.onCommit((events) => metrics.countSlotChanges(changesIn(events)));
  services.outbox.startRelay();
  services.auditRetention.start();
  // Switches that fell due while no instance ran apply now.
  if (options.startScheduleWorker !== false) services.scheduleWorker.start();
  // Token cache on, following AUTH_CHANGED from the other instances (before bootstrapAdmin announces).
  services.authentication.connect(backplane);
  if (config.adminToken) await services.users.bootstrapAdmin(config.adminToken);

  const schema = await createSchema(resolvers, backplane.bus);
  tracing?.instrumentSchema(schema);
  const contexts = new ContextFactory(rootEm, services.authentication, services);

  // Fastify's request id: a valid X-Request-Id is kept, anything else replaced (requestIdOf).
  const app = Fastify({
    logger: false,
    bodyLimit: 1024 * 1024,
    return503OnClosing: false,
    requestIdHeader: false,
    genReqId: requestIdOf,
    ...fastifyTimeouts(config.http),
  });
  const gateway = jitGateway(schema, { maxCost: config.limits.maxCost });
  const formatError = formatErrorInDefaultLocale(config.defaultLocale);
  const apollo = new ApolloServer<GraphQLContext>({
    // graphql-jit executes (Apollo's `gateway` hook); parsing, validation, plugins and formatError stay Apollo's.
    gateway,
    introspection: config.introspection,
    // Limits run with validation, i.e. once per document Apollo has not cached yet (operation-limits.ts).
    validationRules: [operationLimitsRule({ ...config.limits, listSize: DEFAULT_LIST_SIZE })],
    parseOptions: { maxTokens: config.limits.maxTokens },
    // Without introspection, "Did you mean …" suggestions must not spell the schema out either.
    hideSchemaDetailsFromClientErrors: !config.introspection,
    includeStacktraceInErrorResponses: false,
    // main.ts owns SIGTERM (graceful shutdown); Apollo's own handler would re-raise the signal and kill the process mid-drain.
    stopOnTerminationSignals: false,
    plugins: [
      fastifyApolloDrainPlugin(app),
      ApolloServerPluginCacheControlDisabled(),
      ApolloServerPluginLandingPageDisabled(),
      metrics.apolloPlugin(log),
      authGatePlugin(),
      requestGuardPlugin(),
      localizedErrorsPlugin(log),
      ...(tracing ? [tracing.apolloPlugin()] : []),
    ],
    formatError,
  });
  await apollo.start();

  app.addHook('onRequest', async (request, reply) => {
    reply.header(REQUEST_ID_HEADER, request.id);
  });
  const contextInput = (request: FastifyRequest): ContextInput => ({
    requestId: request.id,
    locale: requestLocale(request.headers['accept-language'], config.defaultLocale),
    authorization: request.headers.authorization,
  });
  // Off with tracing: the operation's span is Apollo's (the tracing plugin).
  const fastPath = tracing
    ? undefined
    : new HttpFastPath({ jit: gateway.jit, contexts, contextInput, formatError, recordOperation: metrics.recordOperation, log });
  const apolloHandler = fastifyApolloHandler(apollo, {
    context: async (request) => fastPath?.contextOf(request) ?? contexts.create(contextInput(request)),
  });
  const graphqlHandler: typeof apolloHandler = fastPath
    ? async function (request, reply) {
        const answered = await fastPath.serve(request, reply);
        if (answered !== undefined) return answered;
        const body = await apolloHandler.call(this, request, reply);
        fastPath.learn(request, reply);
        return body;
      }
    : apolloHandler;
  app.route({
    url: '/graphql',
    method: ['GET', 'POST', 'OPTIONS'],
    handler: tracing ? tracing.wrapHandler(graphqlHandler) : graphqlHandler,
  });

  const wsServer = attachWebSocketServer({
    app,
    schema,
    contexts,
    defaultLocale: config.defaultLocale,
    log,
    limits: { ...config.limits, listSize: DEFAULT_LIST_SIZE },
    introspection: config.introspection,
    bus: backplane.bus,
  });

  let draining = false;
  registerHealthRoutes(app, {
    postgres: () =>
      rootEm
        .getConnection()
        .execute('select 1')
        .then(() => true), // raw: a readiness round trip touching no table
    redis: () => (backplane.mode === 'memory' ? null : backplane.ping()),
    draining: () => draining,
  });
  registerErrorHandlers(app, config.defaultLocale, log);
  await registerStaticRoutes(app);
  registerConnectionDrain(app);
  registerRestV1(app, {
    contexts,
    activationQueries: services.activationQueries,
    snapshots: services.snapshots,
    defaultLocale: config.defaultLocale,
    log,
  });
  registerLanding(app);
  metrics.registerRoute(app, config.metricsToken);

  let closed = false;
  return {
    app,
    orm,
    schema,
    services,
    transactions,
    backplane,
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
      await closeInOrder({ graceMs: options.graceMs, services, wsServer, app, apollo, backplane, orm, log });
      await tracing?.shutdown();
    },
  };
}
