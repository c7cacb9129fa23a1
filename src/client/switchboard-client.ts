import { print } from 'graphql';
import { createClient, type Client as WsClient } from 'graphql-ws';

interface CloseEvent {
  code: number;
  reason: string;
}
import {
  ClientFollowDocument,
  ClientLatestChangeDocument,
  ClientProvidersDocument,
  ClientSlotsDocument,
  ClientViewerDocument,
  type Capability,
  type ClientChangeFragment,
  type ClientFollowSubscription,
  type ClientModelFragment,
} from './generated/graphql';
import { SwitchboardError, isAuthError, isTransient, request, type HttpOptions } from './http';

export type { Capability } from './generated/graphql';

/** A model holding a slot, as `activeModel()` answers it. */
export interface ActiveModel {
  id: string;
  name: string;
  modelId: string;
  displayName: string;
  provider: string;
  capability: Capability;
  /** The slot's version (+1 on every change of the slot). */
  version: number;
}

/** A model as a change names it. */
export type ChangeModel = ClientModelFragment;

/** One committed change of a slot, as `onChange` delivers it. */
export interface SlotChange {
  /** Opaque, increasing in commit order; pass as `since` to resume after it. */
  cursor: string;
  provider: string;
  capability: Capability;
  version: number;
  changedAt: string;
  changedBy: string | null;
  /** The new holder; null when the slot was emptied. */
  model: ChangeModel | null;
  previousModel: ChangeModel | null;
}

export type ClientState = 'connecting' | 'live' | 'reconnecting' | 'closed';

export interface SwitchboardClientOptions {
  /** The http(s) URL of the GraphQL endpoint; the WebSocket URL is derived from it (ws(s), same path). */
  url: string;
  token: string;
  /** Follow only these providers (slugs); default: every provider, new ones included. */
  providers?: string[];
  /** Deliver only changes of these capabilities to `onChange` (the table keeps every slot). */
  capabilities?: Capability[];
  /** Start after this cursor: every change committed after it is delivered to `onChange`. */
  since?: string;
  /** Accept-Language / connectionParams.locale for the server's messages (en, fa). */
  locale?: string;
  /** Backoff between reconnection tries: from `minMs`, doubling, at most `maxMs` (≤ 5000). */
  retry?: { minMs?: number; maxMs?: number };
  /** How often to ping the server; a missing pong for as long closes the socket and reconnects. */
  keepAliveMs?: number;
  /**
   * How often to re-check the token over HTTP while following (default 30 s; 0: never). A server
   * closes the sockets of a revoked token (4403) by itself; this also catches servers that do not.
   */
  credentialCheckMs?: number;
  /** A WebSocket implementation where there is no global one (Node < 22: the `ws` package). */
  webSocketImpl?: unknown;
  fetch?: typeof fetch;
}

type Listener<T> = (value: T) => void;
interface Events {
  change: SlotChange;
  state: ClientState;
  error: SwitchboardError;
}

const MAX_BACKOFF_MS = 5000;
const FOLLOW_QUERY = print(ClientFollowDocument);

/** Cursors are opaque strings that increase in commit order (digits; compared by length, then text). */
function cursorAfter(a: string, b: string | null): boolean {
  if (b === null) return true;
  return a.length !== b.length ? a.length > b.length : a > b;
}

function toWsUrl(url: string): string {
  const u = new URL(url);
  u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
  return u.toString();
}

function isCloseEvent(e: unknown): e is CloseEvent {
  return typeof e === 'object' && e !== null && 'code' in e && 'reason' in e;
}

/** A subscription error payload (GraphQL errors) as a SwitchboardError. */
function toError(e: unknown): SwitchboardError {
  if (e instanceof SwitchboardError) return e;
  if (Array.isArray(e) && e.length) {
    const first = e[0] as { message?: string; extensions?: { code?: string } };
    return new SwitchboardError(first.message ?? 'subscription error', first.extensions?.code ?? 'INTERNAL_SERVER_ERROR');
  }
  if (isCloseEvent(e))
    return new SwitchboardError(
      `connection closed (${e.code}${e.reason ? `: ${e.reason}` : ''})`,
      e.code === 4403 ? 'FORBIDDEN' : 'NETWORK_ERROR',
    );
  return new SwitchboardError((e as Error)?.message ?? String(e), 'NETWORK_ERROR');
}

