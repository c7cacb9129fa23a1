import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import Redis from 'ioredis';
import type { Logger } from 'pino';

/**
 * Acknowledged invalidation for the per-instance near caches (see docs/architecture.md, "Near cache
 * and read-after-write").
 *
 * Each instance holds a lease in Redis (a sorted set member scored by its expiry, in Redis time),
 * renewed by a heartbeat while its invalidation subscription is up. It may answer from its near cache
 * only while its lease is valid by its own monotonic clock, counted from when it *sent* the renewal
 * (so its local view always ends before Redis's). A writer, after invalidating the shared snapshot in
 * Redis, publishes the invalidation and waits for an acknowledgement from every instance whose lease
 * is valid. An instance that has not acknowledged within `ackTimeoutMs` is fenced (its lease cannot
 * be renewed any more) and the writer waits until that lease has run out: from then on that instance
 * answers from Redis, and on its next heartbeat it learns of the fence, drops its near cache, and
 * takes a new lease. The write therefore never returns while a live instance could still answer from
 * a stale entry; a dead or stalled instance costs the writers at most one lease, once.
 */

export interface InstanceLeaseOptions {
  redisUrl: string;
  /** Deployment prefix (`sb:<namespace>:`), shared by the instances of one deployment. */
  prefix: string;
  log: Logger;
  heartbeatMs?: number;
  leaseMs?: number;
  ackTimeoutMs?: number;
}

export interface LeaseStats {
  /** Invalidations this instance published and saw acknowledged by every live instance in time. */
  acknowledged: number;
  /** Instances fenced by this one for missing an acknowledgement deadline. */
  fenced: number;
  /** Times this instance found itself fenced (it then dropped its near cache). */
  selfFenced: number;
}

/**
 * Renews my lease unless another instance fenced me (then: consume the fence, drop out, return -1).
 * Otherwise returns 1 when the lease renewed was still held in Redis, 0 when it is a new one (first
 * beat, a lapse, a Redis restart, or a fence consumed by a beat whose reply was lost): writers did not
 * wait for this instance in between, so whatever its near cache holds may be stale.
 * The registry epoch records when this Redis first saw a heartbeat: a Redis that restarted has lost
 * the leases granted before, so writers wait one lease after the epoch (see PUBLISH_INVALIDATION).
 * KEYS: leases, my fence, epoch. ARGV: my id, lease ms.
 */
const HEARTBEAT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if redis.call('EXISTS', KEYS[3]) == 0 then redis.call('SET', KEYS[3], now) end
if redis.call('DEL', KEYS[2]) == 1 then
  redis.call('ZREM', KEYS[1], ARGV[1])
  return -1
end
local held = tonumber(redis.call('ZSCORE', KEYS[1], ARGV[1]) or '0') > now
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - 60000)
-- A deployment gone for 10 minutes leaves nothing behind in a shared Redis.
redis.call('PEXPIRE', KEYS[1], 600000)
redis.call('PEXPIRE', KEYS[3], 600000)
if held then return 1 end
return 0`;

/**
 * Lists the instances holding a valid lease (other than me) and publishes the invalidation, in one
 * step, so no instance can take a lease between the two without having been told.
 * Returns { ms to wait for the registry epoch (0 when older than one lease), member ids... }.
 * KEYS: leases, epoch, channel. ARGV: my id, message, lease ms.
 */
const PUBLISH_INVALIDATION = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local epoch = tonumber(redis.call('GET', KEYS[2]) or '0')
if epoch == 0 then
  epoch = now
  redis.call('SET', KEYS[2], now)
end
local wait = epoch + tonumber(ARGV[3]) - now
if wait < 0 then wait = 0 end
local out = { wait }
for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. now, '+inf')) do
  if id ~= ARGV[1] then table.insert(out, id) end
end
redis.call('PUBLISH', KEYS[3], ARGV[2])
return out`;

/**
 * Fences instances that missed the deadline: their lease can no longer be renewed; returns how many
 * ms are left on the longest of their current leases. KEYS: leases. ARGV: fence key prefix, ids...
 */
const FENCE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local wait = 0
for i = 2, #ARGV do
  redis.call('SET', ARGV[1] .. ARGV[i], '1', 'EX', 60)
  local score = tonumber(redis.call('ZSCORE', KEYS[1], ARGV[i]) or '0')
  redis.call('ZREM', KEYS[1], ARGV[i])
  if score - now > wait then wait = score - now end
