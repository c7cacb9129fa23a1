// HTTP side of the admin console: one fetch-based GraphQL client and the error shape shared by
// every view. The documents it sends are in documents.js.

import { locale } from './i18n.js';

export const CAPABILITIES = ['CHAT', 'CODE', 'CONTENT', 'IMAGE', 'AUDIO', 'EMBEDDING'];
export const GRAPHQL_PATH = '/graphql';

export function graphqlWsUrl() {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}${GRAPHQL_PATH}`;
}

/** GraphQL errors (or a transport failure dressed as one), with the first extensions.code. */
export class ApiError extends Error {
  constructor(errors) {
    super(errors.map((e) => e.message).join('; '));
    this.name = 'ApiError';
    this.errors = errors;
    this.code = errors[0]?.extensions?.code ?? 'UNKNOWN';
  }

  hasCode(code) {
    return this.errors.some((e) => e.extensions?.code === code);
  }
}

function clientError(message, code) {
  return new ApiError([{ message, extensions: { code } }]);
}

/** Each error as { message, code }: the server's message as it came (localized), and its code. */
export function describeErrors(err) {
  const errors = Array.isArray(err) ? err : err instanceof ApiError ? err.errors : [{ message: String(err?.message ?? err) }];
  return errors.map((e) => ({ message: String(e?.message ?? e), code: e?.extensions?.code }));
}

export function errorCodes(errors) {
  return (errors ?? []).map((e) => e?.extensions?.code).filter(Boolean);
}

/** POST one operation; resolves to `data`, rejects with ApiError when the response carries errors. */
export async function request(token, query, variables = {}) {
  let response;
  try {
    response = await fetch(GRAPHQL_PATH, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json',
        authorization: `Bearer ${token}`,
        // The server answers errors in this language (src/common/i18n negotiateLocale).
        'accept-language': locale(),
      },
      body: JSON.stringify({ query, variables }),
    });
  } catch (err) {
    throw clientError(`Cannot reach the server: ${err.message}`, 'NETWORK_ERROR');
  }
  let body;
  try {
    body = await response.json();
  } catch {
    throw clientError(`Unexpected response from the server (HTTP ${response.status}).`, `HTTP_${response.status}`);
  }
  if (Array.isArray(body?.errors) && body.errors.length > 0) throw new ApiError(body.errors);
  if (!response.ok || !body?.data) {
    throw clientError(`The server answered HTTP ${response.status} without data.`, `HTTP_${response.status}`);
  }
  return body.data;
}
