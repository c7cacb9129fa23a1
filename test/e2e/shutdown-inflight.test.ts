import { Client } from 'pg';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream';
import { startServerProcess, type ServerProcess } from '../helpers/server-process';
import { ADMIN_TOKEN, dropDatabase, freshDatabaseUrl } from '../helpers/test-server';

/**
 * Issue 9, shutdown with upstream calls in flight, on the real process: SIGTERM aborts the calls
 * still running at the end of the grace period, each gets a usage record (ERROR, errorCode
 * CANCELLED: the contract's UsageStatus has no CANCELLED), each client SERVICE_UNAVAILABLE, and the
 * process exits 0 well before SHUTDOWN_TIMEOUT_MS (which would exit 1).
 */

jest.setTimeout(90_000);

const databaseUrl = freshDatabaseUrl('shutdown_inflight');
let upstream: FakeUpstream;
let server: ServerProcess;

async function gql(query: string, variables: Record<string, unknown> = {}, token = ADMIN_TOKEN) {
  const res = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  return {
    status: res.status,
    body: (await res.json()) as { data?: unknown; errors?: { message: string; extensions?: Record<string, unknown> }[] },
  };
}

async function ok(query: string, variables: Record<string, unknown> = {}) {
  const r = await gql(query, variables);
  if (r.body.errors) throw new Error(JSON.stringify(r.body.errors));
  return r.body.data;
}

beforeAll(async () => {
  upstream = await startFakeUpstream();
  server = await startServerProcess(
    {
      DATABASE_URL: databaseUrl,
      ADMIN_TOKEN,
      LOG_LEVEL: 'warn',
      NODE_ENV: 'production',
      ENCRYPTION_KEY: 'a1'.repeat(32),
      // The fake upstream listens on loopback.
      UPSTREAM_ALLOW_PRIVATE: 'true',
      PROVIDER_TIMEOUT_MS: '60000',
      SHUTDOWN_GRACE_MS: '200',
      SHUTDOWN_TIMEOUT_MS: '8000',
    },
    { timeoutMs: 90_000 },
  );
  await ok(
    `mutation($u: String!) { createProvider(input: { slug: "slow", name: "Slow", baseUrl: $u, sharedApiKey: "sk-shared-0123456789", sharedApiEnabled: true }) { id } }`,
    {
      u: `${upstream.url}/v1`,
    },
  );
  await ok(`mutation { createModel(input: { provider: "slow", name: "m", modelId: "vendor/m", capabilities: [CHAT], active: true }) { id } }`);
});

afterAll(async () => {
  if (server && server.child.exitCode === null) await server.stop(2000);
  await upstream.close();
  await dropDatabase(databaseUrl);
});

test('SIGTERM aborts the running upstream calls: CANCELLED usage records, SERVICE_UNAVAILABLE answers, exit 0', async () => {
  // Far longer than the shutdown timeout: only an abort ends these calls in time.
  upstream.respondWith({ delayMs: 120_000, times: Infinity });
  const chat = () => gql(`mutation { chat(input: { provider: "slow", messages: [{ role: USER, content: "take your time" }] }) { content } }`);
  const calls = [chat(), chat()];
  while (upstream.requests.length < 2) await new Promise((r) => setTimeout(r, 20));

  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
    server.child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const start = Date.now();
  server.child.kill('SIGTERM');
  const answers = await Promise.all(calls);
  const exit = await exited;
  console.log(`exited ${exit.code} after ${Date.now() - start} ms (SHUTDOWN_GRACE_MS 200, SHUTDOWN_TIMEOUT_MS 8000)`);

  for (const a of answers) {
    expect(a.status).toBe(503);
    expect(a.body.errors?.[0]?.extensions?.code).toBe('SERVICE_UNAVAILABLE');
  }
  expect(exit).toEqual({ code: 0, signal: null });

  const pg = new Client({ connectionString: databaseUrl });
  await pg.connect();
  try {
    const { rows } = await pg.query(`select status, error_code from usage_record order by id`);
    expect(rows).toEqual([
      { status: 'ERROR', error_code: 'CANCELLED' },
      { status: 'ERROR', error_code: 'CANCELLED' },
    ]);
  } finally {
    await pg.end();
  }
});
