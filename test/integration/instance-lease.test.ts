import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import pino from 'pino';
import { InstanceLease } from '../../src/cache/instance-lease';
import { waitFor } from '../helpers/wait';

/**
 * The lease against a real Redis, one instance, no server: when is the near cache emptied on renewal.
 * A beat that consumes a fence can lose its reply (the command times out): the instance then never
 * hears it was fenced. Its next beat finds no lease to renew, and that alone must empty the near
 * cache, whatever the local clock says.
 */
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `sb:lease-test-${randomUUID()}:`;
let lease: InstanceLease;
let redis: Redis;
let drops = 0;

beforeAll(async () => {
  redis = new Redis(REDIS_URL);
  lease = new InstanceLease({ redisUrl: REDIS_URL, prefix, log: pino({ level: 'silent' }), heartbeatMs: 100, leaseMs: 3000 });
  lease.onDropAll(() => drops++);
  await waitFor(() => lease.valid(), Boolean, { what: 'a first lease' });
});

afterAll(async () => {
  await lease.close();
  await redis.del(`${prefix}near:leases`, `${prefix}near:epoch`);
  redis.disconnect();
});

const score = async () => Number((await redis.zscore(`${prefix}near:leases`, lease.id)) ?? 0);

test('renewing a lease still held keeps the near cache', async () => {
  const before = drops;
  const first = await score();
  await waitFor(score, (s) => s > first + 200, { what: 'two renewals or more' });
  expect(drops).toBe(before);
  expect(lease.valid()).toBe(true);
});

test('a lease gone from Redis while the local one is still valid (a fence whose reply was lost): the next renewal empties the near cache', async () => {
  const before = drops;
  await redis.zrem(`${prefix}near:leases`, lease.id);
  await waitFor(
    () => drops,
    (d) => d > before,
    { what: 'the near cache emptied by the next renewal' },
  );
  // The local lease (3 s) never lapsed: only the renewal's answer could tell.
  expect(lease.valid()).toBe(true);
  expect(await score()).toBeGreaterThan(0);
  expect(drops).toBe(before + 1);
});