end
return wait`;

interface Pending {
  /** Acknowledgements received, possibly before the publishing script's reply names the members. */
  acked: Set<string>;
  waitingFor?: Set<string>;
  done?: () => void;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class InstanceLease {
  readonly id = randomUUID();
  readonly stats: LeaseStats = { acknowledged: 0, fenced: 0, selfFenced: 0 };
  private readonly heartbeatMs: number;
  private readonly leaseMs: number;
  private readonly ackTimeoutMs: number;
  private readonly commands: Redis;
  private readonly subscriber: Redis;
  private readonly keys: { leases: string; epoch: string; channel: string; fencePrefix: string; ackChannel: string };
  /** performance.now() until which my near cache may answer. */
  private validUntil = 0;
  private subscribed = false;
  private timer?: NodeJS.Timeout;
  private beating?: Promise<void>;
  private nonce = 0;
  private readonly pending = new Map<string, Pending>();
  /** When this instance first failed to reach Redis in the current outage (performance.now()). */
  private unreachableSince: number | undefined;
  private readonly invalidateListeners: ((ids: string[]) => void)[] = [];
  private readonly dropAllListeners: (() => void)[] = [];
  private closed = false;

  constructor(private readonly options: InstanceLeaseOptions) {
    this.heartbeatMs = options.heartbeatMs ?? 400;
    this.leaseMs = options.leaseMs ?? 1500;
    this.ackTimeoutMs = options.ackTimeoutMs ?? 500;
    const p = options.prefix;
    this.keys = {
      leases: `${p}near:leases`,
      epoch: `${p}near:epoch`,
      channel: `${p}near:invalidate`,
      fencePrefix: `${p}near:fence:`,
      ackChannel: `${p}near:ack:${this.id}`,
    };
    const retryStrategy = (times: number) => Math.min(50 * times, 1000);
    this.commands = new Redis(options.redisUrl, {
      connectionName: 'switchboard-lease',
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: 1000,
      retryStrategy,
    });
    this.subscriber = new Redis(options.redisUrl, { connectionName: 'switchboard-lease-sub', maxRetriesPerRequest: null, retryStrategy });
    for (const client of [this.commands, this.subscriber]) {
      client.on('error', (err) => options.log.debug({ err }, 'redis error (near cache lease)'));
    }
    this.commands.on('close', () => this.unreachable());
    this.commands.on('ready', () => (this.unreachableSince = undefined));
    this.subscriber.on('close', () => {
      // Invalidations may be missed from now on: stop answering from the near cache at once.
      this.subscribed = false;
      this.lapse();
      this.unreachable();
    });
    this.subscriber.on('ready', () => {
      this.subscriber.subscribe(this.keys.channel, this.keys.ackChannel).then(
        () => (this.subscribed = true),
        (err) => options.log.debug({ err }, 'near cache: subscribe failed'),
      );
    });
    this.subscriber.on('message', (channel: string, message: string) => this.onMessage(channel, message));
    this.timer = setInterval(() => {
      if (!this.beating) this.beating = this.heartbeat().finally(() => (this.beating = undefined));
    }, this.heartbeatMs);
    this.timer.unref();
  }

  /** True while this instance may answer from its near cache without asking Redis. */
  valid(): boolean {
    return performance.now() < this.validUntil;
  }

  /** Called with the ids another instance invalidated, before the acknowledgement is sent. */
  onInvalidate(listener: (ids: string[]) => void): void {
    this.invalidateListeners.push(listener);
  }

  /** Called when the near cache must be emptied (lease lapsed or fenced). */
  onDropAll(listener: () => void): void {
    this.dropAllListeners.push(listener);
  }

  /**
   * Tells every live instance to drop `ids`, and returns once each has acknowledged, or has been
   * fenced and its lease has run out. Call it after the shared (Redis) copy was invalidated.
   */
  async broadcast(ids: readonly string[]): Promise<void> {
    if (ids.length === 0 || this.closed) return;
    const nonce = `${++this.nonce}`;
    const message = JSON.stringify({ n: nonce, from: this.id, ids });
    this.pending.set(nonce, { acked: new Set() });
    let reply: (string | number)[];
    try {
      reply = (await this.commands.eval(
        PUBLISH_INVALIDATION,
        3,
        this.keys.leases,
        this.keys.epoch,
        this.keys.channel,
        this.id,
        message,
        this.leaseMs,
      )) as (string | number)[];
    } catch (err) {
      // Redis unreachable from here: the others may still hold leases granted before the outage began.
      // None of them can be renewed once Redis is away for them too, so one lease after the first
      // failure seen here, none is left.
      this.pending.delete(nonce);
      this.unreachable();
      const wait = this.unreachableSince! + this.leaseMs - performance.now();
      this.options.log.debug({ err, waitMs: Math.round(wait) }, 'near cache: invalidation not published (Redis unreachable)');
      if (wait > 0) await sleep(wait);
      return;
    }
    const [epochWait, ...members] = reply;
    const acknowledged = await this.awaitAcks(nonce, members.map(String));
    const laggards = members.map(String).filter((m) => !acknowledged.includes(m));
    let wait = Number(epochWait);
    if (laggards.length) {
      this.stats.fenced += laggards.length;
      try {
        const leaseLeft = Number(await this.commands.eval(FENCE, 1, this.keys.leases, this.keys.fencePrefix, ...laggards));
        wait = Math.max(wait, leaseLeft);
        this.options.log.warn(
          { instances: laggards, waitMs: leaseLeft },
          'near cache: instances did not acknowledge an invalidation in time; fenced until their lease runs out',
        );
      } catch {
        wait = Math.max(wait, this.leaseMs);
      }
    } else {
      this.stats.acknowledged++;
    }
    if (wait > 0) await sleep(wait);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    await this.beating;
    // Leave the registry at once, so writers stop waiting for us.
    await this.commands.zrem(this.keys.leases, this.id).catch(() => undefined);
    this.lapse();
    for (const p of this.pending.values()) p.done?.();
    this.commands.disconnect();
    this.subscriber.disconnect();
  }

  private async heartbeat(): Promise<void> {
    if (!this.subscribed || this.closed) return;
    const sent = performance.now();
    try {
      const renewal = Number(
        await this.commands.eval(HEARTBEAT, 3, this.keys.leases, this.keys.fencePrefix + this.id, this.keys.epoch, this.id, this.leaseMs),
      );
      if (renewal === -1) {
        this.stats.selfFenced++;
        this.options.log.warn(
          'near cache: this instance missed an invalidation deadline; dropped its near cache, answering from Redis until its next heartbeat',
        );
        this.lapse();
        return;
      }
      if (!this.subscribed) return;
      // A new lease, or renewing after a gap: invalidations in between may not have been applied here
      // (writers did not wait for this instance); start empty. The first check does not depend on
      // timing: a fence consumed by a beat whose reply was lost leaves no lease to renew.
      if (renewal === 0 || !this.valid()) this.dropAll();
      this.validUntil = sent + this.leaseMs;
    } catch {
      // No renewal: the lease runs out on its own.
    }
  }

  private onMessage(channel: string, raw: string): void {
    if (channel === this.keys.ackChannel) {
      const [nonce, from] = raw.split(' ');
      const p = this.pending.get(nonce);
      if (!p) return;
      p.acked.add(from);
      if (p.waitingFor?.delete(from) && p.waitingFor.size === 0) p.done?.();
      return;
    }
    let message: { n: string; from: string; ids: string[] };
    try {
      message = JSON.parse(raw) as typeof message;
    } catch {
      return;
    }
    if (message.from === this.id) return;
    for (const l of this.invalidateListeners) l(message.ids);
    this.commands.publish(`${this.options.prefix}near:ack:${message.from}`, `${message.n} ${this.id}`).catch(() => undefined);
  }

  /** Resolves with the members that acknowledged `nonce` within the deadline. */
  private awaitAcks(nonce: string, members: string[]): Promise<string[]> {
    const entry = this.pending.get(nonce)!;
    const waitingFor = new Set(members.filter((m) => !entry.acked.has(m)));
    if (waitingFor.size === 0) {
      this.pending.delete(nonce);
      return Promise.resolve(members);
    }
    return new Promise((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        this.pending.delete(nonce);
        resolve(members.filter((m) => !waitingFor.has(m)));
      };
      const timer = setTimeout(finish, this.ackTimeoutMs);
      entry.waitingFor = waitingFor;
      entry.done = finish;
    });
  }

  private lapse(): void {
    this.validUntil = 0;
    this.dropAll();
  }

  private dropAll(): void {
    for (const l of this.dropAllListeners) l();
  }

  private unreachable(): void {
    this.unreachableSince ??= performance.now();
  }
}
