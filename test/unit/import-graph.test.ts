import path from 'node:path';
import madge from 'madge';

/**
 * The import graph of src/ (type-only imports included: a cycle of types is still a tangle):
 * no cycle, and the layers point one way: config → common → db/pubsub/cache → modules →
 * graphql/http → server → main.
 */
const root = path.join(__dirname, '../../src');
let graph: Record<string, string[]>;
let circular: string[][];

beforeAll(async () => {
  const result = await madge(root, {
    fileExtensions: ['ts'],
    tsConfig: path.join(__dirname, '../../tsconfig.json'),
    detectiveOptions: { ts: { skipTypeImports: false }, es6: { skipTypeImports: false } },
  });
  graph = result.obj();
  circular = result.circular();
}, 60_000);

const importsOf = (prefix: string, target: string) =>
  Object.entries(graph)
    .filter(([file]) => file.startsWith(prefix))
    .flatMap(([file, deps]) => deps.filter((d) => d.startsWith(target)).map((d) => `${file} -> ${d}`));

test('the graph was read (sanity)', () => {
  expect(Object.keys(graph).length).toBeGreaterThan(80);
  expect(graph['server.ts']).toEqual(expect.arrayContaining(['app.ts']));
});

test('src/ has no import cycle', () => {
  expect(circular).toEqual([]);
});

test('nothing under src/modules imports src/graphql, src/http or the server', () => {
  expect([
    ...importsOf('modules/', 'graphql/'),
    ...importsOf('modules/', 'http/'),
    ...importsOf('modules/', 'server'),
    ...importsOf('modules/', 'app'),
  ]).toEqual([]);
});

test('src/pubsub, src/cache and src/observability import no module', () => {
  expect([...importsOf('pubsub/', 'modules/'), ...importsOf('cache/', 'modules/'), ...importsOf('observability/', 'modules/')]).toEqual([]);
});

test('src/db imports only entities of the modules (the ORM registry), and nothing above', () => {
  expect(importsOf('db/', 'modules/').filter((edge) => !edge.endsWith('.entity.ts'))).toEqual([]);
  expect(['graphql/', 'http/', 'pubsub/', 'cache/', 'seed/', 'server', 'app'].flatMap((t) => importsOf('db/', t))).toEqual([]);
});

test('config and common import nothing above them', () => {
  const above = ['db/', 'pubsub/', 'cache/', 'observability/', 'modules/', 'graphql/', 'http/', 'server', 'app', 'main'];
  expect(above.flatMap((t) => [...importsOf('config/', t), ...importsOf('common/', t)])).toEqual([]);
});
