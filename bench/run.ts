import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Client, type QueryResultRow } from 'pg';
import { SubscriberPool } from './fanout';
import { startNode, type NodeProcess } from './processes';

/**
 * `npm run bench`: builds, then measures on loopback, with the server in a child process (so that the
 * load generator and the server do not share a core):
 *  (a) activeModel over HTTP, warm cache, 50 connections (autocannon), beside a bare Apollo Server 5
 *      answering a constant for the same query shape; the ratio;
 *  (b) activateModel throughput and latency on distinct slots and on one contended slot;
 *  (c) subscription fan-out to 1,000 and 5,000 graphql-ws subscribers: mutation return → receipt, server RSS.
 * Env: BENCH_DURATION (seconds per HTTP run, default 8), BENCH_FANOUT (e.g. "1000,5000"),
 * BENCH_REDIS_URL (default redis://127.0.0.1:6379; "off" skips the Redis row), TEST_PG_URL.
 */

// autocannon ships no types.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon: (options: Record<string, unknown>) => Promise<AutocannonResult> = require('autocannon');
interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number; average: number };
  non2xx: number;
  errors: number;
  timeouts: number;
}

const ROOT = path.resolve(__dirname, '../..');
const PG_ROOT = process.env.TEST_PG_URL ?? 'postgresql://postgres@127.0.0.1:5432';
const ADMIN_TOKEN = 'bench-admin-token-0123456789abcdef';
const DURATION = Number(process.env.BENCH_DURATION ?? 8);
const FANOUT = (process.env.BENCH_FANOUT ?? '1000,5000').split(',').map(Number).filter((n) => n > 0);
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const CAPABILITIES = ['CHAT', 'CODE', 'CONTENT', 'IMAGE', 'AUDIO', 'EMBEDDING'];

const READ_QUERY = `query Active($p: String!) { activeModel(provider: $p, capability: CHAT) { id name modelId displayName provider { slug } } }`;
const READ_BODY = JSON.stringify({ query: READ_QUERY, variables: { p: 'openrouter' }, operationName: 'Active' });
const ACTIVATE = `mutation Activate($input: ActivateModelInput!) { activateModel(input: $input) { changes { cursor version } } }`;
const SUBSCRIPTION = `subscription { activeModelChanged(provider: "fanout") { cursor version capability model { name } provider { slug } } }`;

const rows: string[][] = [];
const row = (...cells: (string | number)[]) => rows.push(cells.map(String));
const fmt = (n: number, digits = 0) => (Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : 'n/a');
const log = (msg: string) => process.stderr.write(`[bench] ${msg}\n`);

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

async function gql<T = Record<string, { id: string } | undefined>>(url: string, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_TOKEN}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data: T; errors?: unknown[] };
  if (body.errors?.length) throw new Error(`${query.slice(0, 60)}: ${JSON.stringify(body.errors)}`);
  return body.data;
}

