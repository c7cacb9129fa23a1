import { createSourceEventStream, execute, Kind, print, type ExecutionArgs, type ExecutionResult, type OperationDefinitionNode } from 'graphql';

/** Subscription fields whose events read the same for every subscriber (no per-user fields). */
const SHAREABLE_FIELDS = new Set(['activeModelChanged']);
const MAX_SHARED_RESULTS = 512;

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof (value as AsyncIterable<unknown>)?.[Symbol.asyncIterator] === 'function';
}

function rootField(args: ExecutionArgs): string | undefined {
  const operation = args.document.definitions.find(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION && (!args.operationName || d.name?.value === args.operationName),
  );
  const selection = operation?.selectionSet.selections[0];
  return operation?.selectionSet.selections.length === 1 && selection?.kind === Kind.FIELD ? selection.name.value : undefined;
}

/**
 * graphql-ws's `subscribe`: graphql-js's own, except that for shareable fields an event's result is
 * computed once for every subscription with the same document and variables, instead of once per
 * subscriber — a switch seen by 5,000 admin UIs is resolved once, not 5,000 times. The result only
 * depends on the event, the document and the variables (errors are localized per subscriber later,
 * in onNext).
 */
export function createSharedSubscribe() {
  const results = new Map<string, Promise<ExecutionResult> | ExecutionResult>();

  return async function subscribe(args: ExecutionArgs) {
    const stream = await createSourceEventStream(args);
    if (!isAsyncIterable(stream)) return stream;
    const field = rootField(args);
    const documentKey =
      field && SHAREABLE_FIELDS.has(field)
        ? `${print(args.document)}|${args.operationName ?? ''}|${JSON.stringify(args.variableValues ?? {})}`
        : undefined;
    const source = stream[Symbol.asyncIterator]();
    const run = (event: unknown) => execute({ ...args, rootValue: event });

    const mapped: AsyncIterableIterator<ExecutionResult> = {
      async next() {
        const step = await source.next();
        if (step.done) return { done: true, value: undefined };
        const id = (step.value as { id?: unknown })?.id;
        if (documentKey === undefined || typeof id !== 'string') return { done: false, value: await run(step.value) };
        const key = `${id}|${documentKey}`;
        let result = results.get(key);
        if (result === undefined) {
          const pending = run(step.value);
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
