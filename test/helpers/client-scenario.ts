import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client as PgClient } from 'pg';
import type { SlotChange, SwitchboardClient } from '../../src/client';
import { freePort, redisProcess, startServerProcess, type RedisProcess, type ServerProcess } from './server-process';
import { ADMIN_TOKEN, dropDatabase, freshDatabaseUrl } from './test-server';

/**
 * Real processes for the client library's tests: instances on one database and a private Redis,
 * a writer that keeps switching a slot, and the database's own record of what was committed.
 */

export async function gqlAt<T = unknown>(
  baseUrl: string,
  query: string,
  variables: Record<string, unknown> = {},
  token = ADMIN_TOKEN,
): Promise<T> {
  const send = () =>
    fetch(`${baseUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    });
  // A pooled keep-alive socket the server closed while this process was blocked (spawnSync) fails
  // once with "other side closed": that request never reached the server, so sending it again is safe.
  const res = await send().catch((e: Error) => {
    if (!/other side closed/.test(String((e.cause as Error | undefined)?.message ?? ''))) throw e;
    return send();
  });
  const body = (await res.json()) as { data: T; errors?: unknown[] };
  if (body.errors?.length) throw new Error(`${query.slice(0, 60)}…: ${JSON.stringify(body.errors)}`);
  return body.data;
}

export interface Cluster {
  databaseUrl: string;
  redis: RedisProcess;
  servers: ServerProcess[];
  env: Record<string, string>;
  /** Starts another instance on the same database and Redis (optionally on a given port). */
  startInstance(port?: number): Promise<ServerProcess>;
  close(): Promise<void>;
}

export async function startCluster(instances: number, label: string): Promise<Cluster> {
  const redis = await redisProcess();
  const databaseUrl = freshDatabaseUrl(label);
  // A short drain: the client tests restart instances often.
  const env = { DATABASE_URL: databaseUrl, REDIS_URL: redis.url, ADMIN_TOKEN, LOG_LEVEL: 'info', DEMO_DATA: 'false', SHUTDOWN_GRACE_MS: '100' };
  const servers: ServerProcess[] = [];
  const cluster: Cluster = {
    databaseUrl,
    redis,
    servers,
    env,
    async startInstance(port) {
      // Generous: ts-node compiles the server on start, and the machine may be busy.
      const s = await startServerProcess(port ? { ...env, PORT: String(port) } : env, { timeoutMs: 120_000 });
      servers.push(s);
      return s;
    },
    async close() {
      await Promise.all(servers.map((s) => s.stop(5000)));
      await redis.kill();
      await dropDatabase(databaseUrl);
    },
  };
  // One at a time: the first runs the migrations.
  try {
    for (let i = 0; i < instances; i++) await cluster.startInstance();
  } catch (e) {
    await cluster.close().catch(() => undefined);
    throw e;
  }
  return cluster;
}

/** Provider "acme" with models m1..m3 (CHAT), m1 active. Returns model ids by name. */
export async function seedAcme(baseUrl: string): Promise<Record<string, string>> {
  await gqlAt(baseUrl, `mutation { createProvider(input: { slug: "acme", name: "Acme" }) { id } }`);
  const ids: Record<string, string> = {};
  for (const name of ['m1', 'm2', 'm3']) {
    const data = await gqlAt<{ createModel: { id: string } }>(
      baseUrl,
      `mutation($input: CreateModelInput!) { createModel(input: $input) { id } }`,
      {
        input: { provider: 'acme', name, modelId: `acme/${name}`, capabilities: ['CHAT'], active: name === 'm1' },
      },
    );
    ids[name] = data.createModel.id;
  }
  return ids;
}

/** Keeps switching acme/CHAT through `target()` (which may change), ignoring failures while it is down. */
export function startWriter(target: () => string, ids: Record<string, string>) {
  let running = true;
  let ok = 0;
  let i = 0;
  const names = Object.keys(ids);
  const done = (async () => {
    while (running) {
      const name = names[i++ % names.length];
      try {
        await gqlAt(target(), `mutation($id: ID!) { activateModel(input: { modelId: $id, capabilities: [CHAT] }) { changes { cursor } } }`, {
          id: ids[name],
        });
        ok++;
      } catch {
        await new Promise((r) => setTimeout(r, 50));
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  return {
    get committed() {
      return ok;
    },
    /** Resolves once `n` more switches have committed. */
    async more(n: number, timeoutMs = 30_000) {
      const goal = ok + n;
      await waitUntil(() => ok >= goal, timeoutMs, `${n} more switches`);
    },
    async stop() {
      running = false;
      await done;
    },
  };
}

export async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The committed changes after a cursor, in cursor order, as "provider/CAPABILITY v<version> @<cursor>". */
export async function committedAfter(databaseUrl: string, cursor: string): Promise<string[]> {
  const pg = new PgClient({ connectionString: databaseUrl });
  await pg.connect();
  try {
    const { rows } = await pg.query<{ id: string; slug: string; capability: string; version: number }>(
      `select c.id::text as id, p.slug, c.capability, c.version from activation_change c join provider p on p.id = c.provider_id
        where c.id > $1 order by c.id`,
      [BigInt(cursor).toString()],
    );
    return rows.map((r) => `${r.slug}/${r.capability} v${r.version} @${r.id.padStart(20, '0')}`);
  } finally {
    await pg.end();
  }
}

/** Everything `onChange` delivered, as committedAfter() writes it. */
export function record(client: SwitchboardClient): { keys: string[]; changes: SlotChange[] } {
  const out = { keys: [] as string[], changes: [] as SlotChange[] };
  client.onChange((c) => {
    out.changes.push(c);
    out.keys.push(`${c.provider}/${c.capability} v${c.version} @${c.cursor}`);
  });
  return out;
}

/** Waits until the client has applied every committed change, then checks: each exactly once, in cursor order. */
export async function expectExactlyOnce(client: SwitchboardClient, got: { keys: string[] }, databaseUrl: string, start: string): Promise<void> {
  const expected = await committedAfter(databaseUrl, start);
  const last = expected.at(-1)?.split('@')[1];
  await waitUntil(() => !last || client.lastCursor === last, 30_000, `the client to reach ${last} (at ${client.lastCursor})`);
  expect(got.keys).toEqual(expected);
}

export interface HaproxyProcess {
  port: number;
  url: string;
  stop(): Promise<void>;
}

/** A real HAProxy on loopback in front of the given instances (health-checked on /readyz), stopped by the test. */
export async function startHaproxy(backends: string[]): Promise<HaproxyProcess> {
  const port = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sb-haproxy-'));
  const config = [
    'global',
    '  maxconn 512',
    'defaults',
    '  mode http',
    '  timeout connect 1s',
    '  timeout client 60s',
    '  timeout server 60s',
    '  timeout tunnel 1h',
    '  option redispatch',
    '  retries 3',
    'frontend switchboard',
    `  bind 127.0.0.1:${port}`,
    '  default_backend instances',
    'backend instances',
    '  balance roundrobin',
    '  option httpchk GET /readyz',
    '  default-server inter 300ms fall 2 rise 2',
    ...backends.map((b, i) => `  server s${i} ${new URL(b).host} check`),
    '',
  ].join('\n');
  const file = path.join(dir, 'haproxy.cfg');
  writeFileSync(file, config);
  const child: ChildProcess = spawn('/usr/sbin/haproxy', ['-db', '-f', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  child.stdout!.on('data', (d) => output.push(String(d)));
  child.stderr!.on('data', (d) => output.push(String(d)));
  const url = `http://127.0.0.1:${port}`;
  await waitUntil(
    async () => {
      if (child.exitCode !== null) throw new Error(`haproxy exited: ${output.join('')}`);
      return fetch(`${url}/healthz`).then(
        (r) => r.ok,
        () => false,
      );
    },
    15_000,
    'haproxy to answer',
  );
  return {
    port,
    url,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
