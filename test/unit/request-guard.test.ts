import { parse } from 'graphql';
import { nulInDocument, nulPath, operationResolutionError } from '../../src/graphql/request-guard';

test('nulPath finds the first string with a NUL, with its path', () => {
  expect(nulPath({ a: 'x', b: [{ c: 'ok' }, { d: 'n\u0000' }] })).toBe('b[1].d');
  expect(nulPath({ a: 'fine', b: [1, true, null] })).toBeUndefined();
  expect(nulPath('\u0000')).toBe('value');
});

test('nulPath walks variables nested 100,000 deep without overflowing the stack', () => {
  let deep: unknown = 'end\u0000';
  for (let i = 0; i < 100_000; i++) deep = { a: deep };
  expect(nulPath(deep)).toMatch(/^a(\.a)+$/);
});

test('a NUL in a string literal of the document', () => {
  expect(nulInDocument(parse('{ provider(slug: "a\\u0000") { name } }'))?.extensions.code).toBe('BAD_USER_INPUT');
  expect(nulInDocument(parse('{ provider(slug: "a") { name } }'))).toBeUndefined();
});

test('operation resolution: an unknown name, or several operations and no name', () => {
  const two = parse('query A { viewer { name } } query B { viewer { role } }');
  expect(operationResolutionError(two, null, null)?.messageKey).toBe('request.operationNameRequired');
  expect(operationResolutionError(two, 'C', null)?.messageKey).toBe('request.unknownOperation');
  // graphql-js looks for an operation named "" and finds none: that is the client's mistake, not a 500.
  expect(operationResolutionError(parse('{ viewer { name } }'), '', null)?.messageKey).toBe('request.unknownOperation');
});
