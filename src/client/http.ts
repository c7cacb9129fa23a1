import { print } from 'graphql';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';

/** An error the server answered (its `extensions.code`), or a transport failure (`NETWORK_ERROR`). */
export class SwitchboardError extends Error {
  constructor(
    message: string,
    /** The server's stable code (UNAUTHENTICATED, NOT_FOUND, …), or NETWORK_ERROR / BAD_RESPONSE. */
    readonly code: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'SwitchboardError';
  }
}

/** Codes that mean "these credentials will not work": the only reason the client gives up. */
export const AUTH_CODES: ReadonlySet<string> = new Set(['UNAUTHENTICATED', 'FORBIDDEN']);

export function isAuthError(e: unknown): boolean {
  return e instanceof SwitchboardError && AUTH_CODES.has(e.code);
}

/** True for a failure worth retrying: the network, a restart, an overloaded or unavailable server. */
export function isTransient(e: unknown): boolean {
  if (!(e instanceof SwitchboardError)) return true;
  return (
    e.code === 'NETWORK_ERROR' || e.code === 'SERVICE_UNAVAILABLE' || e.code === 'BAD_RESPONSE' || (e.status !== undefined && e.status >= 500)
  );
}

export interface HttpOptions {
  /** The GraphQL endpoint, e.g. http://127.0.0.1:4000/graphql. */
  url: string;
  token?: string;
  locale?: string;
  fetch?: typeof fetch;
}

const printed = new WeakMap<object, string>();
function printOnce(document: TypedDocumentNode<unknown, never>): string {
  let text = printed.get(document);
  if (!text) printed.set(document, (text = print(document)));
  return text;
}

/** One GraphQL operation over HTTP POST; resolves with `data` or rejects with a SwitchboardError. */
export async function request<R, V>(options: HttpOptions, document: TypedDocumentNode<R, V>, variables?: V): Promise<R> {
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.locale) headers['accept-language'] = options.locale;
  const doFetch = options.fetch ?? fetch;
  let res: Response;
  try {
    res = await doFetch(options.url, {
      method: 'POST',
      headers,
      body: JSON.stringify({ query: printOnce(document), variables: variables ?? {} }),
    });
  } catch (e) {
    const { cause, message } = e as Error;
    const detail = cause instanceof Error ? cause.toString() : typeof cause === 'string' ? cause : message;
    throw new SwitchboardError(`cannot reach ${options.url}: ${detail}`, 'NETWORK_ERROR');
  }
  let body: { data?: R | null; errors?: { message: string; extensions?: { code?: string } }[] };
  try {
    body = (await res.json()) as typeof body;
  } catch {
    throw new SwitchboardError(
      `${options.url} answered HTTP ${res.status} without a GraphQL body`,
      res.status >= 500 ? 'BAD_RESPONSE' : 'BAD_REQUEST',
      res.status,
    );
  }
  const first = body.errors?.[0];
  if (first) throw new SwitchboardError(first.message, first.extensions?.code ?? 'INTERNAL_SERVER_ERROR', res.status);
  if (body.data == null) throw new SwitchboardError(`${options.url} answered HTTP ${res.status} without data`, 'BAD_RESPONSE', res.status);
  return body.data;
}
