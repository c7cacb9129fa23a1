import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Span,
  type SpanOptions as SpanStartOptions,
  type Tracer,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import type { InstrumentationBase } from '@opentelemetry/instrumentation';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, SimpleSpanProcessor, TracerProvider, type SpanExporter } from '@opentelemetry/sdk-trace';
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { defaultFieldResolver, type GraphQLSchema } from 'graphql';
import type { Logger } from 'pino';
import { setLogMixin } from '../common/logger';
import { installSpanRunner, type SpanAttributes, type SpanHandle, type SpanOptions, type SpanRef } from './spans';

/**
 * OpenTelemetry tracing, loaded only when it is on (OTEL_EXPORTER_OTLP_ENDPOINT set, or a test passes
 * an exporter): server.ts requires this module lazily, so with tracing off no OpenTelemetry code,
 * context manager or instrumentation is in the process at all.
 *
 * Spans: one per GraphQL request over HTTP (named after the operation: type and name), one per root
 * Query/Mutation resolver (the service entry points; nested fields are property reads and stay
 * unspanned), every Postgres statement (pg instrumentation), every Redis command made while serving
 * a request (ioredis instrumentation; the key, never the value), the publish of changes, the
 * upstream provider calls, streamed ones included (observability/spans.ts), and over graphql-ws the
 * start of each subscription and each event of a shared subscription, once per instance where its
 * result is computed, not per subscriber (graphql/shared-subscribe.ts). Log lines written inside a
 * span carry its trace_id and span_id.
 */

export interface TracingOptions {
  /** OTLP/HTTP collector base URL (OTEL_EXPORTER_OTLP_ENDPOINT); spans go to `<endpoint>/v1/traces`. */
  endpoint?: string;
  /** Instead of OTLP (tests: InMemorySpanExporter); spans are exported one by one, synchronously. */
  exporter?: SpanExporter;
  log: Logger;
}

export interface Tracing {
  /** Wraps the Fastify /graphql handler: the request's span is the active context while it runs. */
  wrapHandler<H extends (...args: never[]) => unknown>(handler: H): H;
  /** Names the request span after the operation and records GraphQL errors on it. */
  apolloPlugin(): ApolloServerPlugin<BaseContext>;
  /** Spans for the root Query and Mutation resolvers (call before the executor compiles the schema). */
  instrumentSchema(schema: GraphQLSchema): void;
  shutdown(): Promise<void>;
}

const TRACER = 'switchboard';

/** Redis command spans name the command and its first key only: values (snapshots) never go out. */
const redisStatement = (command: string, args: unknown[]) => (typeof args[0] === 'string' ? `${command} ${args[0]}` : command);

