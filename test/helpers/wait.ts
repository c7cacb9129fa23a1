/** Bounded waiting for a state or an event, instead of fixed sleeps. */

export interface WaitOptions {
  /** Give up (and throw) after this long; generous, since a loaded machine is slow, not wrong. */
  timeoutMs?: number;
  /** How often to look again. */
  intervalMs?: number;
  /** Said in the error when the wait times out. */
  what?: string;
}

/**
 * Polls `probe` until `done(value)` holds and returns that value; throws with the last value when the
 * time runs out. `probe` may be async (a query) or sync (an array length).
 */
export async function waitFor<T>(
  probe: () => T | Promise<T>,
  done: (value: T) => boolean = Boolean,
  { timeoutMs = 10_000, intervalMs = 20, what = 'condition' }: WaitOptions = {},
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() >= until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last value: ${safeJson(value)}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Resolves with the first `event` emitted by `emitter`, or rejects after `timeoutMs`. */
export function nextEvent<T = unknown>(
  emitter: { once(event: string, listener: (value: T) => void): unknown; off(event: string, listener: (value: T) => void): unknown },
  event: string,
  timeoutMs = 10_000,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      emitter.off(event, listener);
      reject(new Error(`timed out after ${timeoutMs} ms waiting for the ${event} event`));
    }, timeoutMs);
    const listener = (value: T) => {
      clearTimeout(timer);
      resolve(value);
    };
    emitter.once(event, listener);
  });
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value)?.slice(0, 500) ?? String(value);
  } catch {
    return String(value);
  }
}

/**
 * Waits for a state, not for a time: polls `probe` until `done` accepts its value. The timeout only
 * turns a hang into a readable failure; it is not an assertion on speed.
 */
export async function waitUntil<T>(probe: () => Promise<T>, done: (value: T) => boolean, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T;
  for (;;) {
    last = await probe();
    if (done(last)) return last;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last value: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
