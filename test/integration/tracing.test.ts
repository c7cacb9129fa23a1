import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { createLogger } from '../../src/common/logger';
import { ADMIN_TOKEN, startTestServer, type TestServer } from '../helpers/test-server';
import { createModel, createProvider, expectOk } from '../helpers/factories';
import { createProviderWith, setKey } from '../helpers/gateway-fixtures';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream';

/**
 * Tracing on (an in-process exporter instead of OTLP), with Redis: one activateModel is one trace
 * holding the operation (type and name), its resolver, every SQL statement of the transaction, the
 * cache invalidation and the publish (down to the Redis PUBLISH); an upstream call is a span with
 * provider, model and status and never the key; log lines written inside a request carry its trace id.
 */

const exporter = new InMemorySpanExporter();
const logLines: string[] = [];
const PERSONAL_KEY = 'sk-trace-personal-key-0123456789abcdef';
let t: TestServer;
let upstream: FakeUpstream;
let modelId: string;

const attr = (span: ReadableSpan, name: string) => span.attributes[name];
const statementOf = (span: ReadableSpan) => {
  const statement = attr(span, 'db.query.text') ?? attr(span, 'db.statement');
  return typeof statement === 'string' ? statement : '';
};

beforeAll(async () => {
  upstream = await startFakeUpstream();
  t = await startTestServer(
    { redisUrl: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379' },
    { spanExporter: exporter, logger: createLogger('info', { write: (line: string) => void logLines.push(line) }) },
  );
  await createProvider(t, 'traced');
  modelId = (await createModel(t, 'traced', 'tm', ['CHAT'])).id;
  await createProviderWith(t, { slug: 'upstream', baseUrl: `${upstream.url}/v1` });
  await createModel(t, 'upstream', 'gen', ['CHAT'], { active: true, modelId: 'vendor/gen' });
  await setKey(t, ADMIN_TOKEN, { provider: 'upstream', apiKey: PERSONAL_KEY });
});

afterAll(async () => {
  await t?.close();
  await upstream?.close();
});

test('one activateModel is one trace: the operation, its resolver, the SQL statements, the invalidation and the publish', async () => {
  exporter.reset();
  const res = await t.gql(`mutation Switch($input: ActivateModelInput!) { activateModel(input: $input) { changes { version } } }`, {
    input: { modelId, capabilities: ['CHAT'] },
  });
  expectOk(res);
  const root = exporter.getFinishedSpans().find((s) => s.name === 'mutation Switch');
  expect(root).toBeDefined();
  expect(root!.attributes).toMatchObject({ 'graphql.operation.type': 'mutation', 'graphql.operation.name': 'Switch' });
  const traceId = root!.spanContext().traceId;
  const spans = exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);

  // Every span of the trace hangs off the operation's span.
  const byId = new Map(spans.map((s) => [s.spanContext().spanId, s]));
  for (const span of spans) {
    let cursor: ReadableSpan | undefined = span;
    while (cursor && cursor !== root) cursor = byId.get(cursor.parentSpanContext?.spanId ?? '');
    expect(`${span.name}: ${cursor === root ? 'under the operation' : 'detached'}`).toBe(`${span.name}: under the operation`);
  }

  const names = spans.map((s) => s.name);
  expect(names).toContain('resolve Mutation.activateModel');
  const sql = spans.filter((s) => attr(s, 'db.system') === 'postgresql' || attr(s, 'db.system.name') === 'postgresql').map(statementOf);
  expect(sql.some((q) => /for update/i.test(q) && /activation_slot/.test(q))).toBe(true);
  expect(sql.some((q) => /insert into activation_change/i.test(q))).toBe(true);
  expect(sql.some((q) => /^commit/i.test(q.trim()))).toBe(true);
  expect(names).toContain('cache invalidate');
  const publish = spans.find((s) => s.name === 'publish changes');
  expect(publish?.attributes).toMatchObject({ 'messaging.batch.message_count': 1 });
  // The Redis PUBLISH of the change itself, inside the publish span.
  const redisPublish = spans.filter((s) => /^publish/i.test(s.name) && s.parentSpanContext?.spanId === publish!.spanContext().spanId);
  expect(redisPublish.length).toBeGreaterThanOrEqual(1);
});

test('an upstream call is a span with provider, model and status (never the key); the log line of its failure carries the trace id', async () => {
  upstream.respondWith({ status: 500, json: { error: { message: 'boom' } } });
  exporter.reset();
  logLines.length = 0;
  const res = await t.gql(`mutation Ask($input: ChatInput!) { chat(input: $input) { content } }`, {
    input: { provider: 'upstream', messages: [{ role: 'USER', content: 'hi' }] },
  });
  expect(res.errors?.[0]?.extensions?.code).toBe('PROVIDER_ERROR');

  const call = exporter.getFinishedSpans().find((s) => s.name === 'upstream call');
  expect(call?.attributes).toMatchObject({
    'switchboard.provider': 'upstream',
    'switchboard.model': 'vendor/gen',
    'switchboard.upstream.status': 500,
  });
  const everything = JSON.stringify(exporter.getFinishedSpans().map((s) => ({ name: s.name, attributes: s.attributes, events: s.events })));
  expect(everything).not.toContain(PERSONAL_KEY.slice(3, 20));

  const traceId = call!.spanContext().traceId;
  const failed = logLines.map((l) => JSON.parse(l)).find((l) => l.msg === 'upstream call failed');
  expect(failed).toMatchObject({ trace_id: traceId });
  expect(failed.span_id).toMatch(/^[0-9a-f]{16}$/);
});
