import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Logger } from 'pino';
import { bearerToken } from '../common/bearer-token';
import { timingSafeEqual } from 'node:crypto';

/** What the metrics read at scrape time; each is a narrow function so tests can pass fakes. */
export interface MetricSources {
  /** Open activeModelChanged subscriptions (ChangeFeedService.openFeeds). */
  liveSubscriptions(): number;
  /** Open graphql-ws connections. */
  webSocketConnections(): number;
  /** Read-cache counters since start (SnapshotStore.hits / misses). */
  cache(): { hits: number; misses: number };
  /** Committed changes not yet published (ChangeOutbox.backlog()). */
  outboxBacklog(): Promise<number>;
}

/** What a slot-change metric needs of a change: its capability and whether the slot is now held. */
export interface SlotChangeSample {
  capability: string;
  aiModelId: string | null;
}

/** Operation names come from clients: cap how many distinct label values one process keeps. */
const MAX_OPERATION_NAMES = 200;
const OPERATION_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,99}$/;

/** One answered GraphQL operation over HTTP, as the metrics and the debug line see it. */
export interface OperationSample {
  /** The operation's name once resolved (null: anonymous). */
  operationName: string | null | undefined;
  /** undefined: no operation was found (the document did not parse, validate or resolve). */
  type: string | undefined;
  seconds: number;
  /** The errors' extensions.code, as sent. */
  errorCodes: string[];
  requestId: string | undefined;
}

export interface Metrics {
  registry: Registry;
  /** Latency by operation, errors by code, and a debug log line per operation with its request id. */
  apolloPlugin(log: Logger): ApolloServerPlugin<BaseContext>;
  /** The same for an operation answered without Apollo's pipeline (the HTTP fast path). */
  recordOperation(this: void, log: Logger, sample: OperationSample): void;
  /** Counts committed slot changes (the server calls it from a commit listener). */
  countSlotChanges(changes: readonly SlotChangeSample[]): void;
  /** GET /metrics in the Prometheus text format; with `token`, only for `Authorization: Bearer <token>`. */
  registerRoute(app: FastifyInstance, token?: string): void;
}

/** An error's code as the errors counter labels it. */
export const codeOf = (e: { extensions?: Record<string, unknown> }): string =>
  typeof e.extensions?.code === 'string' ? e.extensions.code : 'UNKNOWN';

/** Prometheus metrics on a registry of their own (never prom-client's global one, so tests can run many servers). */
export function createMetrics(sources: MetricSources): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });

  const duration = new Histogram({
    name: 'switchboard_graphql_operation_duration_seconds',
    help: 'GraphQL operation latency over HTTP, from request to response, by operation name and type.',
    labelNames: ['operation', 'type'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const errors = new Counter({
    name: 'switchboard_graphql_errors_total',
    help: 'Errors returned to GraphQL clients, by errors[].extensions.code.',
    labelNames: ['code'] as const,
    registers: [registry],
  });
  const activations = new Counter({
    name: 'switchboard_activations_total',
    help: 'Committed slot changes, by capability and kind (activated: a model now holds the slot; cleared: emptied).',
    labelNames: ['capability', 'kind'] as const,
    registers: [registry],
  });
  new Gauge({
    name: 'switchboard_live_subscriptions',
    help: 'Open activeModelChanged subscriptions on this instance.',
    registers: [registry],
    collect() {
      this.set(sources.liveSubscriptions());
    },
  });
  new Gauge({
    name: 'switchboard_websocket_connections',
    help: 'Open graphql-ws connections on this instance.',
    registers: [registry],
    collect() {
      this.set(sources.webSocketConnections());
    },
  });
  // The store counts on its own; these counters catch up with it at each scrape.
  let seen = { hits: 0, misses: 0 };
  const cacheHits = new Counter({
    name: 'switchboard_cache_hits_total',
    help: 'Provider snapshot read-cache hits.',
    registers: [registry],
    collect() {
      const now = sources.cache();
      if (now.hits > seen.hits) this.inc(now.hits - seen.hits);
      seen = { ...seen, hits: now.hits };
    },
  });
  const cacheMisses = new Counter({
    name: 'switchboard_cache_misses_total',
    help: 'Provider snapshot read-cache misses.',
    registers: [registry],
    collect() {
      const now = sources.cache();
      if (now.misses > seen.misses) this.inc(now.misses - seen.misses);
      seen = { ...seen, misses: now.misses };
    },
  });
  void cacheHits;
  void cacheMisses;
  new Gauge({
    name: 'switchboard_outbox_backlog',
    help: 'Committed activation changes not yet published to subscribers (the outbox relay publishes them).',
    registers: [registry],
    async collect() {
      try {
        this.set(await sources.outboxBacklog());
      } catch {
        // Database unreachable: keep the last value; /readyz reports the outage.
      }
    },
  });

  const knownNames = new Set<string>();
  const operationLabel = (name: string | null | undefined, parsed: boolean): string => {
    if (!parsed) return '(invalid)';
    if (!name) return '(anonymous)';
    if (knownNames.has(name)) return name;
    if (!OPERATION_NAME.test(name)) return '(other)';
    if (knownNames.size >= MAX_OPERATION_NAMES) return '(other)';
    knownNames.add(name);
    return name;
  };

  /** Each (operation, type)'s histogram child, made once: `observe(labels, …)` would hash the labels on every request. */
  const durationChildren = new Map<string, ReturnType<typeof duration.labels>>();
  const durationOf = (operation: string, type: string) => {
    const key = `${type} ${operation}`;
    let child = durationChildren.get(key);
    if (!child) durationChildren.set(key, (child = duration.labels({ operation, type })));
    return child;
  };

  const recordOperation = (log: Logger, sample: OperationSample) => {
    const name = operationLabel(sample.operationName, sample.type !== undefined);
    const type = sample.type ?? 'unknown';
    durationOf(name, type).observe(sample.seconds);
    for (const code of sample.errorCodes) errors.inc({ code });
    if (!log.isLevelEnabled('debug')) return;
    log.debug(
      {
        requestId: sample.requestId,
        operation: name,
        type,
        ms: Math.round(sample.seconds * 1000),
        errors: sample.errorCodes.length ? sample.errorCodes : undefined,
      },
      'graphql operation',
    );
  };

  return {
    registry,
    countSlotChanges(changes) {
      for (const c of changes) activations.inc({ capability: c.capability, kind: c.aiModelId ? 'activated' : 'cleared' });
    },
    apolloPlugin(log) {
      return {
        async requestDidStart() {
          const started = process.hrtime.bigint();
          return {
            async willSendResponse({ response, operation, operationName, contextValue }) {
              const sent = response.body.kind === 'single' ? (response.body.singleResult.errors ?? []) : [];
              recordOperation(log, {
                operationName,
                type: operation?.operation,
                seconds: Number(process.hrtime.bigint() - started) / 1e9,
                errorCodes: sent.map(codeOf),
                requestId: (contextValue as { requestId?: string } | undefined)?.requestId,
              });
            },
          };
        },
      };
    },
    recordOperation,
    registerRoute(app, token) {
      app.get('/metrics', async (request, reply) => {
        if (token && !sameSecret(bearerToken(request.headers.authorization), token)) {
          return reply
            .code(401)
            .header('www-authenticate', 'Bearer')
            .send({ errors: [{ message: 'A valid METRICS_TOKEN is required.', extensions: { code: 'UNAUTHENTICATED' } }] });
        }
        const body = await registry.metrics();
        return reply.header('content-type', registry.contentType).header('cache-control', 'no-store').send(body);
      });
    },
  };
}

function sameSecret(given: string | undefined, expected: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
