import type { ApolloServerPlugin } from '@apollo/server';
import type { GraphQLFormattedError } from 'graphql';
import type { Logger } from 'pino';
import type { Locale } from '../config/config';
import { presentError } from '../common/errors';
import type { GraphQLContext } from './context-factory';

/** The original error, kept on the formatted one (not enumerable: never serialised). */
const SOURCE = Symbol('switchboard.sourceError');

/**
 * Apollo's formatError knows the error but not the request; willSendResponse knows the request.
 * So formatError presents the error with the defaults and keeps the original, and this plugin
 * presents it again in the caller's locale with its request id (logging unexpected ones).
 * Done this way rather than with AsyncLocalStorage, whose promise hooks cost every request.
 */
export function formatErrorInDefaultLocale(defaultLocale: Locale) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const out = { ...presentError(formatted, error, defaultLocale, 'unknown').formatted };
    Object.defineProperty(out, SOURCE, { value: { formatted, error }, enumerable: false });
    return out;
  };
}

export function localizedErrorsPlugin(log: Logger): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response, contextValue }) {
          if (response.body.kind !== 'single' || !response.body.singleResult.errors?.length) return;
          response.body.singleResult.errors = response.body.singleResult.errors.map((shown) => {
            const source = (shown as { [SOURCE]?: { formatted: GraphQLFormattedError; error: unknown } })[SOURCE];
            if (!source) return shown;
            const out = presentError(source.formatted, source.error, contextValue.locale, contextValue.requestId);
            if (out.unexpected) log.error({ err: source.error, requestId: contextValue.requestId }, 'unexpected error');
            return out.formatted;
          });
        },
      };
    },
  };
}
