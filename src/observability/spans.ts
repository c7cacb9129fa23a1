/**
 * Manual spans for the code paths OpenTelemetry's instrumentations do not see (the publish, upstream
 * provider calls, root resolvers). This module imports no OpenTelemetry code: with tracing off
 * (the default) `withSpan` just runs the function; observability/tracing.ts installs the real runner.
 */

export type SpanAttributes = Record<string, string | number | boolean | undefined>;

export interface SpanHandle {
  setAttributes(attributes: SpanAttributes): void;
}

export type SpanRunner = <T>(name: string, attributes: SpanAttributes, run: (span: SpanHandle) => Promise<T>) => Promise<T>;

const NOOP: SpanHandle = { setAttributes: () => undefined };
let runner: SpanRunner | undefined;

export function installSpanRunner(next: SpanRunner | undefined): void {
  runner = next;
}

/** Runs `run` inside a child span of the active one when tracing is on; otherwise just runs it. */
export function withSpan<T>(name: string, attributes: SpanAttributes, run: (span: SpanHandle) => Promise<T>): Promise<T> {
  return runner ? runner(name, attributes, run) : run(NOOP);
}
