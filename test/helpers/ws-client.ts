import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { ADMIN_TOKEN } from './test-server';

/** A graphql-ws client for a test server's URL ("http://..."). */
export function wsClient(httpUrl: string, params: { token?: string | null; locale?: string } = {}): Client {
  const token = params.token === undefined ? ADMIN_TOKEN : params.token;
  return createClient({
    url: httpUrl.replace(/^http/, 'ws') + '/graphql',
    webSocketImpl: WebSocket,
    lazy: false,
    retryAttempts: 0,
    connectionParams: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(params.locale ? { locale: params.locale } : {}) },
  });
}

export interface Collected<T> {
  events: T[];
  errors: unknown[];
  /** Resolves once the server has acknowledged the subscription (its first event or a short settle). */
  waitFor(count: number, timeoutMs?: number): Promise<T[]>;
  stop(): void;
}

/** Subscribes and collects every `next` payload's data. */
export function collect<T = any>(client: Client, query: string, variables: Record<string, unknown> = {}): Collected<T> {
  const events: T[] = [];
  const errors: unknown[] = [];
  const stop = client.subscribe<T>(
    { query, variables },
    {
      next: (r) => {
        if (r.errors) errors.push(...r.errors);
        if (r.data) events.push(r.data as T);
      },
      error: (e) => errors.push(e),
      complete: () => undefined,
    },
  );
  return {
    events,
    errors,
    stop,
    async waitFor(count, timeoutMs = 10_000) {
      const until = Date.now() + timeoutMs;
      while (events.length < count && errors.length === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
      return events;
    },
  };
}
