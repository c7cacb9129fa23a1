import type { PubSubEngine } from 'graphql-subscriptions';
import type { PubSub } from 'type-graphql';

/** An async iterable subscription that says when the broker has really registered it. */
export interface BusSubscription<T> extends AsyncIterableIterator<T> {
  /** Resolves once messages published from now on will arrive (Redis SUBSCRIBE acknowledged). */
  ready: Promise<void>;
}

const MAX_BUFFER = 10_000;

/**
 * The TypeGraphQL 2 PubSub over any graphql-subscriptions engine (RedisPubSub across instances,
 * the in-process PubSub for one). Channels are `<prefix>topic` or `<prefix>topic:id`.
 */
/** A topic's dynamic id as part of a channel name (ids are strings; anything else is spelled out as JSON, never "[object Object]"). */
function idPart(id: unknown): string {
  return typeof id === 'string' || typeof id === 'number' ? String(id) : JSON.stringify(id);
}

export class EventBus implements PubSub {
  constructor(
    private readonly engine: PubSubEngine,
    private readonly channelPrefix = '',
  ) {}

  publish(routingKey: string, ...args: unknown[]): Promise<void> {
    const [first, second] = args;
    const channel = this.channelPrefix + (args.length > 1 ? `${routingKey}:${idPart(first)}` : routingKey);
    return this.engine.publish(channel, args.length > 1 ? second : first);
  }

  subscribe<T = unknown>(routingKey: string, dynamicId?: unknown): BusSubscription<T> {
    const channel = this.channelPrefix + (dynamicId === undefined ? routingKey : `${routingKey}:${idPart(dynamicId)}`);
    const queue: T[] = [];
    let waiting: ((r: IteratorResult<T>) => void) | undefined;
    let done = false;
    const push = (value: T) => {
      if (done) return;
      if (waiting) {
        const w = waiting;
        waiting = undefined;
        w({ value, done: false });
      } else if (queue.length < MAX_BUFFER) {
        queue.push(value);
      }
    };
    const subId = this.engine.subscribe(channel, push, {});
    const finish = async (): Promise<IteratorResult<T>> => {
      if (!done) {
        done = true;
        this.engine.unsubscribe(await subId);
        waiting?.({ value: undefined, done: true });
        waiting = undefined;
      }
      return { value: undefined, done: true };
    };
    const iterator: BusSubscription<T> = {
      ready: subId.then(() => undefined),
      next() {
        if (queue.length) return Promise.resolve({ value: queue.shift()!, done: false });
        if (done) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve) => (waiting = resolve));
      },
      return: finish,
      throw: async (e) => {
        await finish();
        throw e;
      },
      [Symbol.asyncIterator]() {
        return this;
      },
    };
    return iterator;
  }
}
