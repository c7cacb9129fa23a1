import net from 'node:net';

/**
 * A TCP proxy in front of a Redis server that can partition a client's *subscriber* connections
 * only: the connections on which a SUBSCRIBE, PSUBSCRIBE or SSUBSCRIBE was sent. Every other
 * connection (commands, publishing) keeps working, so a server behind it can still heartbeat and
 * read and write Redis while it stops hearing published messages.
 */

/** A RESP command whose name is one of the subscribe commands (case-insensitive), anywhere in a chunk. */
const SUBSCRIBE = /\*\d+\r\n\$\d+\r\n[ps]?subscribe\r\n/i;
/** `CLIENT SETNAME <name>`, which ioredis sends first on each connection given a connectionName. */
const SETNAME = /\$7\r\nsetname\r\n\$\d+\r\n([^\r]+)\r\n/i;

export interface ProxiedConnection {
  /** The name the client gave the connection (CLIENT SETNAME), if any. */
  name?: string;
  subscriber: boolean;
  /** Nothing is forwarded any more, in either direction; both sockets stay open. */
  blackholed: boolean;
  client: net.Socket;
  upstream: net.Socket;
}

export type ProxyMode =
  /** Forward everything. */
  | 'forward'
  /** Subscriber connections (current and new) are black-holed: bytes are dropped, nothing is closed. */
  | 'blackhole'
  /** Subscriber connections are closed (both sides) as soon as they are, or try to become, one. */
  | 'cut';

export interface RedisProxy {
  url: string;
  connections: ProxiedConnection[];
  /** Applies `mode` to the open connections, and to the ones opened from now on. */
  setMode(mode: ProxyMode): void;
  close(): Promise<void>;
}

export async function redisProxy(upstreamPort: number): Promise<RedisProxy> {
  let mode: ProxyMode = 'forward';
  const connections: ProxiedConnection[] = [];

  const destroy = (c: ProxiedConnection) => {
    c.client.destroy();
    c.upstream.destroy();
    connections.splice(connections.indexOf(c), 1);
  };
  const apply = (c: ProxiedConnection) => {
    if (!c.subscriber) return;
    if (mode === 'cut') destroy(c);
    else if (mode === 'blackhole') c.blackholed = true;
  };

  const server = net.createServer((client) => {
    const upstream = net.connect(upstreamPort, '127.0.0.1');
    const c: ProxiedConnection = { subscriber: false, blackholed: false, client, upstream };
    connections.push(c);
    // The last bytes of the previous chunk, so a command name split across two chunks is still seen.
    let tail = '';
    client.on('data', (chunk: Buffer) => {
      const text = tail + chunk.toString('latin1');
      tail = text.slice(-64);
      c.name ??= SETNAME.exec(text)?.[1];
      if (!c.subscriber && SUBSCRIBE.test(text)) {
        c.subscriber = true;
        apply(c);
      }
      if (!c.blackholed && !client.destroyed) upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (!c.blackholed && !client.destroyed) client.write(chunk);
    });
    const end = () => {
      if (connections.includes(c)) destroy(c);
    };
    for (const socket of [client, upstream]) {
      socket.on('error', end);
      socket.on('close', end);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;

  return {
    url: `redis://127.0.0.1:${port}`,
    connections,
    setMode(next) {
      mode = next;
      for (const c of [...connections]) apply(c);
    },
    async close() {
      for (const c of [...connections]) destroy(c);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
