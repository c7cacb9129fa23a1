/** English messages. Every key here must exist in messages.fa.ts with the same {placeholders}. */
export const en = {
  'auth.unauthenticated': "Authentication required: send a valid token as 'Authorization: Bearer <token>'.",
  'auth.invalidToken': 'The token is invalid or has been revoked.',
  'auth.forbidden': 'Your role ({role}) may not {action}; it needs ADMIN.',
  'auth.notOwnToken': 'You may revoke only your own tokens.',
  'auth.notOwnUser': 'You may act only for yourself; acting for another user needs ADMIN.',

  'provider.notFound': 'No provider with slug "{slug}".',
  'provider.slugTaken': 'A provider with slug "{slug}" already exists.',

  'model.notFound': 'No model with id "{id}".',
  'model.notFoundByName': 'Provider "{provider}" has no model named "{name}".',
  'model.nameTaken': 'Provider "{provider}" already has a model named "{name}".',
  'model.lacksCapability': 'Model "{name}" does not have the capability {capability}.',

  'activation.versionConflict':
    'The slot {provider}/{capability} is at version {actual}, not {expected}: someone changed it first. Reload and try again.',
  'activation.expectedVersionNeedsOneCapability':
    'expectedVersion applies to exactly one slot, but this call would change {count} capabilities: pass a single capability.',

  'user.notFound': 'No user with id "{id}".',
  'user.nameTaken': 'A user named "{name}" already exists.',
  'token.notFound': 'No API token with id "{id}".',

  'input.invalid': 'Invalid input: {details}',
  'input.slug': '{field} must be 2 to 40 lower-case letters, digits and single hyphens (e.g. "open-router").',
  'input.length': '{field} must be {min} to {max} characters long.',
  'input.blank': '{field} must not be blank or start or end with spaces.',
  'input.url': '{field} must be an http(s) URL.',
  'input.notEmpty': '{field} must list at least one value.',
  'input.distinct': '{field} must not list a value twice.',
  'input.range': '{field} must be between {min} and {max}.',
  'input.id': '{field} must be a valid id.',
  'input.cursor': '{field} is not a valid cursor.',
  'input.modelName': '{field} may contain only letters, digits and . _ : / @ + - (no spaces).',
  'input.minimum': '{field} must be {min} or more.',
  'input.tooMany': '{field} may list at most {max} values.',

  'internal': 'Internal server error. Quote request id {requestId} when reporting it.',
  'unavailable': 'A backing service ({service}) is unavailable; retry later.',
  'request.badJson': 'The request body is not valid JSON.',
  'request.notFound': 'No route {method} {url}.',
  'request.tooLarge': 'The request body is too large.',

  'resolution.explicitModel': 'Model "{model}" was named in the request.',
  'resolution.activeModel': 'Model "{model}" is the active {capability} model of {provider}.',
  'resolution.personalKey': 'Your personal key for {provider} is used.',
  'resolution.sharedKey': "The provider's shared key is used",
  'resolution.sharedBecauseOptedIn': 'you chose the shared key over your personal key',
  'resolution.sharedBecauseNoPersonal': 'you have no personal key for {provider}',
  'gateway.noActiveModel': 'Provider "{provider}" has no active {capability} model.',
  'gateway.noApiAccess': 'No API access to {provider}: {reason}.',
  'gateway.reason.noPersonalKey': 'you have no personal key',
  'gateway.reason.optedButNoShared': 'you opted for the shared key',
  'gateway.reason.sharedDisabled': 'the shared key is not enabled for this provider',
  'gateway.reason.noSharedKey': 'the provider has no shared key',
  'gateway.reason.userMayNotShare': 'you are not allowed to use shared keys',
  'gateway.capabilityUnsupported': '{provider} ({style} API) does not support {capability}.',
  'gateway.chatCapability': 'chat accepts the capability CHAT or CODE, not {capability}.',
  'gateway.providerAuthFailed': '{provider} rejected the API key (HTTP {status}).',
  'gateway.providerRateLimited': '{provider} is rate limiting requests (HTTP 429); retry later.',
  'gateway.providerError': '{provider} failed to answer: {detail}.',
  'gateway.noBaseUrl': 'Provider "{provider}" has no base URL configured.',
  'gateway.personalKeyMissing': 'You have no personal key for {provider} yet: pass apiKey.',
} as const;

export type MessageKey = keyof typeof en;
