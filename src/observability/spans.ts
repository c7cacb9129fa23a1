/**
 * Manual spans for the code paths OpenTelemetry's instrumentations do not see (the publish, upstream
 * provider calls, root resolvers, subscriptions). This module imports no OpenTelemetry code: with
 * tracing off (the default) `withSpan` just runs the function, `startSpan` hands out one shared no-op
 * and `spansOn()` is false, so hot paths can skip even the attribute objects;
 * observability/tracing.ts installs the real runner.
 */

export type SpanAttributes = Record<string, string | number | boolean | string[] | undefined>;

/** An opaque span, for links and explicit parents. Only observability/tracing.ts looks inside. */
export interface SpanRef {
  readonly __spanRef: never;
}

export interface SpanOptions {
  /** Start a new trace instead of a child of the active span. */
  root?: boolean;
  /** The parent, instead of the active span (e.g. the span that opened a stream read later). */
  parent?: SpanRef;
  /** Spans this one follows from (undefined entries are skipped). */
  links?: readonly (SpanRef | undefined)[];
}

export interface SpanHandle {
  /** This span, for links and parents; undefined with tracing off. */
  readonly ref: SpanRef | undefined;
  setAttributes(attributes: SpanAttributes): void;
  /** Marks the span failed without throwing (e.g. a GraphQL result that carries errors). */
  fail(message: string): void;
}

/** A span that outlives a function call (a stream): the caller ends it, once. */
export interface ManualSpan extends SpanHandle {
  /** Runs `fn` with this span active, so its log lines carry the span's trace id. */
  within<T>(fn: () => T): T;
  /** Sets `attributes` and ends the span, failed when `error` is given; once ended, later calls do nothing. */
  end(attributes?: SpanAttributes, error?: unknown): void;
}

export interface SpanRunner {
  run<T>(name: string, attributes: SpanAttributes, run: (span: SpanHandle) => Promise<T>, options?: SpanOptions): Promise<T>;
  start(name: string, attributes: SpanAttributes, options?: SpanOptions): ManualSpan;
  /** The active span, if any. */
  active(): SpanRef | undefined;
  /** The active span as a W3C traceparent, to travel with a message to another instance. */
  traceparent(): string | undefined;
  /** A span of another process (from its traceparent), for links; undefined if malformed. */
  fromTraceparent(traceparent: string): SpanRef | undefined;
}

const NOOP: ManualSpan = {
  ref: undefined,
  setAttributes: () => undefined,
  fail: () => undefined,
  within: (fn) => fn(),
  end: () => undefined,
};
let runner: SpanRunner | undefined;

export function installSpanRunner(next: SpanRunner | undefined): void {
  runner = next;
}

/** Whether tracing is on: hot paths check it once and build nothing for spans when it is off. */
export function spansOn(): boolean {
  return runner !== undefined;
}

/** Runs `run` inside a child span of the active one when tracing is on; otherwise just runs it. */
export function withSpan<T>(name: string, attributes: SpanAttributes, run: (span: SpanHandle) => Promise<T>, options?: SpanOptions): Promise<T> {
  return runner ? runner.run(name, attributes, run, options) : run(NOOP);
}

/** Starts a span the caller ends (not made active); with tracing off, a shared no-op. */
export function startSpan(name: string, attributes: SpanAttributes, options?: SpanOptions): ManualSpan {
  return runner ? runner.start(name, attributes, options) : NOOP;
}

/** The active span (e.g. to parent a stream's span on the operation that opened it); undefined with tracing off. */
export function activeSpan(): SpanRef | undefined {
  return runner?.active();
}

/** The active span as a W3C traceparent (for a message that other instances handle); undefined with tracing off. */
export function activeTraceparent(): string | undefined {
  return runner?.traceparent();
}

/** The span a traceparent names, for a link; undefined with tracing off, or when there is none or it is malformed. */
export function spanFromTraceparent(traceparent: string | undefined): SpanRef | undefined {
  return runner && traceparent ? runner.fromTraceparent(traceparent) : undefined;
}
