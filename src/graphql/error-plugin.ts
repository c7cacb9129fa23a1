import type { ApolloServerPlugin } from '@apollo/server';
import type { GraphQLFormattedError } from 'graphql';
import type { Logger } from 'pino';
import type { Locale } from '../config/config';
import { AppError, ErrorCode, presentError } from '../common/errors';
import type { GraphQLContext } from './context-factory';
import { tokenLimitError } from './operation-limits';

/** The original error, kept on the formatted one (not enumerable: never serialised). */
const SOURCE = Symbol('switchboard.sourceError');

/** A request error Apollo raised without a code: BAD_REQUEST, its (English, Apollo's) message kept. */
class ClientRequestError extends AppError {
  constructor(message: string, status: number) {
    super(ErrorCode.BAD_REQUEST, 'request.invalid', { detail: message }, { http: { status } });
  }
}

/** Apollo's own errors that are the client's doing but carry no code of their own (they would read as a 500). */
function clientErrorFor(formatted: GraphQLFormattedError, error: unknown): AppError | undefined {
  // The parser's "more than N tokens" is a limit like the others, with its own code (HTTP 400 already).
  if (formatted.extensions?.code === 'GRAPHQL_PARSE_FAILED') return tokenLimitError(error);
  if (formatted.message === 'provided sha does not match query') {
    return new AppError(ErrorCode.PERSISTED_QUERY_HASH_MISMATCH, 'request.persistedQueryMismatch', {}, { http: { status: 400 } });
  }
  // Apollo's own request errors (bad APQ version, malformed request parts) carry an HTTP 4xx but no code.
  const http = (error as { extensions?: { http?: { status?: number } } } | undefined)?.extensions?.http;
  if (formatted.extensions?.code === ErrorCode.INTERNAL_SERVER_ERROR && http?.status && http.status >= 400 && http.status < 500) {
    return new ClientRequestError(formatted.message, http.status);
  }
  // graphql-js stops coercing variables after 50 errors with an error that has no code of its own.
  if (formatted.message.startsWith('Too many errors processing variables')) {
    return new AppError(ErrorCode.BAD_USER_INPUT, 'input.tooManyVariableErrors', {}, { http: { status: 400 } });
  }
  return undefined;
}

/**
 * Apollo's formatError knows the error but not the request; willSendResponse knows the request.
 * So formatError presents the error with the defaults and keeps the original, and this plugin
 * presents it again in the caller's locale with its request id (logging unexpected ones).
 * Done this way rather than with AsyncLocalStorage, whose promise hooks cost every request.
 */
export function formatErrorInDefaultLocale(defaultLocale: Locale) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const replaced = clientErrorFor(formatted, error);
    if (replaced) {
      formatted = replaced.toJSON();
      error = replaced;
    }
    const out = { ...presentError(formatted, error, defaultLocale, 'unknown').formatted };
    Object.defineProperty(out, SOURCE, { value: { formatted, error }, enumerable: false });
    return out;
  };
}

/** Every error is SERVICE_UNAVAILABLE and no root field has a value. */
function unavailableOnly(result: { data?: Record<string, unknown> | null; errors?: readonly GraphQLFormattedError[] }): boolean {
  if (!result.errors?.every((e) => e.extensions?.code === ErrorCode.SERVICE_UNAVAILABLE)) return false;
  return !result.data || Object.values(result.data).every((v) => v === null);
}

/**
 * An error as formatErrorInDefaultLocale left it, presented again in the caller's locale with its
 * request id; an unexpected one is logged. Errors formatted some other way are returned as they are.
 */
export function localizeError(
  shown: GraphQLFormattedError,
  context: Pick<GraphQLContext, 'locale' | 'requestId'>,
  log: Logger,
): GraphQLFormattedError {
  const source = (shown as { [SOURCE]?: { formatted: GraphQLFormattedError; error: unknown } })[SOURCE];
  if (!source) return shown;
  const out = presentError(source.formatted, source.error, context.locale, context.requestId);
  if (out.unexpected) log.error({ err: source.error, requestId: context.requestId }, 'unexpected error');
  return out.formatted;
}

export function localizedErrorsPlugin(log: Logger): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response, contextValue }) {
          if (response.body.kind !== 'single' || !response.body.singleResult.errors?.length) return;
          response.body.singleResult.errors = response.body.singleResult.errors.map((shown) => localizeError(shown, contextValue, log));
          if (unavailableOnly(response.body.singleResult)) {
            // Nothing was answered, only because Postgres is unavailable: a status that load
            // balancers and retrying clients act on, instead of 200 with an error inside.
            response.http.status = 503;
            response.http.headers.set('retry-after', '1');
          }
        },
      };
    },
  };
}
