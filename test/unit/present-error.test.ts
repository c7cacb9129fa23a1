import { GraphQLError } from 'graphql';
import { NotFoundError, isUnavailable, presentError } from '../../src/common/errors';

const formatted = (e: GraphQLError) => e.toJSON();

describe('presentError', () => {
  test('an expected error keeps its code and is rendered in the caller locale', () => {
    const e = new GraphQLError('x', { originalError: new NotFoundError('provider.notFound', { slug: 'nope' }) });
    expect(presentError(formatted(e), e, 'fa', 'r1')).toEqual({
      formatted: expect.objectContaining({ message: 'ارائه‌دهنده‌ای با شناسهٔ «nope» وجود ندارد.', extensions: { code: 'NOT_FOUND' } }),
      unexpected: false,
    });
  });

  test('a database that cannot be reached is SERVICE_UNAVAILABLE, not a masked bug', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    const e = new GraphQLError('x', { originalError: refused });
    const out = presentError(formatted(e), e, 'en', 'r2');
    expect(out.unexpected).toBe(false);
    expect(out.formatted.extensions).toEqual({ code: 'SERVICE_UNAVAILABLE' });
    expect(isUnavailable(new Error('Knex: Timeout acquiring a connection. The pool is probably full.'))).toBe(true);
  });

  test('anything else is masked with the request id and reported as unexpected', () => {
    const e = new GraphQLError('x', { originalError: new TypeError('secret internals') });
    const out = presentError(formatted(e), e, 'en', 'req-42');
    expect(out.unexpected).toBe(true);
    expect(out.formatted.message).toBe('Internal server error. Quote request id req-42 when reporting it.');
    expect(JSON.stringify(out.formatted)).not.toContain('secret internals');
  });
});
