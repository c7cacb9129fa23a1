import Redis from 'ioredis';
import { PubSub as MemoryPubSub } from 'graphql-subscriptions';
import { RedisPubSub } from 'graphql-redis-subscriptions';
import type { Logger } from 'pino';
import { MemorySnapshotStore, RedisSnapshotStore, type Codec, type SnapshotStore } from '../cache/snapshot-store';
import { EventBus } from './event-bus';
import { InstanceLease, type InstanceLeaseOptions } from '../cache/instance-lease';
import { NearSnapshotStore } from '../cache/near-cache';

/**
 * What the instances of one deployment share: the event bus, the read cache, and the health of the
 * connection behind both. Redis across instances, or in-process for a single one.
 */
export interface Backplane<T = unknown> {
  mode: 'redis' | 'memory';
  bus: EventBus;
  cache: SnapshotStore<T>;
  /** Called when the subscriber connection comes back after a loss (messages may be missed). */
  onReconnect(listener: () => void): void;
  /** True when the backplane answers (always for in-process). */
  ping(): Promise<boolean>;
  /**
   * True while the subscriber connection is up and its subscriptions are in place, i.e. events
   * published now will arrive (always for in-process). False from the moment the connection drops
   * until it is back and re-subscribed.
   */
  isHealthy(): boolean;
  /** Called on every change of isHealthy(). */
  onHealthChange(listener: (healthy: boolean) => void): void;
  close(): Promise<void>;
}

export interface BackplaneOptions<T> {
  redisUrl: string | undefined;
  /**
   * Separates deployments sharing one Redis: channels and cache keys start with it. Instances of one
   * deployment must share it (the server derives it from the database they share).
   */
  namespace: string;
  codec: Codec<T>;
  log: Logger;
  /** Timings of the near cache's lease protocol (tests shorten them). */
  nearCache?: Pick<InstanceLeaseOptions, 'heartbeatMs' | 'leaseMs' | 'ackTimeoutMs'>;
}

export function createBackplane<T>({ redisUrl, namespace, codec, log, nearCache }: BackplaneOptions<T>): Backplane<T> {
  const prefix = `sb:${namespace}:`;
  if (!redisUrl) {
    return {
      mode: 'memory',
      bus: new EventBus(new MemoryPubSub()),
      cache: new MemorySnapshotStore<T>(),
      onReconnect: () => undefined,
      ping: async () => true,
      isHealthy: () => true,
      onHealthChange: () => undefined,
      close: async () => undefined,
    };
  }
  // Commands fail fast while Redis is away instead of queueing: a mutation must never wait for it.
  const failFast = {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: 500,
    retryStrategy: (times: number) => Math.min(50 * times, 1000),
    lazyConnect: false,
  };
  const publisher = new Redis(redisUrl, { ...failFast, connectionName: 'switchboard-pub' });
  const cache = new Redis(redisUrl, { ...failFast, connectionName: 'switchboard-cache' });
  // The subscriber queues its SUBSCRIBE until connected and re-subscribes on reconnect.
  const subscriber = new Redis(redisUrl, {
    connectionName: 'switchboard-sub',
    maxRetriesPerRequest: null,
    retryStrategy: (times: number) => Math.min(50 * times, 1000),
  });
  for (const [name, client] of [
    ['publisher', publisher],
    ['cache', cache],
    ['subscriber', subscriber],
  ] as const) {
    client.on('error', (err) => log.debug({ err, client: name }, 'redis error'));
  }
  let lostSubscriber = false;
  const reconnectListeners: (() => void)[] = [];
  subscriber.on('close', () => {
    if (!lostSubscriber) log.warn('Redis connection lost; activations continue, events are published when it returns');
    lostSubscriber = true;
  });
  subscriber.on('ready', () => {
    if (!lostSubscriber) return;
    lostSubscriber = false;
    log.info('Redis is back');
    // Let ioredis re-subscribe first, then catch up from the history.
    setTimeout(() => reconnectListeners.forEach((l) => l()), 100).unref();
  });
  // Healthy once a PING sent after the (re-)SUBSCRIBEs is answered: ioredis emits 'ready' first and
  // re-subscribes right after, so the PING goes out on the next turn, queued behind them.
  let healthy = false;
  let readySeq = 0;
  const healthListeners: ((healthy: boolean) => void)[] = [];
  const setHealthy = (value: boolean) => {
    if (healthy === value) return;
    healthy = value;
    for (const l of healthListeners) l(value);
  };
  subscriber.on('close', () => {
    readySeq++;
    setHealthy(false);
  });
  subscriber.on('ready', () => {
    const seq = ++readySeq;
    setImmediate(() => {
      subscriber.ping().then(
        () => seq === readySeq && subscriber.status === 'ready' && setHealthy(true),
        () => undefined,
      );
    });
  });
  const engine = new RedisPubSub({ publisher, subscriber });
  // Warm reads from process memory; invalidations acknowledged by every live instance (near-cache.ts).
  const lease = new InstanceLease({ redisUrl, prefix, log, ...nearCache });
  return {
    mode: 'redis',
    bus: new EventBus(engine, prefix),
    cache: new NearSnapshotStore<T>(new RedisSnapshotStore<T>(cache, codec, log, prefix), lease),
    onReconnect: (l) => reconnectListeners.push(l),
    ping: async () => {
      try {
        return (await cache.ping()) === 'PONG';
      } catch {
        return false;
      }
    },
    isHealthy: () => healthy,
    onHealthChange: (l) => healthListeners.push(l),
    close: async () => {
      await lease.close();
      for (const c of [publisher, cache, subscriber]) c.disconnect();
    },
  };
}
