// HTTP side of the admin console: one fetch-based GraphQL client, the documents it sends,
// and error formatting ("message (CODE)") shared by every panel.

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

/** One line per error: "message (CODE)". Accepts an ApiError, a GraphQL errors array or any Error. */
export function describeErrors(err) {
  const errors = Array.isArray(err) ? err : err instanceof ApiError ? err.errors : [{ message: String(err?.message ?? err) }];
  return errors.map((e) => {
    const code = e?.extensions?.code;
    return code ? `${e.message} (${code})` : String(e?.message ?? e);
  });
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

const MODEL_REF = 'id name displayName';
const CHANGE_FIELDS = `cursor provider { slug } capability version changedAt changedBy
  model { ${MODEL_REF} } previousModel { name displayName }`;

export const VIEWER = 'query Viewer { viewer { name role } }';

export const PROVIDERS = `query Providers {
  providers {
    slug name
    activeModels { capability version activatedAt activatedBy model { ${MODEL_REF} } }
    models { ${MODEL_REF} capabilities activeCapabilities }
  }
}`;

export const HISTORY = `query History($provider: String!, $capability: Capability, $first: Int, $after: String) {
  activationHistory(provider: $provider, capability: $capability, first: $first, after: $after) {
    edges { node { ${CHANGE_FIELDS} } }
    pageInfo { hasNextPage endCursor }
  }
}`;

export const ACTIVATE = `mutation Activate($input: ActivateModelInput!) {
  activateModel(input: $input) { changes { ${CHANGE_FIELDS} } }
}`;

export const DEACTIVATE = `mutation Deactivate($input: DeactivateModelInput!) {
  deactivateModel(input: $input) { changes { ${CHANGE_FIELDS} } }
}`;

export const ACTIVE_MODEL_CHANGED = `subscription ActiveModelChanged($since: String) {
  activeModelChanged(since: $since) { ${CHANGE_FIELDS} }
}`;

/**
 * The latest change of each given slot, one aliased field per slot, in one request.
 * Needed because an emptied slot keeps its version but disappears from activeModels,
 * and expectedVersion must be that version, not 0.
 */
export function latestChangesDocument(slots) {
  const vars = [];
  const fields = [];
  slots.forEach((_slot, i) => {
    vars.push(`$p${i}: String!`, `$c${i}: Capability!`);
    fields.push(`s${i}: activationHistory(provider: $p${i}, capability: $c${i}, first: 1) {
      edges { node { ${CHANGE_FIELDS} } }
    }`);
  });
  const variables = {};
  slots.forEach(({ provider, capability }, i) => {
    variables[`p${i}`] = provider;
    variables[`c${i}`] = capability;
  });
  return { query: `query LatestChanges(${vars.join(', ')}) {\n${fields.join('\n')}\n}`, variables };
}
