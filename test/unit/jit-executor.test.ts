import {
  execute,
  GraphQLError,
  GraphQLInt,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLSchema,
  GraphQLString,
  parse,
  type ExecutionResult,
} from 'graphql';
import type { GatewayGraphQLRequestContext } from '@apollo/server-gateway-interface';
import { createJitExecutor, isIntrospection } from '../../src/graphql/jit-executor';
import { operationLimitsRule } from '../../src/graphql/operation-limits';
import { specifiedRules, validate } from 'graphql';

/** graphql-jit through the gateway executor gives what graphql-js gives: data, and errors Apollo can format. */

class CodedError extends GraphQLError {
  constructor(message: string) {
    super(message, { extensions: { code: 'NOT_FOUND' } });
  }
}

let resolved = 0;
const schema = new GraphQLSchema({
  query: new GraphQLObjectType({
    name: 'Query',
    fields: {
      hello: {
        type: GraphQLString,
        args: { name: { type: GraphQLString } },
        resolve: (_r, a: { name?: string }) => (resolved++, `hi ${a.name ?? 'you'}`),
      },
      count: {
        type: new GraphQLNonNull(GraphQLInt),
        args: { n: { type: new GraphQLNonNull(GraphQLInt) } },
        resolve: (_r, a: { n: number }) => a.n,
      },
      missing: { type: new GraphQLNonNull(GraphQLString), resolve: () => null },
      coded: { type: GraphQLString, resolve: () => Promise.reject(new CodedError('no such thing')) },
      plain: {
        type: GraphQLString,
        resolve: () => {
          throw new Error('boom');
        },
      },
    },
  }),
});

function request(query: string, variables: Record<string, unknown> = {}): GatewayGraphQLRequestContext {
  const document = parse(query);
  const operation = document.definitions[0] as never;
  return {
    request: { query, variables },
    document,
    source: query,
    operation,
    operationName: null,
    context: {},
  } as unknown as GatewayGraphQLRequestContext;
}

const reference = (query: string, variables: Record<string, unknown> = {}) =>
  Promise.resolve<ExecutionResult>(execute({ schema, document: parse(query), variableValues: variables }));

/** What Apollo and presentError read from an error. */
const shape = (e: GraphQLError) => ({
  json: e.toJSON(),
  extensions: e.extensions,
  original: e.originalError ? { name: e.originalError.constructor.name, message: e.originalError.message } : null,
  isGraphQLError: e instanceof GraphQLError && typeof e.extensions === 'object',
});

test('compiles once per query text and answers like graphql-js', async () => {
  const jit = createJitExecutor(() => schema, { maxEntries: 2 });
  const q = `query($n: Int!) { hello(name: "jo") count(n: $n) }`;
  expect(await jit.executor(request(q, { n: 3 }))).toEqual(await reference(q, { n: 3 }));
  expect(await jit.executor(request(q, { n: 4 }))).toEqual({ data: { hello: 'hi jo', count: 4 } });
  expect(jit.cacheSize()).toBe(1);
  await jit.executor(request(`{ a: hello }`));
  await jit.executor(request(`{ b: hello }`));
  expect(jit.cacheSize()).toBe(2); // bounded
});

test.each([
  ['a null in a non-null field', `{ missing }`],
  ['an error with a code', `{ coded hello }`],
  ['a plain error', `{ plain hello }`],
])('%s: the same errors as graphql-js', async (_label, q) => {
  const jit = createJitExecutor(() => schema);
  const got = await jit.executor(request(q));
  const want = await reference(q);
  expect(got.data).toEqual(want.data);
  expect(got.errors!.map((e) => shape(e))).toEqual(want.errors!.map((e) => shape(e)));
});

test('bad variables: graphql-js reports them (nothing runs)', async () => {
  const jit = createJitExecutor(() => schema);
  const q = `query($n: Int!, $s: String) { count(n: $n) hello(name: $s) }`;
  const before = resolved;
  for (const variables of [{}, { n: 'x' }, { n: 1, s: { a: 1 } }]) {
    const got = await jit.executor(request(q, variables));
    expect(got).toEqual(await reference(q, variables));
    expect(got.errors![0]).toBeInstanceOf(GraphQLError);
  }
  expect(resolved).toBe(before);
});

