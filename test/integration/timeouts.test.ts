import net from 'node:net';
import { Client } from 'pg';
import { createProvider } from '../helpers/factories';
import { privatePostgres, type PrivatePostgres } from '../helpers/private-postgres';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { waitFor } from '../helpers/wait';
import { withTimeout } from '../../src/http/timeouts';

/**
 * Issue 9, timeouts: a hung Postgres, a held lock or a trickled request body must not hang anything.
 * Durations are printed (timings belong to the bench, not to assertions); the outcomes are asserted.
 */

jest.setTimeout(90_000);

const database = { statementTimeoutMs: 1000, lockTimeoutMs: 500, idleInTransactionTimeoutMs: 5000 };
const HISTORY = `{ activationHistory(provider: "paused") { edges { cursor } } }`;

describe('a Postgres that stops answering (SIGSTOP), then comes back (SIGCONT)', () => {
  let pg: PrivatePostgres;
  let t: TestServer;
  beforeAll(async () => {
    pg = await privatePostgres();
    t = await startTestServer({ databaseUrl: `${pg.url}/switchboard`, database, redisUrl: undefined });
    await createProvider(t, 'paused');
  });
  afterAll(async () => {
    await t?.close();
    await pg?.stop();
  });

  test('requests fail fast with SERVICE_UNAVAILABLE, /readyz answers 503, and both recover', async () => {
    expect((await t.gql(HISTORY)).status).toBe(200);
    pg.pause();
    try {
      let start = Date.now();
      const ready = await fetch(`${t.url}/readyz`);
      console.log(`/readyz answered ${ready.status} after ${Date.now() - start} ms with Postgres paused`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toMatchObject({ postgres: 'down' });
      // Several at once: more than one pooled connection is stuck, none hangs.
      start = Date.now();
      const answers = await Promise.all([1, 2, 3].map(() => t.gql(HISTORY)));
      console.log(`3 requests answered ${answers.map((a) => a.status).join(',')} after ${Date.now() - start} ms with Postgres paused`);
      for (const a of answers) {
        expect(a.errors?.[0]?.extensions?.code).toBe('SERVICE_UNAVAILABLE');
        // Nothing answered: 503 (with Retry-After), not 200 with an error inside.
        expect(a.status).toBe(503);
      }
      expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
    } finally {
      pg.resume();
    }
    let res = await t.gql(HISTORY);
    while (res.errors) res = await t.gql(HISTORY);
    expect(res.status).toBe(200);
    expect((await fetch(`${t.url}/readyz`)).status).toBe(200);
  });
});

describe('the shared Postgres', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ database, http: { requestTimeoutMs: 1000, connectionTimeoutMs: 60000, keepAliveTimeoutMs: 5000 } });
    await createProvider(t, 'locked');
  });
  afterAll(() => t.close());

  test('a lock held elsewhere: the mutation gives up after lock_timeout with SERVICE_UNAVAILABLE, not a hang', async () => {
    const holder = new Client({ connectionString: t.databaseUrl });
    await holder.connect();
    try {
      await holder.query('begin');
      await holder.query('lock table provider in access exclusive mode');
      const start = Date.now();
      const res = await t.gql(`mutation { updateProvider(input: { slug: "locked", name: "Renamed" }) { name } }`);
      console.log(`the mutation gave up after ${Date.now() - start} ms (lock_timeout ${database.lockTimeoutMs} ms)`);
      expect(res.errors?.[0]?.extensions?.code).toBe('SERVICE_UNAVAILABLE');
    } finally {
      await holder.query('rollback');
      await holder.end();
    }
    const after = await t.gql<{ updateProvider: { name: string } }>(
      `mutation { updateProvider(input: { slug: "locked", name: "Renamed" }) { name } }`,
    );
    expect(after.data.updateProvider.name).toBe('Renamed');
  });

  test('the session limits are set for request work', async () => {
    const rows = await t.server.orm.em
      .getConnection()
      .execute(
        `select current_setting('statement_timeout') s, current_setting('lock_timeout') l, current_setting('idle_in_transaction_session_timeout') i`,
      );
    expect(rows[0]).toEqual({ s: '1s', l: '500ms', i: '5s' });
  });

  test('a request body trickled byte by byte is cut off by requestTimeout (408), the socket closed', async () => {
    const { port } = new URL(t.url);
    const socket = net.connect(Number(port), '127.0.0.1');
    let answer = '';
    socket.on('data', (d) => (answer += d.toString()));
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    socket.write('POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{');
    const trickle = setInterval(() => socket.writable && socket.write(' '), 200);
    await closed;
    clearInterval(trickle);
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
  });
});

