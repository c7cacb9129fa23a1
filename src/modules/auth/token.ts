import { hash, randomBytes } from 'node:crypto';

/** A new bearer token: "sb_" + 32 random bytes. High entropy, so a plain SHA-256 is a safe hash. */
export function generateToken(): string {
  return 'sb_' + randomBytes(32).toString('base64url');
}

/** Every authenticated request hashes its token: the one-shot `hash` makes no Hash object to throw away. */
export function hashToken(token: string): string {
  return hash('sha256', token, 'hex');
}

export { bearerToken } from '../../common/bearer-token';
