import type { FastifyInstance } from 'fastify';
import { READINESS_PROBE_TIMEOUT_MS, withTimeout } from './timeouts';

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
    // Each probe is bounded and both run at once: the answer comes within READINESS_PROBE_TIMEOUT_MS, whatever the database does.
    const redisAnswer = sources.redis();
    const [postgresUp, redisUp] = await Promise.all([
      withTimeout(sources.postgres(), READINESS_PROBE_TIMEOUT_MS, 'postgres').catch(() => false),
      redisAnswer === null ? null : withTimeout(redisAnswer, READINESS_PROBE_TIMEOUT_MS, 'redis').catch(() => false),
    ]);
    const postgres = postgresUp ? 'ok' : 'down';
    const redis = redisUp === null ? 'not configured' : redisUp ? 'ok' : 'down';
    const draining = sources.draining();
    const ready = postgres === 'ok' && redis !== 'down' && !draining;
    return reply.code(ready ? 200 : 503).send({ status: draining ? 'draining' : ready ? 'ok' : 'unavailable', postgres, redis });
  });
}
