import { randomUUID } from 'node:crypto';
import { RawWebSocket } from './raw-ws';

const NEXT = Buffer.from('"type":"next"');

/**
 * Many graphql-ws subscribers in this one process, speaking the graphql-transport-ws protocol over
 * minimal WebSocket clients (raw-ws.ts). Each records when each change (by cursor) arrived.
 *
 * The subscribers share the 2 cores with the server, so while a change fans out they do as little as
 * they can: a `next` message is timed and kept, and parsed only when `received` is asked (after the
 * wait). Real subscribers parse on their own machines; parsing here would delay the next receipts.
 */
export class SubscriberPool {
  readonly sockets: RawWebSocket[] = [];
  /** cursor → receipt times (performance.now()) */
  private readonly byCursor = new Map<string, number[]>();
  private readonly unread: { at: number; data: Buffer }[] = [];
  /** `next` messages received so far (parsed or not). */
  nexts = 0;
  errors = 0;

  /** cursor → receipt times (performance.now()), every message received so far parsed. */
  get receipts(): Map<string, number[]> {
    for (const { at, data } of this.unread.splice(0)) {
      const msg = JSON.parse(data.toString('utf8')) as { payload?: { data?: { activeModelChanged?: { cursor?: string } } } };
      const cursor = msg.payload?.data?.activeModelChanged?.cursor;
      if (!cursor) {
        this.errors++;
        continue;
      }
      let list = this.byCursor.get(cursor);
      if (!list) this.byCursor.set(cursor, (list = []));
      list.push(at);
    }
    return this.byCursor;
  }

  constructor(
    private readonly wsUrl: string,
    private readonly token: string,
    private readonly query: string,
  ) {}

  /** Opens `count` subscriptions, `parallel` handshakes at a time. */
  async open(count: number, parallel = 200): Promise<void> {
    let next = 0;
    const worker = async () => {
      while (next < count) {
        next++;
        this.sockets.push(await this.connectOne());
      }
    };
    await Promise.all(Array.from({ length: parallel }, worker));
  }

  received(cursor: string): number {
    return this.receipts.get(cursor)?.length ?? 0;
  }

  async close(): Promise<void> {
    await Promise.all(this.sockets.map((s) => s.close(1000)));
  }

  private connectOne(): Promise<RawWebSocket> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('subscriber handshake timed out')), 30_000);
      const handlers = {
        text: (data: Buffer, at: number) => {
          if (data.includes(NEXT)) {
            this.unread.push({ at, data: Buffer.from(data) });
            this.nexts++;
            return;
          }
          const msg = JSON.parse(data.toString('utf8')) as { type: string };
          if (msg.type === 'connection_ack') {
            // A subscription id of its own, as graphql-ws clients make them: no two subscribers get the same bytes.
            ws.send(JSON.stringify({ id: randomUUID(), type: 'subscribe', payload: { query: this.query } }));
            clearTimeout(timer);
            resolve(ws);
          } else if (msg.type === 'ping') {
            ws.send(JSON.stringify({ type: 'pong' }));
          } else if (msg.type === 'error') {
            this.errors++;
          }
        },
        closed: (code: number) => {
          if (code !== 1000) this.errors++;
        },
      };
      let ws: RawWebSocket;
      RawWebSocket.connect(this.wsUrl, 'graphql-transport-ws', handlers).then(
        (opened) => {
          ws = opened;
          ws.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${this.token}` } }));
        },
        (e: unknown) => {
          clearTimeout(timer);
          reject(e instanceof Error ? e : new Error(String(e)));
        },
      );
    });
  }
}