/**
 * Follows the active models of Switchboard and answers from memory.
 *
 * `ready()` loads the current slots over HTTP; a subscription (`activeModelChanged`, graphql-ws)
 * keeps them current. Every change is applied and handed to `onChange` exactly once, in cursor
 * order: after any interruption (network drop, server restart or shutdown, an instance dying behind
 * a load balancer, a Redis restart) the client reconnects with bounded exponential backoff and
 * resubscribes with `since: lastCursor`, so the server replays what was missed. Only bad
 * credentials stop it (state `closed`, an `error` event).
 */
export class SwitchboardClient {
  private readonly slots = new Map<string, { model: ActiveModel | null; version: number }>();
  private readonly listeners: { [K in keyof Events]: Set<Listener<Events[K]>> } = { change: new Set(), state: new Set(), error: new Set() };
  private readonly http: HttpOptions;
  private readonly followed: Set<string> | null;
  private readonly capabilities: Set<string> | null;
  private readonly minBackoff: number;
  private readonly maxBackoff: number;
  private ws: WsClient | null = null;
  private unsubscribe: (() => void) | null = null;
  private resubscribeTimer: ReturnType<typeof setTimeout> | null = null;
  private failures = 0;
  private readyPromise: Promise<void>;
  private currentState: ClientState = 'connecting';
  private cursor: string | null = null;
  private pongTimer: ReturnType<typeof setTimeout> | null = null;
  private credentialTimer: ReturnType<typeof setInterval> | null = null;

  constructor(private readonly options: SwitchboardClientOptions) {
    if (!options.url) throw new TypeError('SwitchboardClient: url is required');
    this.http = { url: options.url, token: options.token, locale: options.locale, fetch: options.fetch };
    this.followed = options.providers?.length ? new Set(options.providers) : null;
    this.capabilities = options.capabilities?.length ? new Set(options.capabilities.map((c) => c.toUpperCase())) : null;
    this.maxBackoff = Math.min(MAX_BACKOFF_MS, options.retry?.maxMs ?? MAX_BACKOFF_MS);
    this.minBackoff = Math.min(this.maxBackoff, options.retry?.minMs ?? 250);
    this.readyPromise = this.start();
    this.readyPromise.catch(() => undefined); // reported through ready() and the error event
  }

  /** Resolves once the current slots are loaded; rejects with a SwitchboardError (its `code` is the server's). */
  ready(): Promise<void> {
    return this.readyPromise;
  }

  get state(): ClientState {
    return this.currentState;
  }

  /** The cursor of the last change applied (or the starting point): what a resubscription passes as `since`. */
  get lastCursor(): string | null {
    return this.cursor;
  }

  /** The model holding the slot, from memory; null for an empty slot (or one not followed). */
  activeModel(provider: string, capability: string): ActiveModel | null {
    return this.slots.get(`${provider}:${String(capability).toUpperCase()}`)?.model ?? null;
  }

  /** Every held slot in memory. */
  activeModels(): ActiveModel[] {
    return [...this.slots.values()].flatMap((s) => (s.model ? [s.model] : []));
  }

  /** Called once per committed change, in cursor order; returns a function that stops it. */
  onChange(listener: Listener<SlotChange>): () => void {
    return this.on('change', listener);
  }

  on<K extends keyof Events>(event: K, listener: Listener<Events[K]>): () => void {
    this.listeners[event].add(listener);
    return () => this.listeners[event].delete(listener);
  }

  async close(): Promise<void> {
    this.stop();
    this.setState('closed');
    await this.readyPromise.catch(() => undefined);
  }

  // ---------------------------------------------------------------------------------------------

  private emit<K extends keyof Events>(event: K, value: Events[K]): void {
    for (const listener of [...this.listeners[event]]) {
      try {
        listener(value);
      } catch (e) {
        // A listener's bug must not stop the feed for the others.
        setTimeout(() => {
          throw e;
        });
      }
    }
  }

