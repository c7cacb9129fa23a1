import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { print } from 'graphql';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { ADMIN_TOKEN, type TestServer } from './test-server';
import { waitFor } from './wait';

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
  /** Resolves with the events once `count` have arrived, an error arrived, or `timeoutMs` passed (then the caller's assertion fails). */
  waitFor(count: number, timeoutMs?: number): Promise<T[]>;
  stop(): void;
}

/** Subscribes with a typed document (or, for deliberately malformed input, a raw string) and collects every `next` payload's data. */
export function collect<T, V extends Record<string, unknown> = Record<string, unknown>>(
  client: Client,
  document: TypedDocumentNode<T, V> | string,
  variables?: V,
): Collected<T> {
  const events: T[] = [];
  const errors: unknown[] = [];
  const query = typeof document === 'string' ? document : print(document);
  const stop = client.subscribe<T>(
    { query, variables: variables ?? {} },
    {
      next: (r) => {
        if (r.errors) errors.push(...r.errors);
        if (r.data) events.push(r.data);
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
      await waitFor(
        () => events.length >= count || errors.length > 0,
        (done) => done,
        { timeoutMs, what: `${count} events` },
      ).catch(() => undefined);
      return events;
    },
  };
}

/**
 * Subscribes through a server in this process and resolves once that server holds the feed (the bus
 * is subscribed and the slot versions are read): a change committed afterwards is delivered.
 */
export async function collectLive<T, V extends Record<string, unknown> = Record<string, unknown>>(
  t: TestServer,
  client: Client,
  document: TypedDocumentNode<T, V> | string,
  variables?: V,
): Promise<Collected<T>> {
  const feeds = () => t.server.services.changeFeed.openFeeds;
  const before = feeds();
  const sub = collect(client, document, variables);
  await waitFor(
    () => feeds() > before || sub.errors.length > 0,
    (done) => done,
    { timeoutMs: 5000, what: 'the subscription to be live' },
  );
  return sub;
}
