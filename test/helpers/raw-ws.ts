import WebSocket from 'ws';
import { ADMIN_TOKEN } from './test-server';

/** A bare graphql-transport-ws connection: every frame and the close code are visible to the test. */
export interface RawWs {
  socket: WebSocket;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a raw frame's payload differs by type (data, errors, ack); tests read it per case
  messages: { id?: string; type: string; payload?: any }[];
  closed: Promise<{ code: number; reason: string }>;
  subscribe(id: string, query: string, variables?: Record<string, unknown>): void;
  /** The first message of type next/error/complete for `id`. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- as above: next, error or complete
  result(id: string): Promise<{ type: string; payload?: any }>;
  close(): void;
}

export async function rawWs(
  httpUrl: string,
  token: string | null = ADMIN_TOKEN,
): Promise<RawWs & { acked: boolean; refused?: { code: number; reason: string } }> {
  const socket = new WebSocket(httpUrl.replace(/^http/, 'ws') + '/graphql', 'graphql-transport-ws');
  const messages: RawWs['messages'] = [];
  const waiters: (() => void)[] = [];
  socket.on('message', (data) => {
    // ws delivers text frames as a Buffer (the default binaryType, nodebuffer).
    messages.push(JSON.parse((data as Buffer).toString('utf8')) as RawWs['messages'][number]);
    for (const w of waiters.splice(0)) w();
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.on('close', (code, reason) => resolve({ code, reason: String(reason) })),
  );
  socket.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  socket.send(JSON.stringify({ type: 'connection_init', payload: token ? { authorization: `Bearer ${token}` } : {} }));
  const next = () => new Promise<void>((resolve) => waiters.push(resolve));
  const acked = await Promise.race([
    (async () => {
      while (!messages.some((m) => m.type === 'connection_ack')) await next();
      return true;
    })(),
    closed.then(() => false),
  ]);
  const ws = {
    socket,
    messages,
    closed,
    acked,
    subscribe(id: string, query: string, variables: Record<string, unknown> = {}) {
      socket.send(JSON.stringify({ id, type: 'subscribe', payload: { query, variables } }));
    },
    async result(id: string) {
      for (;;) {
        const m = messages.find((x) => x.id === id && ['next', 'error', 'complete'].includes(x.type));
        if (m) return m;
        await Promise.race([next(), closed]);
        if (socket.readyState === WebSocket.CLOSED && !messages.some((x) => x.id === id))
          throw new Error(`socket closed before an answer for ${id}`);
      }
    },
    close: () => socket.close(),
  };
  if (!acked) return { ...ws, refused: await closed };
  return ws;
}
