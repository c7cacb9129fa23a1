import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const REQUEST_ID_HEADER = 'x-request-id';
const VALID_REQUEST_ID = /^[\w.:-]{1,100}$/;

/**
 * Fastify's genReqId: a caller's X-Request-Id is kept when it looks like an id (so logs correlate
 * across services), anything else is replaced by a fresh UUID (so a header cannot inject into logs).
 */
export function requestIdOf(request: IncomingMessage): string {
  const given = request.headers[REQUEST_ID_HEADER];
  const id = Array.isArray(given) ? given[0] : given;
  return id && VALID_REQUEST_ID.test(id) ? id : randomUUID();
}
