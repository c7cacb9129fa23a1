import {
  createSourceEventStream,
  execute,
  Kind,
  print,
  type ExecutionArgs,
  type ExecutionResult,
  type GraphQLError,
  type OperationDefinitionNode,
} from 'graphql';
import { spansOn, withSpan, type SpanAttributes, type SpanHandle, type SpanRef } from '../observability/spans';

/** Subscription fields whose events read the same for every subscriber (no per-user fields). */
const SHAREABLE_FIELDS = new Set(['activeModelChanged']);
const MAX_SHARED_RESULTS = 512;

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof (value as AsyncIterable<unknown>)?.[Symbol.asyncIterator] === 'function';
}

function operationOf(args: ExecutionArgs): OperationDefinitionNode | undefined {
  return args.document.definitions.find(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION && (!args.operationName || d.name?.value === args.operationName),
  );
}

function rootField(operation: OperationDefinitionNode | undefined): string | undefined {
  const selection = operation?.selectionSet.selections[0];
  return operation?.selectionSet.selections.length === 1 && selection?.kind === Kind.FIELD ? selection.name.value : undefined;
}

function failOn(span: SpanHandle, errors: readonly GraphQLError[] | undefined): void {
  if (!errors?.length) return;
  span.fail(errors[0].message);
  const codes = errors.map((e) => (typeof e.extensions?.code === 'string' ? e.extensions.code : 'INTERNAL_SERVER_ERROR'));
  span.setAttributes({ 'graphql.error.codes': [...new Set(codes)] });
}

export interface SharedSubscribeOptions {
  /** The graphql-ws connection a subscription's context belongs to (for its span; asked only with tracing on). */
  connectionOf?: (contextValue: unknown) => string | undefined;
}

/**
 * graphql-ws's `subscribe`: graphql-js's own, except that for shareable fields an event's result is
 * computed once for every subscription with the same document and variables, instead of once per
 * subscriber — a switch seen by 5,000 admin UIs is resolved once, not 5,000 times. The result only
 * depends on the event, the document and the variables (errors are localized per subscriber later,
 * in onNext).
 *
 * With tracing on, each subscription's start is a span (`subscription <name>`: the subscribe resolver,
 * its SQL), and each shared event is one span where its result is computed, linked to the start of the
 * subscription that computed it; never one per subscriber. With tracing off nothing here builds a span.
 */
export function createSharedSubscribe(options: SharedSubscribeOptions = {}) {
  const results = new Map<string, Promise<ExecutionResult> | ExecutionResult>();

  return async function subscribe(args: ExecutionArgs) {
    const operation = operationOf(args);
    const field = rootField(operation);
    // Decided once per subscription: with tracing off, no attribute, closure or span per event.
    const tracing = spansOn();
    let started: SpanRef | undefined;
    let name = '';
    let attributes: SpanAttributes = {};
    let stream: Awaited<ReturnType<typeof createSourceEventStream>>;
    if (tracing) {
      name = operation?.name?.value ?? '(anonymous)';
      attributes = {
        'graphql.operation.type': 'subscription',
        'graphql.operation.name': operation?.name?.value ?? '',
        'graphql.field.name': field,
      };
      const connection = options.connectionOf?.(args.contextValue);
      stream = await withSpan(`subscription ${name}`, { ...attributes, 'switchboard.connection.id': connection }, async (span) => {
        started = span.ref;
        const out = await createSourceEventStream(args);
        if (!isAsyncIterable(out)) failOn(span, out.errors);
        return out;
      });
    } else stream = await createSourceEventStream(args);
    if (!isAsyncIterable(stream)) return stream;
    const documentKey =
      field && SHAREABLE_FIELDS.has(field)
        ? `${print(args.document)}|${args.operationName ?? ''}|${JSON.stringify(args.variableValues ?? {})}`
        : undefined;
    const source = stream[Symbol.asyncIterator]();
    const run = (event: unknown) => execute({ ...args, rootValue: event });
    /** A shared event's result, computed in a span of its own (a new trace, linked to this subscription's start). */
    const runTraced = (event: unknown, id: string) =>
      withSpan(
        `subscription event ${name}`,
        { ...attributes, 'switchboard.event.id': id },
        async (span) => {
          const result = await run(event);
          failOn(span, result.errors);
          return result;
        },
        { root: true, links: [started] },
      );

    const mapped: AsyncIterableIterator<ExecutionResult> = {
      async next() {
        const step = await source.next();
        if (step.done) return { done: true, value: undefined };
        const id = (step.value as { id?: unknown })?.id;
        if (documentKey === undefined || typeof id !== 'string') return { done: false, value: await run(step.value) };
        const key = `${id}|${documentKey}`;
        let result = results.get(key);
        if (result === undefined) {
          const pending = tracing ? runTraced(step.value, id) : run(step.value);
          result = pending;
          results.set(key, pending);
          // Once settled, later subscribers take the plain value: no await per subscriber.
          if (pending instanceof Promise)
            pending.then(
              (value) => results.get(key) === pending && results.set(key, value),
              () => undefined, // the subscriber awaiting it gets the rejection
            );
          if (results.size > MAX_SHARED_RESULTS) results.delete(results.keys().next().value!);
        }
        return { done: false, value: result instanceof Promise ? await result : result };
      },
      async return() {
        await source.return?.();
        return { done: true, value: undefined };
      },
      async throw(error: unknown) {
        await source.return?.();
        throw error;
      },
      [Symbol.asyncIterator]() {
        return this;
      },
    };
    return mapped;
  };
}
