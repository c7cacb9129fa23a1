import { UserInputError } from '../../common/errors';

export const REASON_MAX_LENGTH = 500;

/**
 * The contract's rule for `reason` (activate, deactivate, revert, schedule): trimmed; empty means
 * none (null); longer than 500 characters is BAD_USER_INPUT. Stored with every slot change it causes.
 */
export function normalizeReason(raw: string | null | undefined, field = 'reason'): string | null {
  if (raw === null || raw === undefined) return null;
  const reason = raw.trim();
  if (reason === '') return null;
  if ([...reason].length > REASON_MAX_LENGTH) throw new UserInputError('input.reasonLength', { field, max: REASON_MAX_LENGTH }, field);
  return reason;
}
