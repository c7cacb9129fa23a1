import { SwitchboardClient } from '../../src/client';
import {
  expectExactlyOnce,
  record,
  seedAcme,
  startCluster,
  startHaproxy,
  startWriter,
  waitUntil,
  type Cluster,
  type HaproxyProcess,
} from '../helpers/client-scenario';
import { ADMIN_TOKEN } from '../helpers/test-server';

/**
 * Two instances behind a real HAProxy (started here on loopback, stopped after). The instance
 * holding the client's WebSocket is killed (SIGKILL: no goodbye) while switches keep coming through
 * the other one. The client reconnects through HAProxy to the survivor and resumes with `since`:
 * it misses none and receives none twice.
 */

jest.setTimeout(300_000);

let cluster: Cluster;
let haproxy: HaproxyProcess;
let ids: Record<string, string>;
const clients: SwitchboardClient[] = [];

beforeAll(async () => {
  cluster = await startCluster(2, 'client_lb');
  ids = await seedAcme(cluster.servers[0].url);
  haproxy = await startHaproxy(cluster.servers.map((s) => s.url));
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await haproxy?.stop();
  await cluster?.close();
});

test('the instance behind the load balancer that holds the client dies; the client misses nothing and gets nothing twice', async () => {
  const client = new SwitchboardClient({ url: `${haproxy.url}/graphql`, token: ADMIN_TOKEN, retry: { minMs: 100 } });
  clients.push(client);
  await client.ready();
  const start = client.lastCursor!;
  const got = record(client);
  await waitUntil(() => client.state === 'live', 10_000, 'live');

  // Which instance holds the socket: the one that logged the connection.
  const connected = (s: (typeof cluster.servers)[number]) => s.output.filter((l) => l.includes('websocket connected')).length;
  await waitUntil(() => cluster.servers.some((s) => connected(s) > 0), 10_000, 'a websocket connection in a log');
  const [victim, survivor] = connected(cluster.servers[0]) > 0 ? cluster.servers : [cluster.servers[1], cluster.servers[0]];

  const writer = startWriter(() => survivor.url, ids);
  await writer.more(5);
  await waitUntil(() => got.keys.length >= 3, 10_000, 'live changes');

  const before = connected(survivor);
  victim.child.kill('SIGKILL');
  await writer.more(10); // keep switching through the survivor while the client finds it
  await waitUntil(() => connected(survivor) > before && client.state === 'live', 30_000, 'the client on the survivor');
  await writer.more(5);
  await writer.stop();

  await expectExactlyOnce(client, got, cluster.databaseUrl, start);
  expect(got.keys.length).toBeGreaterThanOrEqual(15); // 20 switches, the first of which may find m1 already active
});
