import type { FastifyInstance } from 'fastify';

/**
 * Graceful drain: once close() has begun, requests that still arrive (on a connection accepted
 * just before the listener closed, or on a keep-alive connection) are served normally — the
 * database stays open until they finish — but answered with `Connection: close`, so no client
 * keeps a connection, and with it the process, alive. (Fastify's return503OnClosing would refuse
 * them with a 503 instead, failing requests the server could still serve.)
 */
export function registerConnectionDrain(app: FastifyInstance): void {
  let closing = false;
  app.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  app.addHook('onRequest', async (_request, reply) => {
    if (closing) reply.header('connection', 'close');
  });
}
