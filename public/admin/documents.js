// The GraphQL documents the console sends: api-contract.graphql, api-contract-changes.graphql
// (CHANGES_*: reasons, revert, scheduled switches, audit log) and the console's reads (users,
// User.apiTokens, Provider.sharedApiKeyHint).

const MODEL_REF = 'id name displayName';
/** A change as every view shows it: who, what, and why (its reason, its scheduled switch). */
export const CHANGE_FIELDS = `cursor provider { slug name } capability version changedAt changedBy
  model { ${MODEL_REF} } previousModel { ${MODEL_REF} } reason scheduledChange { id status }`;

export const VIEWER = 'query Viewer { viewer { id name role canUseSharedApi } }';

export const PROVIDERS = `query Providers {
  providers {
    id slug name baseUrl apiStyle sharedApiEnabled hasSharedApiKey sharedApiKeyHint
    activeModels { capability version activatedAt activatedBy model { ${MODEL_REF} } }
    models { ${MODEL_REF} modelId capabilities activeCapabilities }
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
  const variables = {};
  slots.forEach(({ provider, capability }, i) => {
    vars.push(`$p${i}: String!`, `$c${i}: Capability!`);
    fields.push(`s${i}: activationHistory(provider: $p${i}, capability: $c${i}, first: 1) { edges { node { ${CHANGE_FIELDS} } } }`);
    variables[`p${i}`] = provider;
    variables[`c${i}`] = capability;
  });
  return { query: `query LatestChanges(${vars.join(', ')}) {\n${fields.join('\n')}\n}`, variables };
}

// ── Providers and models ──────────────────────────────────────────────────────

export const CREATE_PROVIDER = `mutation CreateProvider($input: CreateProviderInput!) { createProvider(input: $input) { id slug } }`;
export const UPDATE_PROVIDER = `mutation UpdateProvider($input: UpdateProviderInput!) { updateProvider(input: $input) { id slug } }`;
export const CREATE_MODEL = `mutation CreateModel($input: CreateModelInput!) { createModel(input: $input) { id name } }`;
export const UPDATE_MODEL = `mutation UpdateModel($input: UpdateModelInput!) { updateModel(input: $input) { id name } }`;
export const DELETE_MODEL = `mutation DeleteModel($id: ID!) { deleteModel(id: $id) { id changes { ${CHANGE_FIELDS} } } }`;

// ── Users, tokens, personal keys ──────────────────────────────────────────────

const TOKEN_FIELDS = 'id name createdAt lastUsedAt revokedAt';

export const USERS = `query Users($first: Int, $after: String) {
  users(first: $first, after: $after) {
    edges { node { id name role canUseSharedApi createdAt apiTokens { ${TOKEN_FIELDS} } } }
    pageInfo { hasNextPage endCursor }
  }
}`;
export const CREATE_USER = `mutation CreateUser($input: CreateUserInput!) { createUser(input: $input) { id name } }`;
export const UPDATE_USER = `mutation UpdateUser($input: UpdateUserInput!) { updateUser(input: $input) { id role canUseSharedApi } }`;
export const CREATE_TOKEN = `mutation CreateToken($input: CreateApiTokenInput!) { createApiToken(input: $input) { token apiToken { ${TOKEN_FIELDS} } } }`;
export const REVOKE_TOKEN = `mutation RevokeToken($id: ID!) { revokeApiToken(id: $id) { ${TOKEN_FIELDS} } }`;

export const MY_ACCOUNT = `query MyAccount {
  viewer { id name role canUseSharedApi apiTokens { ${TOKEN_FIELDS} }
    personalApiKeys { keyHint useSharedApi updatedAt provider { slug } } }
  providers { slug name sharedApiEnabled hasSharedApiKey }
}`;
export const SET_PERSONAL_KEY = `mutation SetPersonalKey($input: SetPersonalApiKeyInput!) { setPersonalApiKey(input: $input) { keyHint useSharedApi } }`;
export const REMOVE_PERSONAL_KEY = `mutation RemovePersonalKey($provider: String!) { removePersonalApiKey(provider: $provider) }`;

// ── Change management (api-contract-changes.graphql) ──────────────────────────

export const CHANGES_HISTORY = `query ChangesHistory($provider: String, $capability: Capability, $changedBy: String,
    $from: DateTime, $to: DateTime, $first: Int, $after: String) {
  activationHistory(provider: $provider, capability: $capability, changedBy: $changedBy, from: $from, to: $to,
      first: $first, after: $after) {
    edges { node { ${CHANGE_FIELDS} } }
    pageInfo { hasNextPage endCursor }
  }
}`;

export const CHANGES_REVERT = `mutation RevertSlot($input: RevertSlotInput!) {
  revertSlot(input: $input) { changes { ${CHANGE_FIELDS} } }
}`;

const SCHEDULED_FIELDS = `id at status reason capabilities expectedVersion createdAt appliedAt failureCode failureMessage
  provider { slug name } model { ${MODEL_REF} } createdBy { name } changes { version }`;

export const CHANGES_SCHEDULED = `query Scheduled($provider: String, $status: ScheduledChangeStatus, $first: Int, $after: String) {
  scheduledChanges(provider: $provider, status: $status, first: $first, after: $after) {
    edges { node { ${SCHEDULED_FIELDS} } }
    pageInfo { hasNextPage endCursor }
  }
}`;
export const CHANGES_SCHEDULE = `mutation Schedule($input: ScheduleActivationInput!) { scheduleActivation(input: $input) { ${SCHEDULED_FIELDS} } }`;
export const CHANGES_CANCEL = `mutation CancelScheduled($id: ID!) { cancelScheduledChange(id: $id) { ${SCHEDULED_FIELDS} } }`;

export const CHANGES_AUDIT = `query Audit($actorId: ID, $action: AuditAction, $targetType: String, $from: DateTime, $to: DateTime,
    $first: Int, $after: String) {
  auditLog(actorId: $actorId, action: $action, targetType: $targetType, from: $from, to: $to, first: $first, after: $after) {
    edges { node { id at actor { id name } action targetType targetId summary details } }
    pageInfo { hasNextPage endCursor }
  }
}`;

export const SCHEDULE_STATUSES = ['PENDING', 'APPLIED', 'CANCELLED', 'FAILED'];
