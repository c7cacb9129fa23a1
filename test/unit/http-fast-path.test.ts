import { GraphQLObjectType, GraphQLSchema, GraphQLString, parse } from 'graphql';
import pino from 'pino';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { GatewayGraphQLRequestContext } from '@apollo/server-gateway-interface';
import { NotFoundError } from '../../src/common/errors';
import { createJitExecutor } from '../../src/graphql/jit-executor';
import { HttpFastPath } from '../../src/graphql/http-fast-path';
import type { GraphQLContext } from '../../src/graphql/context-factory';
import { formatErrorInDefaultLocale } from '../../src/graphql/error-plugin';
import type { OperationSample } from '../../src/observability/metrics';

/** The fast path's decisions, with a real jit executor and fake HTTP objects: what it answers, and what it leaves to Apollo. */

let calls = 0;
const schema = new GraphQLSchema({
  query: new GraphQLObjectType({
    name: 'Query',
    fields: {
      hello: { type: GraphQLString, resolve: () => (calls++, 'hi') },
      missing: {
        type: GraphQLString,
        resolve: () => {
          calls++;
          throw new NotFoundError('provider.notFound', { slug: 'x' });
        },
      },
      broken: {
        type: GraphQLString,
        resolve: () => {
          calls++;
          throw new Error('a bug');
        },
      },
    },
  }),
});

function setup(user: object | null = { id: 'u1' }) {
  const jit = createJitExecutor(() => schema);
  const samples: OperationSample[] = [];
  const context = { requestId: 'r1', locale: 'en', user } as unknown as GraphQLContext;
  const fastPath = new HttpFastPath({
    jit,
    contexts: { create: async () => context },
    contextInput: () => ({ locale: 'en', authorization: 'Bearer x' }),
    formatError: formatErrorInDefaultLocale('en'),
    recordOperation: (_log, s) => samples.push(s),
    log: pino({ level: 'silent' }),
  });
  /** Apollo's run of a document: what compiles it. */
  const warm = (query: string) =>
    jit.executor({
      request: { query },
      document: parse(query),
      source: query,
      operation: parse(query).definitions[0],
      operationName: null,
      context: {},
    } as unknown as GatewayGraphQLRequestContext);
  const headers: Record<string, string> = {};
  const reply = { header: (k: string, v: string) => ((headers[k] = v), reply) } as unknown as FastifyReply;
  const post = (body: unknown, extra: Record<string, string> = {}) =>
    ({ method: 'POST', body, headers: { 'content-type': 'application/json', ...extra } }) as unknown as FastifyRequest;
  return { jit, fastPath, context, samples, warm, reply, headers, post };
}

test('a compiled query is answered with Apollo’s content type and bytes, and measured', async () => {
  const s = setup();
  await s.warm('{ hello }');
  const before = calls;
  expect(await s.fastPath.serve(s.post({ query: '{ hello }' }), s.reply)).toBe('{"data":{"hello":"hi"}}\n');
  expect(calls).toBe(before + 1);
  expect(s.headers['content-type']).toBe('application/json; charset=utf-8');
  expect(s.samples).toMatchObject([{ operationName: null, type: 'query', errorCodes: [], requestId: 'r1' }]);
});

test('an expected error is answered, errors first, as Apollo orders them', async () => {
  const s = setup();
  await s.warm('{ missing }');
  const body = JSON.parse((await s.fastPath.serve(s.post({ query: '{ missing }' }), s.reply))!);
  expect(Object.keys(body)).toEqual(['errors', 'data']);
  expect(body.errors[0]).toMatchObject({ path: ['missing'], extensions: { code: 'NOT_FOUND' } });
  expect(s.samples[0].errorCodes).toEqual(['NOT_FOUND']);
});

test('an unexpected error is left to Apollo with the result adopted, so the resolver runs once', async () => {
  const s = setup();
  await s.warm('{ broken }');
  const before = calls;
  const request = s.post({ query: '{ broken }' });
  expect(await s.fastPath.serve(request, s.reply)).toBeUndefined();
  expect(s.fastPath.contextOf(request)).toBe(s.context);
  // Apollo's pipeline then reaches the executor with that context: the adopted result, nothing run again.
  const apolloRun = await s.jit.executor({
    request: { query: '{ broken }' },
    document: parse('{ broken }'),
    source: '{ broken }',
    operation: parse('{ broken }').definitions[0],
    operationName: null,
    context: s.context,
  } as unknown as GatewayGraphQLRequestContext);
  expect(apolloRun.errors![0].message).toBe('a bug');
  expect(calls).toBe(before + 1);
  expect(s.samples).toEqual([]);
});

test.each([
  ['not compiled yet', { query: '{ hello }' }, {}, false],
  ['extensions (persisted queries)', { query: '{ hello }', extensions: {} }, {}, true],
  ['variables that are not an object', { query: '{ hello }', variables: [1] }, {}, true],
  ['an operationName that is not a string', { query: '{ hello }', operationName: 3 }, {}, true],
  ['an Accept value Apollo has not answered yet', { query: '{ hello }' }, { accept: 'text/html' }, true],
  ['a body that is not JSON', { query: '{ hello }' }, { 'content-type': 'text/plain' }, true],
])('left to Apollo: %s', async (_label, body, headers: Record<string, string>, warm) => {
  const s = setup();
  if (warm) await s.warm('{ hello }');
  expect(await s.fastPath.serve(s.post(body, headers), s.reply)).toBeUndefined();
});

test('left to Apollo: no user (Apollo reports UNAUTHENTICATED), with the context kept for it', async () => {
  const s = setup(null);
  await s.warm('{ hello }');
  const before = calls;
  const request = s.post({ query: '{ hello }' });
  expect(await s.fastPath.serve(request, s.reply)).toBeUndefined();
  expect(calls).toBe(before);
  expect(s.fastPath.contextOf(request)).toBe(s.context);
});

test('an Accept value is served once Apollo has answered it, with the content type Apollo chose', async () => {
  const s = setup();
  await s.warm('{ hello }');
  const accept = 'application/graphql-response+json, application/json;q=0.9';
  const request = s.post({ query: '{ hello }' }, { accept });
  expect(await s.fastPath.serve(request, s.reply)).toBeUndefined();
  const apolloReply = { statusCode: 200, getHeader: () => 'application/graphql-response+json; charset=utf-8' } as unknown as FastifyReply;
  s.fastPath.learn(request, apolloReply);
  expect(await s.fastPath.serve(request, s.reply)).toBe('{"data":{"hello":"hi"}}\n');
  expect(s.headers['content-type']).toBe('application/graphql-response+json; charset=utf-8');
});
