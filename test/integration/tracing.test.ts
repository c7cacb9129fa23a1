import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { createLogger } from '../../src/common/logger';
import { ADMIN_TOKEN, startTestServer, type TestServer } from '../helpers/test-server';
import { createModel, createProvider, expectOk } from '../helpers/factories';
import { createProviderWith, setKey } from '../helpers/gateway-fixtures';
import { openAiStreamItems, startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream';
import { collect, collectLive, wsClient } from '../helpers/ws-client';
import { waitFor } from '../helpers/wait';
import { ChangeEventsDocument, ChatStreamDocument } from '../generated/graphql';
import type { Client } from 'graphql-ws';

/**
 * Tracing on (an in-process exporter instead of OTLP), with Redis: one activateModel is one trace
 * holding the operation (type and name), its resolver, every SQL statement of the transaction, the
 * cache invalidation and the publish (down to the Redis PUBLISH); an upstream call is a span with
 * provider, model and status and never the key; log lines written inside a request carry its trace id.
 * Over graphql-ws: a subscription's start is a span named after its operation, a shared event is one
 * span (not one per subscriber) linked to a subscription's start, and a streamed generation's upstream
 * call is a span under its subscription that ends with the stream.
 */

const exporter = new InMemorySpanExporter();
const logLines: string[] = [];
const PERSONAL_KEY = 'sk-trace-personal-key-0123456789abcdef';
let t: TestServer;
let upstream: FakeUpstream;
let modelId: string;
let otherModelId: string;
const clients: Client[] = [];

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
  otherModelId = (await createModel(t, 'traced', 'tm2', ['CHAT'])).id;
  await createProviderWith(t, { slug: 'upstream', baseUrl: `${upstream.url}/v1` });
  await createModel(t, 'upstream', 'gen', ['CHAT'], { active: true, modelId: 'vendor/gen' });
  await setKey(t, ADMIN_TOKEN, { provider: 'upstream', apiKey: PERSONAL_KEY });
});