  private setState(state: ClientState): void {
    if (this.currentState === state || this.currentState === 'closed') return;
    this.currentState = state;
    this.emit('state', state);
  }

  private backoff(attempt: number): number {
    const ceiling = Math.min(this.maxBackoff, this.minBackoff * 2 ** Math.min(attempt, 16));
    return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
  }

  private async start(): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      if (this.currentState === 'closed') throw new SwitchboardError('the client was closed', 'CLOSED');
      try {
        await this.loadSlots();
        break;
      } catch (e) {
        const error = toError(e);
        if (!isTransient(error)) {
          this.fail(error);
          throw error;
        }
        await this.sleep(this.backoff(attempt));
      }
    }
    this.connect();
    this.watchCredentials();
  }

  private watchCredentials(): void {
    const every = this.options.credentialCheckMs ?? 30_000;
    if (!every) return;
    let checking = false;
    this.credentialTimer = setInterval(() => {
      if (checking || this.currentState === 'closed') return;
      checking = true;
      request(this.http, ClientViewerDocument).then(
        () => (checking = false),
        (e: unknown) => {
          checking = false;
          // Only a definite "no" stops the client; an unreachable server is an outage, not a verdict.
          if (isAuthError(e)) this.fail(e as SwitchboardError);
        },
      );
    }, every);
    (this.credentialTimer as { unref?: () => void }).unref?.();
  }

  /** The slots now, and a cursor from before reading them: the replay after it covers any change in between. */
  private async loadSlots(): Promise<void> {
    const providers = this.followed ? [...this.followed] : (await request(this.http, ClientProvidersDocument)).providers.map((p) => p.slug);
    let start: string | null = this.options.since ?? null;
    if (start === null) {
      const latest = await Promise.all(providers.map((provider) => request(this.http, ClientLatestChangeDocument, { provider })));
      start = '0';
      for (const page of latest) {
        const c = page.activationHistory.edges[0]?.cursor;
        if (c && cursorAfter(c, start)) start = c;
      }
    }
    const one = providers.length === 1 ? providers[0] : null;
    const { activeModels } = await request(this.http, ClientSlotsDocument, { provider: one });
    for (const slot of activeModels) {
      if (this.followed && !this.followed.has(slot.provider.slug)) continue;
      const key = `${slot.provider.slug}:${slot.capability}`;
      const known = this.slots.get(key);
      if (known && known.version >= slot.version) continue;
      this.slots.set(key, {
        version: slot.version,
        model: { ...slot.model, provider: slot.provider.slug, capability: slot.capability, version: slot.version },
      });
    }
    this.cursor = start;
  }

  private connect(): void {
    if (this.currentState === 'closed') return;
    this.ws = createClient({
      url: toWsUrl(this.options.url),
      webSocketImpl: this.options.webSocketImpl,
      connectionParams: () => ({
        authorization: `Bearer ${this.options.token}`,
        ...(this.options.locale ? { locale: this.options.locale } : {}),
      }),
      lazy: true,
      lazyCloseTimeout: 1000,
      keepAlive: this.options.keepAliveMs ?? 15_000,
      retryAttempts: Number.MAX_SAFE_INTEGER,
      // 4403: the server refused the token. Whether that is final is checked over HTTP (see onEnded).
      shouldRetry: (e) => !(isCloseEvent(e) && e.code === 4403),
      retryWait: (retries) => {
        this.setState('reconnecting');
        return this.sleep(this.backoff(retries));
      },
      on: {
        connected: (socket) => {
          this.failures = 0;
          this.watchPongs(socket as { close(code: number, reason: string): void });
          this.setState('live');
        },
        closed: () => {
          this.clearPongTimer();
          if (this.currentState !== 'closed') this.setState('reconnecting');
        },
        ping: (received) => {
          if (!received) this.armPongTimer();
        },
        pong: (received) => {
          if (received) this.clearPongTimer();
        },
      },
    });
    this.subscribe();
  }

  private pongSocket: { close(code: number, reason: string): void } | null = null;
  private watchPongs(socket: { close(code: number, reason: string): void }): void {
    this.pongSocket = socket;
  }
  private armPongTimer(): void {
    this.clearPongTimer();
    const socket = this.pongSocket;
    // A half-open connection (an instance gone without a FIN) answers no ping: drop it and reconnect.
    this.pongTimer = setTimeout(() => socket?.close(4408, 'Pong timeout'), this.options.keepAliveMs ?? 15_000);
  }
  private clearPongTimer(): void {
    if (this.pongTimer) clearTimeout(this.pongTimer);
    this.pongTimer = null;
  }

  /**
   * One subscription; its variables are read each time graphql-ws sends it, so a retry after a
   * dropped socket (graphql-ws re-sends the original payload) still resumes from the last cursor.
   */
  private subscribe(): void {
    if (!this.ws || this.currentState === 'closed') return;
    const cursor = () => this.cursor;
    const single = this.followed?.size === 1 ? [...this.followed][0] : null;
    const payload = {
      query: FOLLOW_QUERY,
      get variables() {
        return { provider: single, since: cursor() };
      },
    };
    let ended = false;
    const end = (error?: unknown) => {
      if (ended) return;
      ended = true;
      void this.onEnded(error);
    };
    this.unsubscribe = this.ws.subscribe<ClientFollowSubscription>(payload, {
      next: (result) => {
        if (result.errors?.length) return end(result.errors);
        if (result.data) this.apply(result.data.activeModelChanged);
      },
      error: (e) => end(e ?? new Error('subscription error')),
      // The server completes subscriptions when it shuts down: not the end, resume elsewhere.
      complete: () => end(),
    });
  }

  private async onEnded(error?: unknown): Promise<void> {
    this.unsubscribe = null;
    if (this.currentState === 'closed') return;
    this.setState('reconnecting');
    let e = error === undefined ? undefined : toError(error);
    if (e && isCloseEvent(error) && error.code === 4403) {
      // Refused at connection: bad credentials, or a server that could not check them (database down).
      e = await request(this.http, ClientViewerDocument).then(
        () => undefined,
        (check: unknown) => (isAuthError(check) ? (check as SwitchboardError) : undefined),
      );
    }
    if (e && isAuthError(e)) {
      this.fail(e);
      return;
    }
    const delay = this.backoff(this.failures++);
    this.resubscribeTimer = setTimeout(() => {
      this.resubscribeTimer = null;
      this.subscribe();
    }, delay);
  }

  private apply(c: ClientChangeFragment): void {
    if (!cursorAfter(c.cursor, this.cursor)) return; // replayed twice: already applied
    this.cursor = c.cursor;
    const provider = c.provider.slug;
    if (this.followed && !this.followed.has(provider)) return;
    const key = `${provider}:${c.capability}`;
    const known = this.slots.get(key);
    // The table only moves forward; a change the initial read already showed is still delivered once.
    if (!known || c.version > known.version) {
      this.slots.set(key, {
        version: c.version,
        model: c.model ? { ...c.model, provider, capability: c.capability, version: c.version } : null,
      });
    }
    this.failures = 0;
    if (this.capabilities && !this.capabilities.has(c.capability)) return;
    this.emit('change', {
      cursor: c.cursor,
      provider,
      capability: c.capability,
      version: c.version,
      changedAt: c.changedAt,
      changedBy: c.changedBy,
      model: c.model,
      previousModel: c.previousModel,
    });
  }

  private fail(error: SwitchboardError): void {
    this.stop();
    this.setState('closed');
    this.emit('error', error);
  }

  private stop(): void {
    if (this.resubscribeTimer) clearTimeout(this.resubscribeTimer);
    this.resubscribeTimer = null;
    this.clearPongTimer();
    if (this.credentialTimer) clearInterval(this.credentialTimer);
    this.credentialTimer = null;
    this.unsubscribe?.();
    this.unsubscribe = null;
    const ws = this.ws;
    this.ws = null;
    void ws?.dispose();
  }
}
