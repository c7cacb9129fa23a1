import { SwitchboardClient } from '../../src/client';
import { expectExactlyOnce, record, seedAcme, startCluster, startWriter, waitUntil, type Cluster } from '../helpers/client-scenario';
import { ADMIN_TOKEN } from '../helpers/test-server';

/**
 * The client library against real server processes: the instance it is connected to restarts
 * (SIGTERM: the server completes the subscription, then goes away) while switches keep being
 * committed through another instance. The client serves the last known model during the outage,
 * comes back by itself, and its onChange sees every committed change exactly once, in cursor order.
 */

jest.setTimeout(300_000);

let cluster: Cluster;
let ids: Record<string, string>;
const clients: SwitchboardClient[] = [];

beforeAll(async () => {
  cluster = await startCluster(2, 'client_restart');
  ids = await seedAcme(cluster.servers[0].url);
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await cluster?.close();
});

test('a restart of the server the client is on: no change missed, none twice, last value served meanwhile', async () => {
  const [a, b] = cluster.servers;
  const client = new SwitchboardClient({ url: `${a.url}/graphql`, token: ADMIN_TOKEN, providers: ['acme'], retry: { minMs: 100 } });
  clients.push(client);
  await client.ready();
  const start = client.lastCursor!;
  expect(client.activeModel('acme', 'CHAT')).toMatchObject({ name: 'm1', modelId: 'acme/m1', provider: 'acme', capability: 'CHAT', version: 1 });
  const got = record(client);
  const states: string[] = [];
  client.on('state', (s) => states.push(s));
  await waitUntil(() => client.state === 'live', 10_000, 'live');

  const writer = startWriter(() => b.url, ids);
  await writer.more(5);
  await waitUntil(() => got.keys.length >= 5, 10_000, 'live changes');

  const port = new URL(a.url).port;
  await a.stop();
  await waitUntil(() => client.state === 'reconnecting', 10_000, 'reconnecting');
  const during = client.activeModel('acme', 'CHAT');
  expect(during).not.toBeNull(); // the last known value, from memory
  await writer.more(10); // committed while the client has no server

  await cluster.startInstance(Number(port));
  await waitUntil(() => client.state === 'live', 30_000, 'live again');
  await writer.more(5);
  await writer.stop();

  await expectExactlyOnce(client, got, cluster.databaseUrl, start);
  expect(states).toContain('reconnecting');
  const last = got.changes.at(-1)!;
  expect(client.activeModel('acme', 'CHAT')).toMatchObject({ name: last.model!.name, version: last.version });
});
