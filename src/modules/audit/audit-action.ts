/** What an audit event records (the contract's AuditAction). */
export enum AuditAction {
  PROVIDER_CREATED = 'PROVIDER_CREATED',
  PROVIDER_UPDATED = 'PROVIDER_UPDATED',
  MODEL_CREATED = 'MODEL_CREATED',
  MODEL_UPDATED = 'MODEL_UPDATED',
  MODEL_DELETED = 'MODEL_DELETED',
  MODEL_ACTIVATED = 'MODEL_ACTIVATED',
  MODEL_DEACTIVATED = 'MODEL_DEACTIVATED',
  SLOT_REVERTED = 'SLOT_REVERTED',
  SCHEDULE_CREATED = 'SCHEDULE_CREATED',
  SCHEDULE_CANCELLED = 'SCHEDULE_CANCELLED',
  SCHEDULE_APPLIED = 'SCHEDULE_APPLIED',
  SCHEDULE_FAILED = 'SCHEDULE_FAILED',
  USER_CREATED = 'USER_CREATED',
  USER_UPDATED = 'USER_UPDATED',
  TOKEN_CREATED = 'TOKEN_CREATED',
  TOKEN_REVOKED = 'TOKEN_REVOKED',
  PERSONAL_KEY_SET = 'PERSONAL_KEY_SET',
  PERSONAL_KEY_REMOVED = 'PERSONAL_KEY_REMOVED',
}

/** What an event is about; its id is that thing's id (a slot's is "<provider slug>/<capability>"). */
export type AuditTargetType = 'provider' | 'model' | 'slot' | 'scheduledChange' | 'user' | 'apiToken' | 'personalApiKey';
export const AUDIT_TARGET_TYPES: readonly AuditTargetType[] = [
  'provider',
  'model',
  'slot',
  'scheduledChange',
  'user',
  'apiToken',
  'personalApiKey',
];
