import type { ApolloServer } from '@apollo/server';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { FastifyInstance } from 'fastify';
import type { AppServices } from './app';
import type { WebSocketHandle } from './graphql/websocket';
import type { Backplane } from './pubsub/backplane';

/**
 * The order of a graceful stop: keep serving for the grace period, end the subscriptions cleanly,
 * stop taking requests, publish what is left in the outbox, and only then let go of Redis and Postgres.
 */
export async function closeInOrder(parts: {
  graceMs?: number;
  services: Pick<AppServices, 'changeFeed' | 'outbox' | 'sequencer' | 'authentication' | 'gateway' | 'scheduleWorker' | 'auditRetention'>;
  log?: { warn(obj: object, msg: string): void };
  wsServer: WebSocketHandle;
  app: FastifyInstance;
  apollo: Pick<ApolloServer<never>, 'stop'>;
  backplane: Backplane<unknown>;
  orm: MikroORM;
}): Promise<void> {
  const { services } = parts;
  if (parts.graceMs) await new Promise((resolve) => setTimeout(resolve, parts.graceMs));
  // Upstream calls still running now are aborted (each recorded as CANCELLED, its client told
  // SERVICE_UNAVAILABLE), so that app.close() below does not wait for them.
  const aborted = await services.gateway.abortInFlight();
  if (aborted) parts.log?.warn({ aborted }, 'shutdown: aborted upstream calls still running');
  await services.changeFeed.closeAll();
  // Ended feeds make graphql-ws send each subscription's `complete` a few ticks later: let those
  // frames out before the sockets are closed, so clients see a clean end, not a dropped socket.
  await new Promise((resolve) => setTimeout(resolve, 50));
  await parts.wsServer.close();
  await parts.app.close();
  await parts.apollo.stop().catch(() => undefined);
  // The scheduled switch being applied finishes its transaction; no new one is claimed.
  await services.scheduleWorker.stop();
  await services.auditRetention.stop();
  await services.outbox.stop();
  await services.sequencer.stop();
  await services.authentication.disconnect();
  await parts.backplane.close();
  await parts.orm.close(true);
}