async function pg(sql: string, database = 'postgres'): Promise<QueryResultRow[]> {
  const client = new Client({ connectionString: `${PG_ROOT}/${database}` });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

function cannon(url: string, extra: Record<string, unknown>): Promise<AutocannonResult> {
  return autocannon({ url: `${url}/graphql`, method: 'POST', duration: DURATION, connections: 50, ...extra });
}

/** A read run, with the server's CPU time per request: unlike requests/s it does not depend on how
 * much of the 2 cores the load generator (autocannon, in this process) takes. */
type ReadResult = AutocannonResult & { cpuUsPerRequest: number };

async function readBench(label: string, server: NodeProcess, headers: Record<string, string>): Promise<ReadResult> {
  const url = server.url;
  const probe = await fetch(`${url}/graphql`, { method: 'POST', headers, body: READ_BODY });
  const body = (await probe.json()) as { data?: { activeModel?: { name?: string } } };
  if (!body.data?.activeModel?.name) throw new Error(`${label}: unexpected answer ${JSON.stringify(body)}`);
  await autocannon({ url: `${url}/graphql`, method: 'POST', headers, body: READ_BODY, connections: 50, duration: 2 }); // warm-up
  const cpuBefore = server.cpuMs();
  const r = await cannon(url, { headers, body: READ_BODY });
  const cpuUsPerRequest = ((server.cpuMs() - cpuBefore) * 1000) / r.requests.total;
  if (r.non2xx || r.errors) throw new Error(`${label}: ${r.non2xx} non-2xx, ${r.errors} errors`);
  return Object.assign(r, { cpuUsPerRequest });
}

async function startSwitchboard(databaseUrl: string, redisUrl?: string): Promise<NodeProcess> {
  return startNode(
    path.join(ROOT, 'dist/src/main.js'),
    { DATABASE_URL: databaseUrl, REDIS_URL: redisUrl ?? '', ADMIN_TOKEN, LOG_LEVEL: 'warn', NODE_ENV: 'production', ENCRYPTION_KEY: randomBytes(32).toString('hex') },
    '/healthz',
  );
}

async function seed(url: string): Promise<{ distinct: { a: string; b: string }[]; hot: { a: string; b: string }; fanout: { a: string; b: string } }> {
  const model = async (provider: string, name: string, capabilities: string[]) =>
    (await gql<{ createModel: { id: string } }>(url, `mutation($i: CreateModelInput!) { createModel(input: $i) { id } }`, { i: { provider, name, modelId: `${provider}/${name}`, capabilities } })).createModel.id;
  const provider = (slug: string) => gql(url, `mutation($i: CreateProviderInput!) { createProvider(input: $i) { id } }`, { i: { slug, name: slug } });
  await provider('openrouter');
  const chat = await model('openrouter', 'claude', CAPABILITIES);
  await gql(url, ACTIVATE, { input: { modelId: chat } });
  const distinct: { a: string; b: string }[] = [];
  for (let i = 0; i < 50; i++) {
    await provider(`d${i}`);
    distinct.push({ a: await model(`d${i}`, 'a', ['CHAT']), b: await model(`d${i}`, 'b', ['CHAT']) });
  }
  await provider('hot');
  const hot = { a: await model('hot', 'a', ['CHAT']), b: await model('hot', 'b', ['CHAT']) };
  await provider('fanout');
  const fanout = { a: await model('fanout', 'a', ['CHAT']), b: await model('fanout', 'b', ['CHAT']) };
  return { distinct, hot, fanout };
}

async function historyCount(databaseName: string): Promise<number> {
  return Number((await pg('select count(*) as n from activation_change', databaseName))[0].n);
}

async function writeBench(label: string, url: string, databaseName: string, pick: (i: number) => string, connections: number): Promise<void> {
  let n = 0;
  const before = await historyCount(databaseName);
  const started = performance.now();
  const r = await autocannon({
    url: `${url}/graphql`,
    method: 'POST',
    connections,
    duration: Math.max(3, Math.round(DURATION / 2)),
    headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_TOKEN}` },
    requests: [
      {
        setupRequest: (req: Record<string, unknown>) => ({
          ...req,
          body: JSON.stringify({ query: ACTIVATE, variables: { input: { modelId: pick(n++), capabilities: ['CHAT'] } } }),
        }),
      },
    ],
  });
  const seconds = (performance.now() - started) / 1000;
  const changes = (await historyCount(databaseName)) - before;
  if (r.non2xx || r.errors) throw new Error(`${label}: ${r.non2xx} non-2xx, ${r.errors} errors`);
  row(`(b) ${label}, ${connections} conns`, fmt(r.requests.average), `${fmt(r.latency.p50, 1)} / ${fmt(r.latency.p99, 1)} ms`, `${fmt(changes / seconds)} changes/s`);
}

async function fanoutBench(server: NodeProcess, models: { a: string; b: string }, count: number): Promise<void> {
  const rssIdle = server.rssMb();
  const pool = new SubscriberPool(server.url.replace(/^http/, 'ws') + '/graphql', ADMIN_TOKEN, SUBSCRIPTION);
  const connectStart = performance.now();
  await pool.open(count);
  const connectSeconds = (performance.now() - connectStart) / 1000;
  let flip = 0;
  const activate = async () => {
    const sent = performance.now();
    const data = await gql<{ activateModel: { changes: { cursor: string }[] } }>(server.url, ACTIVATE, { input: { modelId: flip++ % 2 ? models.a : models.b, capabilities: ['CHAT'] } });
    return { sent, returned: performance.now(), cursor: data.activateModel.changes[0]?.cursor };
  };
  const waitAll = async (cursor: string, timeoutMs: number) => {
    const until = performance.now() + timeoutMs;
    while (pool.received(cursor) < count && performance.now() < until) await new Promise((r) => setTimeout(r, 5));
    return pool.received(cursor);
  };
  // Every subscription is live once a probe change reaches all of them.
  let probe = await activate();
  const liveBy = performance.now() + 90_000;
  // (Delivering one change to thousands of subscribers takes a while: give each probe time to finish.)
  while ((await waitAll(probe.cursor, Math.max(3000, count * 3))) < count && performance.now() < liveBy) {
    log(`  ${pool.received(probe.cursor)} of ${count} subscriptions live`);
    probe = await activate();
  }
  if (pool.received(probe.cursor) < count) throw new Error(`only ${pool.received(probe.cursor)} of ${count} subscribers are live`);
  const liveSeconds = (performance.now() - connectStart) / 1000;
  const rssSubscribed = server.rssMb();

  const fromReturn: number[] = [];
  const fromSend: number[] = [];
  let missing = 0;
  const EVENTS = count > 2000 ? 5 : 10;
  for (let i = 0; i < EVENTS; i++) {
    const m = await activate();
    const got = await waitAll(m.cursor, 15_000);
    missing += count - got;
    for (const at of pool.receipts.get(m.cursor) ?? []) {
      fromReturn.push(at - m.returned);
      fromSend.push(at - m.sent);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const rssAfter = server.rssMb();
  await pool.close();
  fromReturn.sort((x, y) => x - y);
  fromSend.sort((x, y) => x - y);
  row(
    `(c) fan-out ${fmt(count)} subscribers × ${EVENTS} changes`,
    `all live in ${fmt(liveSeconds, 1)} s (handshakes ${fmt(connectSeconds, 1)} s)`,
    `${fmt(percentile(fromReturn, 50), 1)} / ${fmt(percentile(fromReturn, 99), 1)} ms after return (${fmt(percentile(fromSend, 50), 1)} / ${fmt(percentile(fromSend, 99), 1)} after send)`,
    `RSS ${fmt(rssIdle)} → ${fmt(rssSubscribed)} → ${fmt(rssAfter)} MB; missing ${missing}, dup ${
      [...pool.receipts.values()].reduce((s, l) => s + Math.max(0, l.length - count), 0)
    }, errors ${pool.errors}`,
  );
}

async function main(): Promise<void> {
  const started = Date.now();
  const databaseName = `sb_bench_${process.pid}_${randomBytes(3).toString('hex')}`;
  const databaseUrl = `${PG_ROOT}/${databaseName}`;
  const processes: NodeProcess[] = [];
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_TOKEN}` };
  try {
    log(`database ${databaseName}; ${DURATION}s per read run`);
    const server = await startSwitchboard(databaseUrl);
    processes.push(server);
    const seeded = await seed(server.url);
    const bare = await startNode(path.join(ROOT, 'dist/bench/bare-apollo.js'), {}, '/');
    processes.push(bare);

    log('(a) reads');
    // Other work on the machine shifts the figures: alternate the two servers and keep each one's best run.
    const best = (a: ReadResult | undefined, b: ReadResult) => (!a || b.requests.average > a.requests.average ? b : a);
    let reference: ReadResult | undefined;
    let memory: ReadResult | undefined;
    for (let round = 0; round < 2; round++) {
      reference = best(reference, await readBench('bare Apollo', bare, { 'content-type': 'application/json' }));
      memory = best(memory, await readBench('Switchboard', server, headers));
    }
    await bare.stop();
    const cpuNote = (r: ReadResult) => `server CPU ${fmt(r.cpuUsPerRequest)} µs/request (${fmt(reference!.cpuUsPerRequest / r.cpuUsPerRequest, 2)}× by CPU)`;
    row('(a) bare Apollo 5 standalone, constant', fmt(reference!.requests.average), `${fmt(reference!.latency.p50, 1)} / ${fmt(reference!.latency.p99, 1)} ms`, `1.00×; ${cpuNote(reference!)}`);
    row(
      '(a) Switchboard activeModel, in-process cache',
      fmt(memory!.requests.average),
      `${fmt(memory!.latency.p50, 1)} / ${fmt(memory!.latency.p99, 1)} ms`,
      `${fmt(memory!.requests.average / reference!.requests.average, 2)}×; ${cpuNote(memory!)}`,
    );
    // What one authentication statement per request costs: the same trivial query without and with a token.
    const typename = JSON.stringify({ query: '{ __typename }' });
    for (const [label, h] of [
      ['no token (no SQL)', { 'content-type': 'application/json' }],
      ['with token (1 auth statement)', headers],
    ] as const) {
      await autocannon({ url: `${server.url}/graphql`, method: 'POST', headers: h, body: typename, connections: 50, duration: 1 });
      const r = await cannon(server.url, { headers: h, body: typename });
      row(`(a) Switchboard { __typename }, ${label}`, fmt(r.requests.average), `${fmt(r.latency.p50, 1)} / ${fmt(r.latency.p99, 1)} ms`, `${fmt(r.requests.average / reference!.requests.average, 2)}×`);
    }
    const reference_ = reference!;
    if (REDIS_URL !== 'off') {
      const withRedis = await startSwitchboard(databaseUrl, REDIS_URL);
      processes.push(withRedis);
      const r = await readBench('Switchboard+Redis', withRedis, headers);
      row(
        '(a) Switchboard activeModel, Redis cache',
        fmt(r.requests.average),
        `${fmt(r.latency.p50, 1)} / ${fmt(r.latency.p99, 1)} ms`,
        `${fmt(r.requests.average / reference_.requests.average, 2)}×; ${cpuNote(r)}`,
      );
      await withRedis.stop();
    }

    log('(b) writes');
    await writeBench('activateModel, 50 distinct slots', server.url, databaseName, (i) => {
      const p = seeded.distinct[i % 50];
      return Math.floor(i / 50) % 2 ? p.a : p.b;
    }, 20);
    await writeBench('activateModel, one contended slot', server.url, databaseName, (i) => (i % 2 ? seeded.hot.a : seeded.hot.b), 20);

    for (const count of FANOUT) {
      log(`(c) fan-out to ${count}`);
      await fanoutBench(server, seeded.fanout, count);
    }
  } catch (e) {
    for (const p of processes) {
      if (p.child.exitCode !== null || p.child.signalCode !== null) log(`a server process ended (${p.child.exitCode ?? p.child.signalCode}):\n${p.output.slice(-30).join('\n')}`);
    }
    throw e;
  } finally {
    for (const p of processes) await p.stop().catch(() => undefined);
    await pg(`drop database if exists "${databaseName}" with (force)`).catch((e) => log(`could not drop ${databaseName}: ${e}`));
  }

  const header = ['measurement', 'requests/s', 'p50 / p99 latency', 'notes'];
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => '| ' + r.map((c, i) => (c ?? '').padEnd(widths[i])).join(' | ') + ' |';
  console.log(`\nSwitchboard bench — loopback, server in a child process, ${new Date().toISOString()}, node ${process.version}`);
  console.log(line(header));
  console.log('|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|');
  for (const r of rows) console.log(line(r));
  console.log(`(a) 50 connections, ${DURATION}s after a 2s warm-up; (b) 20 connections; (c) p50/p99 from the mutation's return (and send) to each subscriber's receipt, all subscribers in this process.`);
  console.log(`total ${((Date.now() - started) / 1000).toFixed(0)}s`);
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
