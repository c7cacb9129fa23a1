import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';

/**
 * Many graphql-ws subscribers in this one process, speaking the graphql-transport-ws protocol on raw
 * `ws` sockets (lighter than one graphql-ws client each). Each records when each change (by cursor) arrived.
 */
export class SubscriberPool {
  readonly sockets: WebSocket[] = [];
  /** cursor → receipt times (performance.now()) */
  readonly receipts = new Map<string, number[]>();
  errors = 0;

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
    await Promise.all(
      this.sockets.map(
        (s) =>
          new Promise<void>((resolve) => {
            if (s.readyState === WebSocket.CLOSED) return resolve();
            s.once('close', () => resolve());
            s.close(1000);
            setTimeout(() => {
              s.terminate();
              resolve();
            }, 2000).unref();
          }),
      ),
    );
  }

  private connectOne(): Promise<WebSocket> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(this.wsUrl, 'graphql-transport-ws', { perMessageDeflate: false });
      const timer = setTimeout(() => reject(new Error('subscriber handshake timed out')), 30_000);
      ws.on('open', () => ws.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${this.token}` } })));
      ws.on('message', (data) => {
        const at = performance.now();
        const msg = JSON.parse((data as Buffer).toString('utf8')) as {
          type: string;
          payload?: { data?: { activeModelChanged?: { cursor?: string } } };
        };
        if (msg.type === 'next') {
          const cursor = msg.payload?.data?.activeModelChanged?.cursor;
          if (!cursor) {
            this.errors++;
            return;
          }
          let list = this.receipts.get(cursor);
          if (!list) this.receipts.set(cursor, (list = []));
          list.push(at);
        } else if (msg.type === 'connection_ack') {
          ws.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: this.query } }));
          clearTimeout(timer);
          resolve(ws);
        } else if (msg.type === 'ping') {
          ws.send(JSON.stringify({ type: 'pong' }));
        } else if (msg.type === 'error') {
          this.errors++;
        }
      });
      ws.on('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
      ws.on('close', (code) => {
        if (code !== 1000) this.errors++;
      });
    });
  }
}
