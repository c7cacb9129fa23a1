import { GraphQLError, GraphQLScalarType } from 'graphql';
import { DateTimeResolver } from 'graphql-scalars';

/** Postgres timestamptz holds years 4713 BC to 294276 AD; ISO year 0 and earlier are beyond what we accept. */
const MAX = Date.UTC(294276, 11, 31, 23, 59, 59, 999);

function inRange(value: unknown): Date {
  const date = value as Date;
  if (!(date instanceof Date) || Number.isNaN(date.getTime())) return date;
  const t = date.getTime();
  if (date.getUTCFullYear() < 1 || t > MAX) {
    throw new GraphQLError('DateTime must be between 0001-01-01T00:00:00Z and 294276-12-31T23:59:59Z (what the database can store).', {
      extensions: { code: 'BAD_USER_INPUT' },
    });
  }
  return date;
}

/** graphql-scalars' DateTime, limited to the instants Postgres can store (else BAD_USER_INPUT, not a failed statement). */
export const DateTimeScalar = new GraphQLScalarType({
  ...DateTimeResolver.toConfig(),
  parseValue: (value) => inRange(DateTimeResolver.parseValue(value)),
  parseLiteral: (ast, variables) => inRange(DateTimeResolver.parseLiteral(ast, variables)),
});