export function startTracing(options: TracingOptions): Tracing {
  const exporter = options.exporter ?? new OTLPTraceExporter({ url: `${options.endpoint!.replace(/\/$/, '')}/v1/traces` });
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': process.env.OTEL_SERVICE_NAME ?? 'switchboard' }),
    spanProcessors: [options.exporter ? new SimpleSpanProcessor({ exporter }) : new BatchSpanProcessor({ exporter })],
  });
  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  trace.setGlobalTracerProvider(provider);
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  const tracer: Tracer = provider.getTracer(TRACER);

  // Instrumentations are created disabled (no require hook) and applied to the modules this process
  // already uses, by patching their prototypes: that works whatever was loaded first, and under jest.
  const instrumentations: InstrumentationBase[] = [
    new PgInstrumentation({ enabled: false, requireParentSpan: true }),
    new IORedisInstrumentation({ enabled: false, requireParentSpan: true, dbStatementSerializer: redisStatement }),
  ];
  const unpatch: (() => void)[] = [];
  for (const instrumentation of instrumentations) {
    instrumentation.setTracerProvider(provider);
    for (const definition of instrumentation.getModuleDefinitions()) {
      if (definition.name !== 'pg' && definition.name !== 'ioredis') continue;
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const exports: unknown = require(definition.name);
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const version = (require(`${definition.name}/package.json`) as { version: string }).version;
      definition.patch?.(exports, version);
      unpatch.push(() => definition.unpatch?.(exports, version));
    }
  }

  const spanOf = (ref: SpanRef) => ref as unknown as Span;
  const startOptions = (attributes: SpanAttributes, options: SpanOptions | undefined): SpanStartOptions => ({
    attributes: defined(attributes),
    root: options?.root && !options.parent,
    links: options?.links?.flatMap((ref) => (ref ? [{ context: spanOf(ref).spanContext() }] : [])),
  });
  const parentOf = (options: SpanOptions | undefined) =>
    options?.parent ? trace.setSpan(context.active(), spanOf(options.parent)) : context.active();
  const handle = (span: Span): SpanHandle => ({
    ref: span as unknown as SpanRef,
    setAttributes: (a) => span.setAttributes(defined(a)),
    fail: (message) => span.setStatus({ code: SpanStatusCode.ERROR, message }),
  });
  installSpanRunner({
    run: (name, attributes, run, options) =>
      tracer.startActiveSpan(name, startOptions(attributes, options), parentOf(options), async (span) => {
        try {
          return await run(handle(span));
        } catch (e) {
          fail(span, e);
          throw e;
        } finally {
          span.end();
        }
      }),
    start(name, attributes, options) {
      const span = tracer.startSpan(name, startOptions(attributes, options), parentOf(options));
      let ended = false;
      return {
        ...handle(span),
        within: (fn) => context.with(trace.setSpan(context.active(), span), fn),
        end(attributes, error) {
          if (ended) return;
          ended = true;
          if (attributes) span.setAttributes(defined(attributes));
          if (error !== undefined) fail(span, error);
          span.end();
        },
      };
    },
    active: () => trace.getActiveSpan() as unknown as SpanRef | undefined,
    traceparent() {
      const carrier: Record<string, string> = {};
      propagation.inject(context.active(), carrier);
      return carrier.traceparent;
    },
    fromTraceparent(traceparent) {
      const remote = trace.getSpanContext(propagation.extract(ROOT_CONTEXT, { traceparent }));
      return remote ? (trace.wrapSpanContext(remote) as unknown as SpanRef) : undefined;
    },
  });
  setLogMixin(() => {
    const span = trace.getSpan(context.active());
    if (!span) return {};
    const { traceId, spanId } = span.spanContext();
    return { trace_id: traceId, span_id: spanId };
  });
  options.log.info({ endpoint: options.endpoint ?? 'in-process exporter' }, 'tracing on (OpenTelemetry)');

  return {
    wrapHandler<H extends (...args: never[]) => unknown>(handler: H): H {
      return async function traced(this: unknown, request: { headers: Record<string, unknown>; method: string }, ...rest: unknown[]) {
        const parent = propagation.extract(ROOT_CONTEXT, request.headers);
        const span = tracer.startSpan(
          'graphql',
          { kind: SpanKind.SERVER, attributes: { 'http.request.method': request.method, 'url.path': '/graphql' } },
          parent,
        );
        try {
          return await context.with(trace.setSpan(parent, span), () =>
            (handler as unknown as (...args: unknown[]) => unknown).call(this, request, ...rest),
          );
        } catch (e) {
          fail(span, e);
          throw e;
        } finally {
          span.end();
        }
      } as unknown as H;
    },

    apolloPlugin(): ApolloServerPlugin<BaseContext> {
      return {
        async requestDidStart() {
          return {
            async didResolveOperation({ operation, operationName }) {
              const span = trace.getActiveSpan();
              if (!span || !operation) return;
              span.updateName(`${operation.operation} ${operationName ?? '(anonymous)'}`);
              span.setAttributes({ 'graphql.operation.type': operation.operation, 'graphql.operation.name': operationName ?? '' });
            },
            async didEncounterErrors({ errors }) {
              const span = trace.getActiveSpan();
              if (!span) return;
              span.setStatus({ code: SpanStatusCode.ERROR, message: errors[0]?.message });
              span.setAttribute('graphql.error.codes', [
                ...new Set(errors.map((e) => (typeof e.extensions?.code === 'string' ? e.extensions.code : 'INTERNAL_SERVER_ERROR'))),
              ]);
            },
          };
        },
      };
    },

    instrumentSchema(schema: GraphQLSchema): void {
      for (const type of [schema.getQueryType(), schema.getMutationType()]) {
        if (!type) continue;
        for (const field of Object.values(type.getFields())) {
          const resolve = field.resolve ?? defaultFieldResolver;
          const name = `resolve ${type.name}.${field.name}`;
          field.resolve = (source, args, ctx, info) =>
            tracer.startActiveSpan(name, { attributes: { 'graphql.field.name': field.name, 'graphql.field.type': type.name } }, (span) => {
              let out: unknown;
              try {
                out = resolve(source, args, ctx, info);
              } catch (e) {
                fail(span, e);
                span.end();
                throw e;
              }
              if (out instanceof Promise) {
                return out.then(
                  (value: unknown) => {
                    span.end();
                    return value;
                  },
                  (e: unknown) => {
                    fail(span, e);
                    span.end();
                    throw e;
                  },
                );
              }
              span.end();
              return out;
            });
        }
      }
    },

    async shutdown() {
      installSpanRunner(undefined);
      setLogMixin(undefined);
      await provider.forceFlush().catch(() => undefined);
      await provider.shutdown().catch(() => undefined);
      for (const undo of unpatch) undo();
      trace.disable();
      propagation.disable();
      context.disable();
    },
  };
}

function fail(span: Span, e: unknown): void {
  const error = e instanceof Error ? e : new Error(String(e));
  span.recordException({ name: error.name, message: error.message });
  span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
}

function defined(attributes: SpanAttributes): Record<string, string | number | boolean | string[]> {
  const out: Record<string, string | number | boolean | string[]> = {};
  for (const [k, v] of Object.entries(attributes)) if (v !== undefined) out[k] = v;
  return out;
}
