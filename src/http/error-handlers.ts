import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Locale } from '../config/config';
import { translate } from '../common/i18n/translate';
import { requestLocale } from './request-locale';

/**
 * Every error response is JSON with a code, in the caller's language. Register before any route
 * plugin is awaited: awaiting a registration lets Fastify bind the routes declared so far
 * (/graphql included) to the error handler of that moment.
 */
export function registerErrorHandlers(app: FastifyInstance, defaultLocale: Locale, log: Logger): void {
  app.setNotFoundHandler((request, reply) => {
    const locale = requestLocale(request.headers['accept-language'], defaultLocale);
    reply.code(404).send({
      errors: [
        { message: translate(locale, 'request.notFound', { method: request.method, url: request.url }), extensions: { code: 'NOT_FOUND' } },
      ],
    });
  });
  app.setErrorHandler((error: Error & { statusCode?: number; code?: string }, request, reply) => {
    const locale = requestLocale(request.headers['accept-language'], defaultLocale);
    const status = error.statusCode ?? 500;
    if (status >= 500) {
      const requestId = request.id;
      log.error({ err: error, requestId }, 'unexpected HTTP error');
      return reply
        .code(500)
        .send({ errors: [{ message: translate(locale, 'internal', { requestId }), extensions: { code: 'INTERNAL_SERVER_ERROR', requestId } }] });
    }
    const key =
      status === 413
        ? 'request.tooLarge'
        : error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error instanceof SyntaxError
          ? 'request.badJson'
          : null;
    const message = key ? translate(locale, key) : error.message;
    return reply.code(status).send({ errors: [{ message, extensions: { code: 'BAD_REQUEST' } }] });
  });
}