/** A raw TCP connection to the server: what it received, and when the server closed it (bounded, so a hang reads as such). */
function rawConnection(url: string) {
  const socket = net.connect(Number(new URL(url).port), '127.0.0.1');
  const conn = { socket, received: '' };
  socket.on('data', (d) => (conn.received += d.toString()));
  // The server ending the connection may surface as a reset; the close is what is asserted.
  socket.on('error', () => {});
  const closed = withTimeout(
    new Promise<number>((resolve) => socket.on('close', () => resolve(Date.now()))),
    15_000,
    'the server closing the idle connection',
  );
  const connected = new Promise<void>((resolve) => socket.once('connect', resolve));
  return { conn, closed, connected };
}

describe('idle connections: HTTP_KEEP_ALIVE_TIMEOUT_MS and HTTP_CONNECTION_TIMEOUT_MS', () => {
  // The keep-alive timeout is the longer of the two, so a close no earlier than half of it cannot be the
  // connection timeout at work; requestTimeout (and headersTimeout with it) is far off and plays no part.
  const http = { requestTimeoutMs: 30_000, connectionTimeoutMs: 1000, keepAliveTimeoutMs: 3000 };
  let t: TestServer;
  const sockets: net.Socket[] = [];
  beforeAll(async () => {
    t = await startTestServer({ http });
  });
  // A failed test must not leave its socket holding the server's close.
  afterEach(() => sockets.splice(0).forEach((s) => s.destroy()));
  afterAll(() => t.close());

  test('a keep-alive connection left idle after its response is closed after keepAliveTimeout, as its Keep-Alive header says', async () => {
    const { conn, closed, connected } = rawConnection(t.url);
    sockets.push(conn.socket);
    await connected;
    conn.socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n');
    await waitFor(
      () => conn.received,
      (r) => r.endsWith('{"status":"ok"}'),
      { what: 'the /healthz response' },
    );
    const answeredAt = Date.now();
    expect(conn.received).toMatch(/^HTTP\/1\.1 200 /);
    expect(conn.received).toMatch(/\r\nConnection: keep-alive\r\n/i);
    expect(conn.received).toMatch(new RegExp(`\\r\\nKeep-Alive: timeout=${http.keepAliveTimeoutMs / 1000}\\r\\n`, 'i'));

    // Node keeps the socket a second past the advertised timeout, so that the client gives up on it first.
    const closedAt = await closed;
    console.log(
      `the idle keep-alive connection was closed ${closedAt - answeredAt} ms after its response (keepAliveTimeout ${http.keepAliveTimeoutMs} ms)`,
    );
    expect(closedAt - answeredAt).toBeGreaterThanOrEqual(http.keepAliveTimeoutMs / 2);
    // Nothing more was sent: the server just closed the connection.
    expect(conn.received).toMatch(/\{"status":"ok"\}$/);
  });

  test('a connection that never sends a request is closed after connectionTimeout, without an answer', async () => {
    const { conn, closed, connected } = rawConnection(t.url);
    sockets.push(conn.socket);
    await connected;
    const openedAt = Date.now();
    const closedAt = await closed;
    console.log(`the silent connection was closed ${closedAt - openedAt} ms after it opened (connectionTimeout ${http.connectionTimeoutMs} ms)`);
    expect(closedAt - openedAt).toBeGreaterThanOrEqual(http.connectionTimeoutMs / 2);
    expect(conn.received).toBe('');
  });
});
