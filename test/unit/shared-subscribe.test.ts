import { buildSchema, defaultFieldResolver, parse, type ExecutionResult, type GraphQLFieldResolver } from 'graphql';
import { createSharedSubscribe, type DirectTarget } from '../../src/graphql/shared-subscribe';
import type { DirectDelivery } from '../../src/modules/shared/direct-delivery';

interface Event {
  id: string;
  label: string;
  /** The field's resolver waits for this before answering (to settle results out of order). */
  ready?: Promise<void>;
  fail?: boolean;
}

/** A feed as ChangeFeed is to the transport: an async iterator whose values a sink may take instead. */
class FakeFeed implements AsyncIterableIterator<Event>, DirectDelivery<Event> {
  sink?: (event: Event) => boolean;
  ended = false;
  deliverTo(sink: ((event: Event) => boolean) | undefined) {
    this.sink = sink;
  }
  next(): Promise<IteratorResult<Event>> {
    return new Promise(() => undefined); // parked: everything in these tests goes through the sink
  }
  async return(): Promise<IteratorResult<Event>> {
    this.ended = true;
    return { done: true, value: undefined };
  }
  [Symbol.asyncIterator]() {
    return this;
  }
}

const schema = buildSchema('type Query { ok: Boolean } type Subscription { activeModelChanged: Change } type Change { label: String }');
const subscribeFieldResolver: GraphQLFieldResolver<unknown, { feed: FakeFeed }> = (_root, _args, ctx) => ctx.feed;
const fieldResolver: GraphQLFieldResolver<Event, unknown> = async (event, args, ctx, info) => {
  if (info.fieldName === 'activeModelChanged') return event;
  if (info.fieldName !== 'label') return defaultFieldResolver(event, args, ctx, info);
  await event.ready;
  if (event.fail) throw new Error('could not load');
  return event.label;
};
const document = parse('subscription { activeModelChanged { label } }');

function subscriber(id: string, writable = () => true) {
  const sent: string[] = [];
  const target: DirectTarget = {
    head: `{"id":${JSON.stringify(id)}`,
    writable,
    send: (text) => sent.push(text),
    withErrors: (result: ExecutionResult) => ({ ...result, errors: result.errors?.map((e) => ({ message: `[${id}] ${e.message}` })) }),
  };
  return { feed: new FakeFeed(), target, sent };
}

async function subscribeAll(subscribers: ReturnType<typeof subscriber>[]) {
  const targets = new Map(subscribers.map((s) => [s.feed as object, s.target]));
  const subscribe = createSharedSubscribe({ directTargetOf: (ctx) => targets.get((ctx as { feed: object }).feed) });
  for (const s of subscribers) await subscribe({ schema, document, contextValue: { feed: s.feed }, subscribeFieldResolver, fieldResolver });
}

/** Results settle in promise jobs and are sent in a macrotask after: a few turns of the loop. */
const flush = async () => {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
};
const labels = (sent: string[]) =>
  sent.map((m) => (JSON.parse(m) as { payload: { data: { activeModelChanged: { label: string } } } }).payload.data.activeModelChanged.label);

test('one result per event for every subscriber, each message with its own id, in the graphql-ws format', async () => {
  const subs = [subscriber('a'), subscriber('b-é')];
  await subscribeAll(subs);
  for (const s of subs) expect(s.feed.sink!({ id: '1', label: 'first' })).toBe(true);
  await flush();
  expect(subs[0].sent).toEqual(['{"id":"a","type":"next","payload":{"data":{"activeModelChanged":{"label":"first"}}}}']);
  expect(JSON.parse(subs[1].sent[0])).toEqual({ id: 'b-é', type: 'next', payload: { data: { activeModelChanged: { label: 'first' } } } });
});

test('events are sent in the order they were taken, even when a later result is ready first', async () => {
  const s = subscriber('a');
  await subscribeAll([s]);
  let release!: () => void;
  const slow = new Promise<void>((r) => (release = r));
  s.feed.sink!({ id: '1', label: 'one', ready: slow });
  s.feed.sink!({ id: '2', label: 'two' });
  await flush();
  expect(s.sent).toEqual([]);
  release();
  await flush();
  expect(labels(s.sent)).toEqual(['one', 'two']);
});

test('a subscription that ended before its result was ready gets nothing', async () => {
  const [kept, gone] = [subscriber('kept'), subscriber('gone')];
  await subscribeAll([kept, gone]);
  kept.feed.sink!({ id: '1', label: 'x' });
  gone.feed.sink!({ id: '1', label: 'x' });
  await gone.feed.return();
  await flush();
  expect(kept.sent).toHaveLength(1);
  expect(gone.sent).toEqual([]);
});

test('a result with errors is sent as each subscriber is to see it', async () => {
  const subs = [subscriber('a'), subscriber('b')];
  await subscribeAll(subs);
  for (const s of subs) s.feed.sink!({ id: '1', label: 'x', fail: true });
  await flush();
  expect((JSON.parse(subs[0].sent[0]) as { payload: { errors: { message: string }[] } }).payload.errors[0].message).toBe('[a] could not load');
  expect((JSON.parse(subs[1].sent[0]) as { payload: { errors: { message: string }[] } }).payload.errors[0].message).toBe('[b] could not load');
});

test('a socket that cannot take a message now is refused, unless messages already wait for it (they must not be overtaken)', async () => {
  let room = false;
  const s = subscriber('a', () => room);
  await subscribeAll([s]);
  expect(s.feed.sink!({ id: '1', label: 'x' })).toBe(false); // goes through graphql-ws, which waits for room
  room = true;
  let release!: () => void;
  s.feed.sink!({ id: '2', label: 'y', ready: new Promise<void>((r) => (release = r)) });
  room = false;
  expect(s.feed.sink!({ id: '3', label: 'z' })).toBe(true);
  release();
  await flush();
  expect(labels(s.sent)).toEqual(['y', 'z']);
});
