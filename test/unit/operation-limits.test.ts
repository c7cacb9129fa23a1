import { buildSchema, getIntrospectionQuery, parse, specifiedRules, validate } from 'graphql';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../src/config/config';
import {
  countTokens,
  DEFAULT_LIST_SIZE,
  documentCost,
  measureDocument,
  operationLimitsRule,
  tokenLimitError,
} from '../../src/graphql/operation-limits';
import { consoleDocuments } from '../helpers/console-documents';

const schema = buildSchema(readFileSync(path.join(__dirname, '../../schema.graphql'), 'utf8'));
const defaults = { ...loadConfig({}).limits, listSize: DEFAULT_LIST_SIZE };

const measure = (query: string) => [...measureDocument(schema, parse(query), 10).values()][0];

/** The fragment bomb: each level doubles, 2^levels selections once expanded, from a 1.4 KB body. */
export function fragmentBomb(levels: number): string {
  let s = 'query X { providers { ...F0 } }';
  for (let i = 0; i < levels; i++)
    s += ` fragment F${i} on Provider { a: models { provider { ...F${i + 1} } } b: models { provider { ...F${i + 1} } } }`;
  return `${s} fragment F${levels} on Provider { slug }`;
}

const aliasedActiveModels = (n: number) =>
  `query { ${Array.from({ length: n }, (_, i) => `a${i}: activeModel(provider: "p${i}", capability: CHAT) { id name modelId displayName capabilities provider { slug name } __typename }`).join(' ')} }`;

describe('measure', () => {
  test('depth counts field levels; fragments add none of their own', () => {
    expect(measure('{ viewer { name } }').depth).toBe(2);
    expect(measure('{ providers { ...P } } fragment P on Provider { models { name } }').depth).toBe(3);
  });

  test('aliases are counted after fragment expansion', () => {
    expect(measure('{ a: viewer { n: name } b: viewer { ...V } } fragment V on User { x: name y: role }').aliases).toBe(5);
  });

  test('cost: a field is 1; a list counts `first`, else the list bound; a connection counts its `first` once', () => {
    expect(measure('{ viewer { name role } }').cost).toBe(3);
    expect(measure('{ providers { slug } }').cost).toBe(10 * 2);
    expect(measure('{ providers { models { name } } }').cost).toBe(10 * (1 + 10 * 2));
    // usage(first: 5) { edges { node { id } } }: 1 + 5 × (edges 1 + node 1 + id 1)
    expect(measure('{ usage(first: 5) { edges { node { id } } } }').cost).toBe(1 + 5 * 3);
    // The schema default (20) when `first` is absent; a variable counts as the largest page (100).
    expect(measure('{ usage { edges { node { id } } } }').cost).toBe(1 + 20 * 3);
    expect(measure('query($n: Int) { usage(first: $n) { edges { node { id } } } }').cost).toBe(1 + 100 * 3);
    // Lists of scalars and enums are one field.
    expect(measure('{ providers { models { capabilities } } }').cost).toBe(10 * (1 + 10 * 2));
  });

  test('the fragment bomb is measured in one walk per fragment, and it is far over the limits', () => {
    const start = process.hrtime.bigint();
    const m = measure(fragmentBomb(60));
    expect(Number(process.hrtime.bigint() - start) / 1e6).toBeLessThan(1000);
    expect(m.cost).toBeGreaterThan(1e60);
    expect(m.aliases).toBeGreaterThan(1e15);
  });

  test('fragment cycles do not hang (graphql-js reports them)', () => {
    expect(measure('{ providers { ...A } } fragment A on Provider { models { provider { ...A } } }').depth).toBeGreaterThan(0);
  });
});

describe('the defaults let real traffic through', () => {
  const documents = [
    ...consoleDocuments(),
    { name: "graphql-js's introspection query (codegen)", query: getIntrospectionQuery() },
    {
      name: "GraphiQL's introspection query (every option)",
      query: getIntrospectionQuery({
        descriptions: true,
        specifiedByUrl: true,
        directiveIsRepeatable: true,
        schemaDescription: true,
        inputValueDeprecation: true,
        oneOf: true,
      }),
    },
    { name: '50 aliased activeModel lookups', query: aliasedActiveModels(50) },
    {
      name: 'the bench read',
      query: 'query Active($p: String!) { activeModel(provider: $p, capability: CHAT) { id name modelId displayName provider { slug } } }',
    },
  ];
  test.each(documents)('$name', ({ query }) => {
    const document = parse(query, { maxTokens: defaults.maxTokens });
    expect(validate(schema, document, [...specifiedRules, operationLimitsRule(defaults)])).toEqual([]);
    expect(documentCost(document)).toBeGreaterThan(0);
  });
});

describe('the rule', () => {
  const errorsOf = (query: string, limits = defaults) => validate(schema, parse(query), [operationLimitsRule(limits)]);

  test.each([
    ['depth', '{ providers { models { provider { models { provider { slug } } } } } }', { maxDepth: 5 }],
    ['aliases', aliasedActiveModels(101), {}],
    ['cost', '{ providers { models { provider { models { provider { models { name } } } } } } }', {}],
  ] as const)('over the %s limit: OPERATION_LIMIT_EXCEEDED with limit, max, actual', (limit, query, over) => {
    const limits = { ...defaults, ...over };
    const errors = errorsOf(query, limits);
    expect(errors).toHaveLength(1);
    const ext = errors[0].originalError && (errors[0].originalError as unknown as { extensions: Record<string, unknown> }).extensions;
    expect(ext).toMatchObject({ code: 'OPERATION_LIMIT_EXCEEDED', limit });
    expect(ext!.max).toBe((limits as Record<string, number>)[`max${limit[0].toUpperCase()}${limit.slice(1)}`]);
    expect(ext!.actual as number).toBeGreaterThan(ext!.max as number);
  });

  test('the fragment bomb of the issue is refused during validation', () => {
    const errors = errorsOf(fragmentBomb(14));
    expect(errors[0].extensions).toMatchObject({ code: 'OPERATION_LIMIT_EXCEEDED', limit: 'depth' });
    const shallow = errorsOf(fragmentBomb(8));
    expect(shallow[0].extensions).toMatchObject({ code: 'OPERATION_LIMIT_EXCEEDED', limit: 'aliases' });
    // The same doubling without aliases (a spread per level, merged by name) is caught by its cost.
    expect(
      errorsOf('{ providers { models { provider { models { provider { models { provider { slug } } } } } } } }')[0].extensions,
    ).toMatchObject({ limit: 'cost' });
  });
});

describe('tokens', () => {
  test('counts tokens as the parser does (comments excluded)', () => {
    expect(countTokens('{ a # comment\n b }')).toBe(4);
  });

  test("the parser's token error becomes OPERATION_LIMIT_EXCEEDED with the real count", () => {
    const query = `{ ${'a '.repeat(300)} }`;
    let caught: unknown;
    try {
      parse(query, { maxTokens: 100 });
    } catch (e) {
      caught = e;
    }
    const error = tokenLimitError(caught);
    expect(error?.extensions).toMatchObject({ code: 'OPERATION_LIMIT_EXCEEDED', limit: 'tokens', max: 100, actual: 302 });
  });
});