afterAll(async () => {
  for (const c of clients) await c.dispose();
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

const spanNamed = (name: string) => exporter.getFinishedSpans().filter((s) => s.name === name);
const ws = () => {
  const c = wsClient(t.url);
  clients.push(c);
  return c;
};

test('a subscription start is a span named after its operation; an event is one span for all its subscribers, linked to a start', async () => {
  exporter.reset();
  // Two subscribers of the same document and variables: the event's result is computed (and spanned) once.
  const first = await collectLive(t, ws(), ChangeEventsDocument, { provider: 'traced' });
  const second = await collectLive(t, ws(), ChangeEventsDocument, { provider: 'traced' });
  const starts = spanNamed('subscription ChangeEvents');
  expect(starts).toHaveLength(2);
  for (const start of starts) {
    expect(start.attributes).toMatchObject({
      'graphql.operation.type': 'subscription',
      'graphql.operation.name': 'ChangeEvents',
      'graphql.field.name': 'activeModelChanged',
    });
    expect(attr(start, 'switchboard.connection.id')).toMatch(/^[0-9a-f-]{36}$/);
  }
  expect(attr(starts[0], 'switchboard.connection.id')).not.toBe(attr(starts[1], 'switchboard.connection.id'));

  expectOk(
    await t.gql(`mutation Switch($input: ActivateModelInput!) { activateModel(input: $input) { changes { version } } }`, {
      input: { modelId: otherModelId, capabilities: ['CHAT'] },
    }),
  );
  expect(await first.waitFor(1)).toHaveLength(1);
  expect(await second.waitFor(1)).toHaveLength(1);
  const events = await waitFor(
    () => spanNamed('subscription event ChangeEvents'),
    (spans) => spans.length > 0,
    { what: 'the event span' },
  );
  expect(events).toHaveLength(1);
  const [event] = events;
  expect(event.attributes).toMatchObject({
    'graphql.operation.type': 'subscription',
    'graphql.operation.name': 'ChangeEvents',
    'graphql.field.name': 'activeModelChanged',
  });
  expect(attr(event, 'switchboard.event.id')).toEqual(expect.any(String));
  // Its own trace, linked to the start of the subscription that computed it, and to the publish of
  // the change in the activation's trace (the traceparent travels with the change, across instances too).
  expect(event.parentSpanContext).toBeUndefined();
  expect(event.links).toHaveLength(2);
  expect(starts.map((s) => s.spanContext().spanId)).toContain(event.links[0].context.spanId);
  const [publish] = spanNamed('publish changes');
  expect(event.links[1].context).toMatchObject({ traceId: publish.spanContext().traceId, spanId: publish.spanContext().spanId });
  expect(spanNamed('mutation Switch').map((s) => s.spanContext().traceId)).toEqual([publish.spanContext().traceId]);
  first.stop();
  second.stop();
});

test('a streamed generation is an upstream span under its subscription: provider, model, status, ended with the stream, never the key', async () => {
  exporter.reset();
  const sub = collect(ws(), ChatStreamDocument, { input: { provider: 'upstream', messages: [{ role: 'USER', content: 'stream it' }] } });
  await waitFor(() => sub.events.some((e) => e.chatStream.done) || sub.errors.length > 0, Boolean, { what: 'the final chunk' });
  expect(sub.errors).toEqual([]);
  const start = spanNamed('subscription ChatStream')[0];
  expect(start?.attributes).toMatchObject({ 'graphql.operation.type': 'subscription', 'graphql.operation.name': 'ChatStream' });
  const call = await waitFor(() => spanNamed('upstream call')[0], Boolean, { what: 'the upstream span' });
  expect(call.attributes).toMatchObject({
    'switchboard.provider': 'upstream',
    'switchboard.model': 'vendor/gen',
    'switchboard.upstream.stream': true,
    'switchboard.upstream.status': 'ok',
  });
  expect(call.spanContext().traceId).toBe(start.spanContext().traceId);
  expect(call.parentSpanContext?.spanId).toBe(start.spanContext().spanId);
  // Not one event span per chunk: chatStream is not a shared subscription.
  expect(spanNamed('subscription event ChatStream')).toEqual([]);

  // A stream the upstream refuses: its status on the span, the failure's log line in the span's trace.
  upstream.respondWith({ status: 500, json: { error: { message: `boom ${PERSONAL_KEY}` } } });
  const seen = exporter.getFinishedSpans();
  exporter.reset();
  logLines.length = 0;
  const failing = collect(ws(), ChatStreamDocument, { input: { provider: 'upstream', messages: [{ role: 'USER', content: 'fail it' }] } });
  await waitFor(() => failing.errors.length, Boolean, { what: 'the stream error' });
  expect(failing.errors).toMatchObject([{ extensions: { code: 'PROVIDER_ERROR' } }]);
  const failed = await waitFor(() => spanNamed('upstream call')[0], Boolean, { what: 'the failed upstream span' });
  expect(failed.attributes).toMatchObject({ 'switchboard.provider': 'upstream', 'switchboard.upstream.status': 500 });
  expect(failed.status.code).toBe(2); // SpanStatusCode.ERROR
  const logged = logLines.map((l) => JSON.parse(l)).find((l) => l.msg === 'upstream call failed');
  expect(logged).toMatchObject({ trace_id: failed.spanContext().traceId, span_id: failed.spanContext().spanId });

  // A client that leaves mid-stream: the span still ends, as cancelled.
  upstream.respondWith({ endpoint: 'chat', sse: openAiStreamItems('one two three four five six'), chunkDelayMs: 200 });
  const seenFailing = exporter.getFinishedSpans();
  exporter.reset();
  const leaving = collect(ws(), ChatStreamDocument, { input: { provider: 'upstream', messages: [{ role: 'USER', content: 'leave it' }] } });
  await leaving.waitFor(1);
  leaving.stop();
  const cancelled = await waitFor(() => spanNamed('upstream call')[0], Boolean, { what: 'the cancelled upstream span' });
  expect(cancelled.attributes).toMatchObject({ 'switchboard.provider': 'upstream', 'switchboard.upstream.status': 'cancelled' });

  // No key material in any attribute, event or status of any span.
  const everything = JSON.stringify(
    [...seen, ...seenFailing, ...exporter.getFinishedSpans()].map((s) => ({
      name: s.name,
      attributes: s.attributes,
      events: s.events,
      status: s.status,
    })),
  );
  expect(everything).not.toContain(PERSONAL_KEY.slice(3, 20));
});
