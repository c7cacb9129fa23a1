import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { Client } from 'pg';
import { print } from 'graphql';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { ADMIN_TOKEN, dropDatabase, freshDatabaseUrl, type GqlBody } from '../helpers/test-server';
import { waitFor } from '../helpers/wait';
import {
  ActivateChangesDocument,
  ChangeCursorsDocument,
  CreateModelDocument,
  CreateProviderDocument,
  LoadReadDocument,
  type ActivateChangesMutation,
} from '../generated/graphql';

/**
 * SIGTERM under load, on the real process: `node src/main.ts` (through ts-node) on its own
 * database, many concurrent activateModel mutations and queries, and a live subscription.
 */
const ROOT = path.resolve(__dirname, '../..');
const databaseUrl = freshDatabaseUrl('shutdown');
let child: ChildProcess;
let port: number;
let output = '';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}

interface Outcome {
  status?: number;
  body?: GqlBody<ActivateChangesMutation>;
  error?: string;
  /** Response bytes arrived (a reset after that is not a clean refusal). */
  started: boolean;
  sentAt: number;
  doneAt: number;
}

/** One POST on a fresh connection (no keep-alive), so "refused" and "answered" are unambiguous. */
function post<T, V>(document: TypedDocumentNode<T, V>, variables: V): Promise<Outcome> {
  const query = print(document);
  const sentAt = Date.now();
  return new Promise((resolve) => {
    let started = false;
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path: '/graphql',
        method: 'POST',
        agent: false,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_TOKEN}` },
      },
      (res) => {
        started = true;
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (text += c));
        res.on('end', () => {
          let body: GqlBody<ActivateChangesMutation> | undefined;
          try {
            body = JSON.parse(text) as GqlBody<ActivateChangesMutation>;
          } catch {
            body = { errors: [{ message: text }] };
          }
          resolve({ status: res.statusCode, body, started, sentAt, doneAt: Date.now() });
        });
        res.on('error', (e) => resolve({ error: (e as NodeJS.ErrnoException).code ?? e.message, started, sentAt, doneAt: Date.now() }));
      },
    );
    req.setTimeout(15_000, () => req.destroy(new Error('timeout')));
    req.on('error', (e) => resolve({ error: (e as NodeJS.ErrnoException).code ?? e.message, started, sentAt, doneAt: Date.now() }));
    req.end(JSON.stringify({ query, variables }));
  });
}

async function gqlOk<T, V>(document: TypedDocumentNode<T, V>, variables: V): Promise<T> {
  const r = await post(document, variables);
  if (r.status !== 200 || r.body?.errors) throw new Error(`${print(document)}: ${JSON.stringify(r)}`);
  return r.body!.data as T;
}

beforeAll(async () => {
  port = await freePort();
  child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'src/main.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_ENV: 'development',
      DATABASE_URL: databaseUrl,
      EMBEDDED_POSTGRES: 'false',
      REDIS_URL: '',
      PORT: String(port),
      HOST: '127.0.0.1',
      ADMIN_TOKEN,
      LOG_LEVEL: 'info',
      TS_NODE_PROJECT: path.join(ROOT, 'tsconfig.test.json'),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (c) => (output += c));
  child.stderr!.on('data', (c) => (output += c));
  const up = await waitFor(
    async () =>
      child.exitCode !== null ||
      (await fetch(`http://127.0.0.1:${port}/healthz`).then(
        (r) => r.ok,
        () => false,
      )),
    Boolean,
    { timeoutMs: 60_000, intervalMs: 200, what: 'the server to answer /healthz' },
  ).catch(() => false);
  if (!up || child.exitCode !== null) throw new Error(`server did not start:\n${output}`);
}, 90_000);

afterAll(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  await dropDatabase(databaseUrl);
});

