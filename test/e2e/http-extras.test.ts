import { loadConfig } from '../../src/config/config';
import { createProvider, createModel, activate } from '../helpers/factories';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { ActiveChatDocument, ProvidersSlotsDocument, StaleDocument, ViewerDocument, ViewerNameDocument } from '../generated/graphql';

const get = (t: TestServer, path: string, headers: Record<string, string> = {}) => fetch(`${t.url}${path}`, { headers, redirect: 'manual' });

describe('static pages', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(() => t.close());

  test.each([
    ['/admin', '/admin/'],
    ['/explorer', '/explorer/'],
  ])('%s redirects to %s', async (path, location) => {
    const res = await get(t, path);
    expect([301, 302]).toContain(res.status);
    expect(res.headers.get('location')).toBe(location);
  });

  test.each([
    ['/admin/', 'text/html', 'Switchboard · admin'],
    ['/admin/app.js', 'javascript', 'startLive'],
    ['/admin/app.css', 'text/css', ''],
    ['/admin/audit-vocabulary.js', 'javascript', 'export const AUDIT_ACTIONS = ["PROVIDER_CREATED",'],
    ['/explorer/', 'text/html', 'API explorer'],
    ['/explorer/explorer.js', 'javascript', 'GraphiQL.createFetcher'],
    ['/explorer/vendor/react.production.min.js', 'javascript', 'React'],
    ['/explorer/vendor/react-dom.production.min.js', 'javascript', ''],
    ['/explorer/vendor/graphiql.min.js', 'javascript', 'GraphiQL'],
    ['/explorer/vendor/graphiql.min.css', 'text/css', '.graphiql-container'],
    ['/explorer/vendor/graphql-ws.min.js', 'javascript', 'graphqlWs'],
  ])('GET %s is %s', async (path, type, contains) => {
    const res = await get(t, path);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain(type);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    if (contains) expect(await res.text()).toContain(contains);
  });

  test('unknown files are JSON 404s; no path escapes public/', async () => {
    for (const path of ['/admin/nope.js', '/explorer/vendor/nope.js', '/admin/..%2f..%2fpackage.json', '/explorer/../package.json']) {
      const res = await get(t, path);
      expect(res.status).toBe(404);
      expect(await res.text()).not.toContain('"dependencies"');
    }
  });

  test('a browser visit to /graphql goes to the explorer; API clients are not redirected', async () => {
    const browser = await get(t, '/graphql', { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' });
    expect(browser.status).toBe(302);
    expect(browser.headers.get('location')).toBe('/explorer/');

    const getQuery = await get(t, '/graphql?query=%7B__typename%7D', {
      accept: 'text/html,application/json',
      'apollo-require-preflight': 'true',
    });
    expect(getQuery.status).not.toBe(302);
    const post = await t.op(ViewerNameDocument, {});
    expect(post.data.viewer.name).toBe('admin');
  });
});

describe('/metrics', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(() => t.close());

  const scrape = async () => {
    const res = await get(t, '/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    return res.text();
  };
  const value = (text: string, series: string): number | undefined => {
    const line = text.split('\n').find((l) => l.startsWith(series + ' '));
    return line === undefined ? undefined : Number(line.slice(series.length + 1));
  };

  test('latency by operation, errors by code, activations, subscriptions, cache and outbox', async () => {
    // Counters are compared with a scrape taken first, so other tests of this server do not matter.
    const base = await scrape();
    const delta = (text: string, series: string) => (value(text, series) ?? 0) - (value(base, series) ?? 0);
    await createProvider(t, 'acme');
    const a = await createModel(t, 'acme', 'alpha', ['CHAT', 'CODE']);
    const b = await createModel(t, 'acme', 'beta', ['CHAT']);
    expect((await activate(t, a.id)).errors).toBeUndefined(); // CHAT + CODE
    expect((await activate(t, b.id)).errors).toBeUndefined(); // CHAT
    await t.op(ActiveChatDocument, { provider: 'acme' });
    await t.op(ActiveChatDocument, { provider: 'acme' });
    await t.op(ViewerDocument, {}, { token: 'wrong-token' });
    await t.op(StaleDocument, { input: { modelId: a.id, capabilities: ['CHAT'], expectedVersion: 1 } });

    const text = await scrape();
    expect(delta(text, 'switchboard_graphql_operation_duration_seconds_count{operation="ActiveChat",type="query"}')).toBe(2);
    expect(text).toMatch(/switchboard_graphql_operation_duration_seconds_bucket\{le="0\.1",operation="ActiveChat",type="query"\} \d/);
    expect(delta(text, 'switchboard_graphql_errors_total{code="UNAUTHENTICATED"}')).toBe(1);
    expect(delta(text, 'switchboard_graphql_errors_total{code="CONFLICT"}')).toBe(1);
    expect(delta(text, 'switchboard_activations_total{capability="CHAT",kind="activated"}')).toBe(2);
    expect(delta(text, 'switchboard_activations_total{capability="CODE",kind="activated"}')).toBe(1);
    expect(value(text, 'switchboard_live_subscriptions')).toBe(0);
    expect(value(text, 'switchboard_websocket_connections')).toBe(0);
    expect(value(text, 'switchboard_outbox_backlog')).toBe(0);
    expect(value(text, 'switchboard_cache_hits_total')).toBeGreaterThanOrEqual(0);
    expect(value(text, 'switchboard_cache_misses_total')).toBeGreaterThanOrEqual(0);
    expect(text).toContain('process_resident_memory_bytes');

    // Cache counters follow the store; live subscriptions follow the change feed.
    const store = t.server.backplane.cache;
    const before = { hits: store.hits, misses: store.misses };
    await t.op(ProvidersSlotsDocument, {});
    await t.op(ProvidersSlotsDocument, {});
    const feed = await t.server.services.changeFeed.open({ provider: 'acme' });
    const after = await scrape();
    expect(value(after, 'switchboard_cache_hits_total')).toBe(store.hits);
    expect(value(after, 'switchboard_cache_misses_total')).toBe(store.misses);
    expect(store.hits + store.misses).toBeGreaterThan(before.hits + before.misses);
    expect(value(after, 'switchboard_live_subscriptions')).toBe(1);
    await feed.return!();
  });

  test('the outbox backlog counts unpublished changes', async () => {
    await createProvider(t, 'outbox');
    await createModel(t, 'outbox', 'held', ['CHAT'], { active: true });
    await t.server.orm.em
      .getConnection()
      .execute(`update activation_change set published_at = null where id = (select max(id) from activation_change)`);
    expect(value(await scrape(), 'switchboard_outbox_backlog')).toBe(1);
    await t.server.orm.em.getConnection().execute(`update activation_change set published_at = now() where published_at is null`);
  });
});

describe('/metrics with METRICS_TOKEN', () => {
  let t: TestServer;
  const token = 'metrics-token-0123456789';
  beforeAll(async () => {
    t = await startTestServer({ metricsToken: token });
  });
  afterAll(() => t.close());

  test('needs the token', async () => {
    expect((await get(t, '/metrics')).status).toBe(401);
    expect((await get(t, '/metrics', { authorization: 'Bearer wrong-token-0123456789' })).status).toBe(401);
    expect((await get(t, '/metrics', { authorization: `Bearer ${token}` })).status).toBe(200);
  });
});

describe('configuration of what this issue adds', () => {
  test('embedded Postgres is the default only without DATABASE_URL', () => {
    expect(loadConfig({}).embeddedPostgres).toBe('auto');
    expect(loadConfig({ DATA_DIR: '/var/tmp/sb' }).embeddedPostgres).toBe(true);
    expect(loadConfig({ EMBEDDED_POSTGRES: 'true' }).embeddedPostgres).toBe(true);
    expect(loadConfig({ DATABASE_URL: 'postgresql://h/db' }).embeddedPostgres).toBe(false);
    expect(loadConfig({ EMBEDDED_POSTGRES: 'false' }).embeddedPostgres).toBe(false);
    expect(() => loadConfig({ EMBEDDED_POSTGRES: 'true', DATABASE_URL: 'postgresql://h/db' })).toThrow(/EMBEDDED_POSTGRES/);
    expect(() => loadConfig({ EMBEDDED_POSTGRES: 'maybe' })).toThrow(/EMBEDDED_POSTGRES must be true or false/);
  });

  test('METRICS_TOKEN, DEMO_DATA and SHUTDOWN_TIMEOUT_MS are validated by name', () => {
    expect(() => loadConfig({ METRICS_TOKEN: 'short' })).toThrow(/METRICS_TOKEN/);
    expect(() => loadConfig({ DEMO_DATA: 'x' })).toThrow(/DEMO_DATA/);
    expect(() => loadConfig({ SHUTDOWN_TIMEOUT_MS: '10s' })).toThrow(/SHUTDOWN_TIMEOUT_MS/);
    expect(() => loadConfig({ SHUTDOWN_GRACE_MS: '60000' })).toThrow(/SHUTDOWN_GRACE_MS must be between 0 and 30000/);
    expect(loadConfig({}).shutdownGraceMs).toBe(500);
    expect(loadConfig({}).demoData).toBe(true);
    expect(loadConfig({ NODE_ENV: 'production', ENCRYPTION_KEY: 'a'.repeat(64) }).demoData).toBe(false);
    expect(loadConfig({}).shutdownTimeoutMs).toBe(10000);
  });
});
