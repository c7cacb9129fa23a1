import { createHash, randomBytes } from 'node:crypto';

/** A new bearer token: "sb_" + 32 random bytes. High entropy, so a plain SHA-256 is a safe hash. */
export function generateToken(): string {
  return 'sb_' + randomBytes(32).toString('base64url');
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export { bearerToken } from '../../common/bearer-token';