test('SIGTERM under load: exits 0 in time, in-flight requests complete, no half-applied change', async () => {
  await gqlOk(CreateProviderDocument, { input: { slug: 'load', name: 'Load' } });
  const models: string[] = [];
  for (const name of ['m1', 'm2', 'm3', 'm4']) {
    const data = await gqlOk(CreateModelDocument, { input: { provider: 'load', name, modelId: name, capabilities: ['CHAT', 'CODE'] } });
    models.push(data.createModel.id);
  }

  // A live subscription: it must end with `complete`, not an error.
  const ws = createClient({
    url: `ws://127.0.0.1:${port}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${ADMIN_TOKEN}` },
    retryAttempts: 0,
    lazy: false,
    onNonLazyError: () => undefined, // the socket closing (1001) after the server completed the subscription
  });
  const sub = { events: 0, completed: false, error: undefined as unknown };
  ws.subscribe(
    { query: print(ChangeCursorsDocument), variables: { provider: 'load' } },
    { next: () => void (sub.events += 1), error: (e) => (sub.error = e), complete: () => (sub.completed = true) },
  );
  // The server subscribes asynchronously: switch until an event proves the subscription is live
  // (a switch made before that is not delivered, so each try waits a little for its event).
  for (let k = 0; sub.events === 0; k++) {
    if (k > 50) throw new Error(`no subscription event: ${String(sub.error)}`);
    await gqlOk(ActivateChangesDocument, { input: { modelId: models[k % models.length] } });
    await waitFor(() => sub.events > 0, Boolean, { timeoutMs: 300 }).catch(() => undefined);
  }

  // Load: workers alternate mutations and queries until the server is gone.
  const outcomes: (Outcome & { kind: string })[] = [];
  let running = true;
  const worker = async (w: number) => {
    for (let i = 0; running; i++) {
      const mutation = (i + w) % 2 === 0;
      const r = mutation
        ? await post(ActivateChangesDocument, {
            input: {
              modelId: models[(i * 7 + w) % models.length],
              capabilities: (i + w) % 3 === 0 ? ['CHAT', 'CODE'] : [(i + w) % 3 === 1 ? 'CHAT' : 'CODE'],
            },
          })
        : await post(LoadReadDocument, { provider: 'load' });
      outcomes.push({ ...r, kind: mutation ? 'mutation' : 'query' });
      if (r.error === 'ECONNREFUSED') running = false;
    }
  };
  const workers = Array.from({ length: 24 }, (_, w) => worker(w));
  // SIGTERM once the load is well under way.
  await waitFor(
    () => outcomes.filter((o) => o.status === 200).length,
    (n) => n > 20,
    { timeoutMs: 30_000, what: '20 answered requests' },
  );

  const termAt = Date.now();
  const exited = new Promise<{ code: number | null; signal: string | null; at: number }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal, at: Date.now() })),
  );
  child.kill('SIGTERM');
  const exit = await exited;
  running = false;
  await Promise.all(workers);
  await ws.dispose();

  // Exit 0: within SHUTDOWN_TIMEOUT_MS (10 s), since the server exits with 1 when that runs out.
  expect({ code: exit.code, signal: exit.signal }).toEqual({ code: 0, signal: null });
  expect(output).toContain('"msg":"stopped"');

  // Every answered request succeeded; the only failures are refusals of requests the closing
  // server never read (connection refused, or a connection reset before any response byte).
  const refused = (o: Outcome) => !o.started && ['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'socket hang up'].includes(o.error ?? '');
  const bad = outcomes.filter((o) => !(o.status === 200 && !o.body?.errors) && !refused(o));
  expect(bad).toEqual([]);
  expect(outcomes.filter((o) => o.sentAt < termAt && refused(o))).toEqual([]);
  // Requests in flight at SIGTERM finished with 200.
  const inFlight = outcomes.filter((o) => o.sentAt <= termAt && o.doneAt >= termAt);
  expect(inFlight.length).toBeGreaterThan(0);
  expect(inFlight.every((o) => o.status === 200)).toBe(true);

  // The subscription was completed by the server, cleanly.
  expect(sub.error).toBeUndefined();
  expect(sub.completed).toBe(true);

  // The database: no half-applied change, nothing left unpublished.
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const slots = await db.query(`
      select s.capability, s.version, s.model_id,
             (select max(version) from activation_change c where c.provider_id = s.provider_id and c.capability = s.capability) as max_version,
             (select count(*)::int from activation_change c where c.provider_id = s.provider_id and c.capability = s.capability) as rows,
             (select model_id from activation_change c where c.provider_id = s.provider_id and c.capability = s.capability order by version desc limit 1) as last_model
        from activation_slot s join provider p on p.id = s.provider_id where p.slug = 'load'`);
    for (const s of slots.rows) {
      expect({ capability: s.capability, version: s.version }).toEqual({ capability: s.capability, version: s.max_version ?? 0 });
      expect(s.rows).toBe(s.version); // versions 1..n, no gap
      if (s.version > 0) expect(s.last_model).toBe(s.model_id);
    }
    const unpublished = await db.query(`select count(*)::int as n from activation_change where published_at is null`);
    expect(unpublished.rows[0].n).toBe(0);
    // Every change a client was told about is in the history.
    const told = outcomes.flatMap((o) => (o.status === 200 ? (o.body?.data?.activateModel?.changes ?? []) : [])).map((c) => c.cursor);
    const known = new Set((await db.query(`select lpad(id::text, 20, '0') as cursor from activation_change`)).rows.map((r) => r.cursor));
    expect(told.filter((c: string) => !known.has(c))).toEqual([]);
    expect(told.length).toBeGreaterThan(0);
  } finally {
    await db.end();
  }
}, 60_000);
