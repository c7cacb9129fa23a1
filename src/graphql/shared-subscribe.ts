import {
  createSourceEventStream,
  execute,
  GraphQLError,
  Kind,
  print,
  type ExecutionArgs,
  type ExecutionResult,
  type OperationDefinitionNode,
} from 'graphql';
import { supportsDirectDelivery } from '../modules/shared/direct-delivery';
import { spanFromTraceparent, spansOn, withSpan, type SpanAttributes, type SpanHandle, type SpanRef } from '../observability/spans';

/** Subscription fields whose events read the same for every subscriber (no per-user fields). */
const SHAREABLE_FIELDS = new Set(['activeModelChanged']);
/** Distinct (document, variables) kept; a subscription keeps its own group even once evicted here. */
const MAX_GROUPS = 512;
/** Results kept per group: only a fan-out in progress looks one up; a subscriber further behind recomputes it. */
const RESULTS_PER_GROUP = 8;

type ResultOrPromise = Promise<ExecutionResult> | ExecutionResult;

/** Where a subscription's messages can be sent without graphql-ws's per-subscription loop (the WebSocket transport's side). */
export interface DirectTarget {
  /** `{"id":"<subscription id>"`: how every message to this subscription starts. */
  readonly head: string;
  /** False while the socket cannot take a message now (closing, or its buffer is full). */
  writable(): boolean;
  /** Sends one text message. */
  send(text: string): void;
  /** A result with errors as this subscriber is to see it (what graphql-ws's onNext hook would make of it). */
  withErrors(result: ExecutionResult): unknown;
}

/** A subscription taking events directly: its target, and how many it was handed that are not sent yet. */
interface DirectMember {
  target: DirectTarget;
  ended(): boolean;
  unsent: number;
}

interface Outgoing {
  eventId: string;
  settled?: ExecutionResult;
  members: DirectMember[];
}

/** The subscriptions with the same document and variables: each event's result, computed once for all of them. */
class SharedResults {
  private readonly byEvent = new Map<string, ResultOrPromise>();
  /** Events taken for direct members, in the order they were taken; sent in that order once their result is ready. */
  private readonly outgoing: Outgoing[] = [];
  private flushQueued = false;

  /** The event's result for a direct member: sent with every other member's in one loop, once computed. */
  sendDirect(eventId: string, compute: () => ResultOrPromise, member: DirectMember): void {
    let entry = this.outgoing.at(-1);
    if (entry?.eventId !== eventId) {
      const out: Outgoing = { eventId, members: [] };
      entry = out;
      this.outgoing.push(out);
      let result = this.get(eventId);
      if (result === undefined) this.set(eventId, (result = compute()));
      if (result instanceof Promise) {
        result.then(
          (value) => {
            out.settled = value;
            this.scheduleFlush();
          },
          (error: unknown) => {
            out.settled = { errors: [new GraphQLError(error instanceof Error ? error.message : String(error))] };
            this.scheduleFlush();
          },
        );
      } else {
        out.settled = result;
        this.scheduleFlush();
      }
    }
    member.unsent++;
    entry.members.push(member);
  }

  /**
   * The sends run in a macrotask of their own: after the loop that hands this event to every
   * subscription, and after the work already queued — the response of the mutation that made the
   * change goes out first instead of waiting behind 10,000 socket writes.
   */
  private scheduleFlush(): void {
    if (this.flushQueued) return;
    this.flushQueued = true;
    setImmediate(() => {
      this.flushQueued = false;
      this.flush();
    });
  }

  private flush(): void {
    for (let head = this.outgoing[0]; head?.settled; head = this.outgoing[0]) {
      this.outgoing.shift();
      const { settled: result, members } = head;
      // Serialized once: per subscriber only its id differs (graphql-ws writes {"id","type","payload"} in this order).
      const tail = result.errors?.length ? undefined : `,"type":"next","payload":${JSON.stringify(result)}}`;
      for (const member of members) {
        member.unsent--;
        if (member.ended()) continue;
        const { target } = member;
        target.send(target.head + (tail ?? `,"type":"next","payload":${JSON.stringify(target.withErrors(result))}}`));
      }
    }
  }

  get(eventId: string): ResultOrPromise | undefined {
    return this.byEvent.get(eventId);
  }

  set(eventId: string, pending: ResultOrPromise): void {
    this.byEvent.set(eventId, pending);
    // Once settled, later subscribers take the plain value: no await per subscriber.
    if (pending instanceof Promise)
      pending.then(
        (value) => this.byEvent.get(eventId) === pending && this.byEvent.set(eventId, value),
        () => undefined, // the subscriber awaiting it gets the rejection
      );
    if (this.byEvent.size > RESULTS_PER_GROUP) this.byEvent.delete(this.byEvent.keys().next().value!);
  }
}

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
  /** Where a subscription (by its context) can be sent to directly; without one, every event goes through graphql-ws. */
  directTargetOf?: (contextValue: unknown) => DirectTarget | undefined;
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
 * subscription that computed it and to the publish of the change (its traceparent travels with the
 * change); never one per subscriber. With tracing off nothing here builds a span.
 */
export function createSharedSubscribe(options: SharedSubscribeOptions = {}) {
  const groups = new Map<string, SharedResults>();
  const groupOf = (documentKey: string) => {
    let group = groups.get(documentKey);
    if (!group) {
      groups.set(documentKey, (group = new SharedResults()));
      if (groups.size > MAX_GROUPS) groups.delete(groups.keys().next().value!);
    }
    return group;
  };

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
    // Looked up once per subscription: per event only the event id is hashed.
    const shared =
      field && SHAREABLE_FIELDS.has(field)
        ? groupOf(`${print(args.document)}|${args.operationName ?? ''}|${JSON.stringify(args.variableValues ?? {})}`)
        : undefined;
    const source = stream[Symbol.asyncIterator]();
    const run = (event: unknown) => execute({ ...args, rootValue: event });
    /** A shared event's result, computed in a span of its own (a new trace, linked to this subscription's start and to the publish of the change). */
    const runTraced = (event: unknown, id: string) =>
      withSpan(
        `subscription event ${name}`,
        { ...attributes, 'switchboard.event.id': id },
        async (span) => {
          const result = await run(event);
          failOn(span, result.errors);
          return result;
        },
        { root: true, links: [started, spanFromTraceparent((event as { trace?: string })?.trace)] },
      );
    const compute = (event: unknown, id: string) => (tracing ? runTraced(event, id) : run(event));

    // Shareable events go straight from the feed to the socket while the subscription keeps up; the
    // iterator below still carries whatever the feed does not hand over (replays, gaps, a full socket).
    const target = shared && options.directTargetOf?.(args.contextValue);
    if (shared && target && supportsDirectDelivery(stream)) {
      const feed = stream;
      const member: DirectMember = { target, ended: () => feed.ended, unsent: 0 };
      feed.deliverTo((event) => {
        const id = (event as { id?: unknown })?.id;
        // Once a message waits here, later ones wait behind it: taking the other path would overtake it.
        if (typeof id !== 'string' || (member.unsent === 0 && !target.writable())) return false;
        shared.sendDirect(id, () => compute(event, id), member);
        return true;
      });
    }

    const mapped: AsyncIterableIterator<ExecutionResult> = {
      async next() {
        const step = await source.next();
        if (step.done) return { done: true, value: undefined };
        const id = (step.value as { id?: unknown })?.id;
        if (shared === undefined || typeof id !== 'string') return { done: false, value: await run(step.value) };
        let result = shared.get(id);
        if (result === undefined) shared.set(id, (result = compute(step.value, id)));
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
