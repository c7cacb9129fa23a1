import { SwitchboardClient } from '../../src/client';
import { expectExactlyOnce, record, seedAcme, startCluster, startWriter, waitUntil, type Cluster } from '../helpers/client-scenario';
import { ADMIN_TOKEN } from '../helpers/test-server';

/**
 * Redis (a private redis-server, never the shared one) is killed and started again while switches
 * are committed through another instance than the client's: events cannot cross between instances
 * meanwhile. Once Redis is back the client has every change exactly once, in cursor order, and it
 * never gave up.
 */

jest.setTimeout(300_000);

let cluster: Cluster;
let ids: Record<string, string>;
const clients: SwitchboardClient[] = [];

beforeAll(async () => {
  cluster = await startCluster(2, 'client_redis');
  ids = await seedAcme(cluster.servers[0].url);
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await cluster?.close();
});

test('a Redis restart: no change missed, none twice, the client keeps following', async () => {
  const [a, b] = cluster.servers;
  const client = new SwitchboardClient({ url: `${a.url}/graphql`, token: ADMIN_TOKEN, providers: ['acme'], retry: { minMs: 100 } });
  clients.push(client);
  const errors: unknown[] = [];
  client.on('error', (e) => errors.push(e));
  await client.ready();
  const start = client.lastCursor!;
  const got = record(client);
  await waitUntil(() => client.state === 'live', 10_000, 'live');

  const writer = startWriter(() => b.url, ids);
  await writer.more(5);
  await waitUntil(() => got.keys.length >= 3, 10_000, 'live changes');

  await cluster.redis.kill();
  await writer.more(10); // Postgres is the truth: switches go on without Redis
  expect(client.activeModel('acme', 'CHAT')).not.toBeNull();
  await cluster.redis.start();
  await writer.more(5);
  await writer.stop();

  await expectExactlyOnce(client, got, cluster.databaseUrl, start);
  expect(errors).toEqual([]);
  expect(client.state).not.toBe('closed');
});
