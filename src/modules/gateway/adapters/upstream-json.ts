import { isRecord } from '../../../common/is-record';
import { UpstreamError } from './upstream-error';

/** Narrowing helpers for upstream JSON: adapters check what they read, nothing more. */

export function tokenCount(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : null;
}

/** A 2xx answer that does not have the shape the protocol promises. */
export function malformed(what: string): UpstreamError {
  return new UpstreamError('PROVIDER_ERROR', `upstream answer is malformed: ${what}`);
}

/** Parses one SSE data payload as a JSON object. */
export function parseEventJson(data: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    throw malformed('stream event is not JSON');
  }
  if (!isRecord(value)) throw malformed('stream event is not an object');
  return value;
}

/** Anything thrown while reading a stream becomes an UpstreamError (the SSE parser's own errors included). */
export function asUpstreamError(err: unknown): UpstreamError {
  if (err instanceof UpstreamError) return err;
  return new UpstreamError('PROVIDER_ERROR', 'upstream stream could not be read');
}
