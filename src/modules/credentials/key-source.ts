/** Which key a generation call uses: the caller's own, or the provider's shared one. */
export enum KeySource {
  PERSONAL = 'PERSONAL',
  SHARED = 'SHARED',
}

/** Why neither key may be used; each names one failed condition of the key order. */
export enum NoAccessReason {
  NO_PERSONAL_KEY = 'NO_PERSONAL_KEY',
  OPTED_FOR_SHARED = 'OPTED_FOR_SHARED',
  SHARED_DISABLED = 'SHARED_DISABLED',
  NO_SHARED_KEY = 'NO_SHARED_KEY',
  USER_MAY_NOT_SHARE = 'USER_MAY_NOT_SHARE',
}
