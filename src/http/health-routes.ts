import type { FastifyInstance } from 'fastify';

export interface ReadinessSources {
  postgres(): Promise<boolean>;
  /** Null when Redis is not configured (in-process backplane). */
  redis(): Promise<boolean> | null;
  draining(): boolean;
}

/** /healthz: the process answers. /readyz: it can serve (Postgres, Redis if configured, not draining); 503 otherwise. */
export function registerHealthRoutes(app: FastifyInstance, sources: ReadinessSources): void {
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    const postgres = (await sources.postgres().catch(() => false)) ? 'ok' : 'down';
    const redisAnswer = sources.redis();
    const redis = redisAnswer === null ? 'not configured' : (await redisAnswer) ? 'ok' : 'down';
    const draining = sources.draining();
    const ready = postgres === 'ok' && redis !== 'down' && !draining;
    return reply.code(ready ? 200 : 503).send({ status: draining ? 'draining' : ready ? 'ok' : 'unavailable', postgres, redis });
  });
}