test('introspection goes to graphql-js', async () => {
  const jit = createJitExecutor(() => schema);
  const q = `{ __schema { queryType { name } } __type(name: "Query") { fields { name } } }`;
  expect(await jit.executor(request(q))).toEqual(await reference(q));
});

test('a wide document with __typename everywhere is no introspection, and checking it does not overflow the stack', async () => {
  // The old walk recursed into `loc` (the token list): 400 aliased fields overflowed the stack (a 500).
  const q = `{ ${Array.from({ length: 3000 }, (_, i) => `a${i}: hello __typename`).join(' ')} }`;
  expect(isIntrospection(parse(q), q)).toBe(false);
  expect(isIntrospection(parse(`{ hello x: __type(name: "Query") { name } }`), '__type')).toBe(true);
  const jit = createJitExecutor(() => schema);
  const result = await jit.executor(request(q));
  expect(result.errors).toBeUndefined();
  expect(Object.keys(result.data!)).toHaveLength(3001);
});

test('the compile cache is bounded by the size it holds, not only by a count', async () => {
  const jit = createJitExecutor(() => schema, { maxEntries: 1000, maxSize: 20_000 });
  for (let i = 0; i < 200; i++) await jit.executor(request(`{ a${i}: hello b: count(n: ${i}) }`));
  expect(jit.cacheWeight()).toBeLessThanOrEqual(20_000);
  expect(jit.cacheSize()).toBeLessThan(200);
  expect(jit.cacheSize()).toBeGreaterThan(0);
});

test('with maxCost, only documents measured within it by the limits rule are compiled', async () => {
  const jit = createJitExecutor(() => schema, { maxCost: 10 });
  const validated = (q: string) => {
    const r = request(q);
    validate(schema, r.document, [
      ...specifiedRules,
      operationLimitsRule({ maxDepth: 10, maxAliases: 100, maxCost: 1000, maxTokens: 1000, listSize: 10 }),
    ]);
    return r;
  };
  const before = jit.cacheWeight();
  // Not measured (never validated with the rule): graphql-js; cheap and measured: compiled (the cache grows by its code).
  await jit.executor(request('{ hello }'));
  const unmeasured = jit.cacheWeight() - before;
  expect(unmeasured).toBe('\u0000{ hello }'.length);
  await jit.executor(validated('{ count(n: 1) }'));
  expect(jit.cacheWeight() - before - unmeasured).toBeGreaterThan(100);
  const wide = `{ ${Array.from({ length: 20 }, (_, i) => `a${i}: hello`).join(' ')} }`;
  const w0 = jit.cacheWeight();
  expect((await jit.executor(validated(wide))).data).toHaveProperty('a19');
  expect(jit.cacheWeight() - w0).toBe(wide.length + 1);
});

test('compiledQuery: a query operation once it has run, never a mutation, an introspection or an unknown text', async () => {
  const jit = createJitExecutor(() => schema);
  const q = `query Named { hello }`;
  expect(jit.compiledQuery(undefined, q)).toBeUndefined();
  await jit.executor(request(q));
  expect(jit.compiledQuery(undefined, q)).toMatchObject({ operationName: 'Named', type: 'query' });
  // The key is the operation name as requested: another name is another entry.
  expect(jit.compiledQuery('Named', q)).toBeUndefined();
  const introspection = `{ __schema { queryType { name } } }`;
  await jit.executor(request(introspection));
  expect(jit.compiledQuery(undefined, introspection)).toBeUndefined();
});

test('adopt: a result already computed for a context is returned once, for the same operation, without running it again', async () => {
  const jit = createJitExecutor(() => schema);
  const q = `{ hello }`;
  const r = request(q);
  const early = { data: { hello: 'computed before' } };
  jit.adopt(r.context as object, '\u0000{ hello }', early);
  const before = resolved;
  expect(await jit.executor(r)).toBe(early);
  expect(resolved).toBe(before);
  // Once: the same context runs it the next time.
  expect(await jit.executor(r)).toEqual({ data: { hello: 'hi you' } });
  // Another operation on the same context is not answered with it.
  const other = request(`{ count(n: 2) }`);
  jit.adopt(other.context as object, '\u0000{ hello }', early);
  expect(await jit.executor(other)).toEqual({ data: { count: 2 } });
});
