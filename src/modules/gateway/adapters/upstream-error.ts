/**
 * The one error type adapters throw. The gateway service maps `kind` to the GraphQL codes
 * PROVIDER_AUTH_FAILED, PROVIDER_RATE_LIMITED, PROVIDER_ERROR (and UNSUPPORTED to BAD_USER_INPUT),
 * and `status` to extensions.providerStatus.
 *
 * Messages are built here only, from our own words plus at most a redacted, truncated copy of
 * the upstream's `error.message`: an upstream body may echo the API key, so it is never copied
 * verbatim, and no `cause` is attached (JSON.parse errors, for one, quote the text they failed on).
 */

export type UpstreamErrorKind = 'AUTH_FAILED' | 'RATE_LIMITED' | 'PROVIDER_ERROR' | 'UNSUPPORTED';

export class UpstreamError extends Error {
  override readonly name = 'UpstreamError';

  constructor(
    readonly kind: UpstreamErrorKind,
    message: string,
    /** The upstream HTTP status of a non-2xx answer; absent for timeouts, network errors, bad 2xx bodies. */
    readonly status?: number,
  ) {
    super(message);
  }
}

export function kindForStatus(status: number): UpstreamErrorKind {
  if (status === 401 || status === 403) return 'AUTH_FAILED';
  if (status === 429) return 'RATE_LIMITED';
  return 'PROVIDER_ERROR';
}

const REDACTED = '[redacted]';
/** Fragments of the key this long or longer are redacted too (providers echo "sk-abc…wxyz" or key prefixes). */
const FRAGMENT = 8;
const MAX_UPSTREAM_MESSAGE = 200;

/**
 * Removes the secret from text: the whole secret, and any token that shares FRAGMENT or more
 * consecutive characters with it.
 */
export function redactSecret(text: string, secret: string): string {
  if (!secret) return text;
  let out = text.split(secret).join(REDACTED);
  if (secret.length < FRAGMENT) return out;
  const grams = new Set<string>();
  for (let i = 0; i + FRAGMENT <= secret.length; i++) grams.add(secret.slice(i, i + FRAGMENT));
  out = out.replace(/[^\s"'`<>()[\]{},;]+/g, (token) => {
    for (let i = 0; i + FRAGMENT <= token.length; i++) {
      if (grams.has(token.slice(i, i + FRAGMENT))) return REDACTED;
    }
    return token;
  });
  return out;
}

/** Redacts, flattens and truncates an upstream-supplied message so it is fit for a client. */
export function sanitizeUpstreamMessage(raw: string, secret: string): string {
  // Collapse control characters first so the redaction sees whole tokens.
  const flat = raw
    // eslint-disable-next-line no-control-regex -- control characters are exactly what this removes
    .replace(/[\u0000-\u001f\u007f]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  const safe = redactSecret(flat, secret);
  return safe.length > MAX_UPSTREAM_MESSAGE ? `${safe.slice(0, MAX_UPSTREAM_MESSAGE)}…` : safe;
}

/**
 * Picks the human message out of an upstream error body: OpenAI and Anthropic use
 * `error.message`; Ollama and some proxies use a top-level `error` string or `message`/`detail`.
 * Returns null unless the body is JSON with such a string: raw text bodies are never shown.
 */
export function upstreamErrorMessage(body: unknown): string | null {
  if (typeof body !== 'object' || body === null) return null;
  const b = body as Record<string, unknown>;
  const err = b.error;
  if (typeof err === 'object' && err !== null) {
    const m = (err as Record<string, unknown>).message;
    if (typeof m === 'string') return m;
  }
  if (typeof err === 'string') return err;
  if (typeof b.message === 'string') return b.message;
  if (typeof b.detail === 'string') return b.detail;
  return null;
}

/** The error for a non-2xx answer; `bodyText` is the (possibly truncated) upstream body. */
export function errorFromResponse(status: number, bodyText: string, secret: string): UpstreamError {
  let parsed: unknown = null;
  try {
    parsed = JSON.parse(bodyText);
  } catch {
    // Not JSON: say nothing about the body.
  }
  const upstreamMessage = upstreamErrorMessage(parsed);
  const detail = upstreamMessage ? sanitizeUpstreamMessage(upstreamMessage, secret) : '';
  return new UpstreamError(kindForStatus(status), detail ? `upstream answered ${status}: ${detail}` : `upstream answered ${status}`, status);
}

/**
 * The error for an error reported inside a 200 stream (Anthropic `event: error`, OpenAI `{"error":…}`).
 * Maps the provider's error type where it says auth or rate limit.
 */
export function errorFromStreamEvent(payload: unknown, secret: string): UpstreamError {
  let kind: UpstreamErrorKind = 'PROVIDER_ERROR';
  const err = typeof payload === 'object' && payload !== null ? (payload as Record<string, unknown>).error : null;
  if (typeof err === 'object' && err !== null) {
    const e = err as Record<string, unknown>;
    const raw = e.type ?? e.code;
    const type = typeof raw === 'string' || typeof raw === 'number' ? String(raw) : '';
    if (/rate_limit/.test(type)) kind = 'RATE_LIMITED';
    else if (/authentication|permission|invalid_api_key/.test(type)) kind = 'AUTH_FAILED';
  }
  const upstreamMessage = upstreamErrorMessage(payload);
  const detail = upstreamMessage ? `: ${sanitizeUpstreamMessage(upstreamMessage, secret)}` : '';
  return new UpstreamError(kind, `upstream reported an error mid-stream${detail}`);
}
