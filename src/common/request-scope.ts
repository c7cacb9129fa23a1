import { AsyncLocalStorage } from 'node:async_hooks';
import type { Locale } from '../config/config';

/**
 * Per-request values that errors need wherever they are thrown (the caller's locale, the request id),
 * without threading them through every function.
 */
export interface RequestScope {
  requestId: string;
  locale: Locale;
}

const storage = new AsyncLocalStorage<RequestScope>();

export function runInScope<T>(scope: RequestScope, fn: () => T): T {
  return storage.run(scope, fn);
}

export function currentScope(): RequestScope | undefined {
  return storage.getStore();
}
