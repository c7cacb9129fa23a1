import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { CloseCode, handleProtocols, makeServer, type ServerOptions } from 'graphql-ws';
import type { Logger } from 'pino';
import { WebSocket, type WebSocketServer } from 'ws';

/** What graphql-ws hands the hooks as `ctx.extra`. */
export interface WsExtra {
  readonly socket: WebSocket;
  readonly request: IncomingMessage;
}

const OPCODE_TEXT_FIN = 0x81;

/** One unmasked, final text frame (RFC 6455 §5.2), header and payload in one buffer. */
export function textFrame(text: string): Buffer {
  const length = Buffer.byteLength(text);
  const header = length < 126 ? 2 : length < 65_536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(header + length);
  frame[0] = OPCODE_TEXT_FIN;
  if (header === 2) frame[1] = length;
  else if (header === 4) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeUInt32BE(0, 2); // messages are bounded far below 4 GiB
    frame.writeUInt32BE(length, 6);
  }
  frame.write(text, header, 'utf8');
  return frame;
}

const rawSocketOf = (socket: WebSocket) => (socket as unknown as { _socket?: Socket | null })._socket;

/** True when a message sent now goes out without waiting: the socket is open and its buffer has room. */
export function canSendNow(socket: WebSocket): boolean {
  return socket.readyState === WebSocket.OPEN && !rawSocketOf(socket)?.writableNeedDrain;
}

/**
 * Sends a text message. Returns undefined once the frame is with the socket, or a promise that
 * settles when the socket has room again (the caller is graphql-ws, which awaits it before that
 * subscription's next message: a slow reader holds back its own messages, not the others').
 *
 * Why not `socket.send(text)`: ws frames a string as a header and the string, corked and written as
 * two chunks (a writev, the string encoded on the way) with a write callback, and graphql-ws's own
 * adapter wraps each call in a promise settled by that callback. With 10,000 subscribers a change is
 * 10,000 sends, and that path cost about twice a single write of one prebuilt buffer (measured:
 * 10,000 sends, `ws.send` 120–270 ms, one write each 95–160 ms). Writing to the underlying socket
 * is what ws's sender does itself; it is only equivalent when no extension is negotiated (no
 * permessage-deflate: the server does not offer it), because then ws never holds frames back, so
 * this write cannot overtake a ping or a close frame ws queued.
 */
export function sendText(socket: WebSocket, text: string): Promise<void> | undefined {
  if (socket.readyState !== WebSocket.OPEN) return undefined;
  const raw = rawSocketOf(socket);
  if (!raw || socket.extensions !== '') {
    return new Promise((resolve, reject) => socket.send(text, (err) => (err ? reject(err) : resolve())));
  }
  if (raw.write(textFrame(text))) return undefined;
  return new Promise((resolve) => {
    const done = () => {
      raw.off('drain', done);
      raw.off('close', done);
      resolve();
    };
    raw.on('drain', done);
    raw.on('close', done);
  });
}

/**
 * graphql-ws served on a `ws` server: what graphql-ws's `useServer` (graphql-ws/use/ws) does — the
 * subprotocol check, a ping every `keepAliveMs` and termination of a peer that does not answer it —
 * with messages sent by `sendText`, and internal errors logged to the service's logger.
 */
export function serveGraphqlWs<P extends Record<PropertyKey, unknown> | undefined>(
  options: ServerOptions<P, WsExtra>,
  wss: WebSocketServer,
  log: Logger,
  keepAliveMs = 12_000,
): { dispose(): Promise<void> } {
  const server = makeServer<P, WsExtra>(options);
  wss.options.handleProtocols = handleProtocols;
  const internalError = (socket: WebSocket, err: unknown, what: string) => {
    log.error({ err }, what);
    socket.close(CloseCode.InternalServerError, 'Internal server error');
  };
  wss.on('error', (err) => {
    log.error({ err }, 'websocket server error');
    for (const client of wss.clients) client.close(CloseCode.InternalServerError, 'Internal server error');
  });
  wss.on('connection', (socket, request) => {
    socket.once('error', (err) => internalError(socket, err, 'websocket error'));
    let pongWait: NodeJS.Timeout | undefined;
    const pinger =
      keepAliveMs > 0 && Number.isFinite(keepAliveMs)
        ? setInterval(() => {
            if (socket.readyState !== WebSocket.OPEN) return;
            pongWait = setTimeout(() => socket.terminate(), keepAliveMs);
            socket.once('pong', () => {
              clearTimeout(pongWait);
              pongWait = undefined;
            });
            socket.ping();
          }, keepAliveMs)
        : undefined;
    const closed = server.opened(
      {
        protocol: socket.protocol,
        send: (data) => sendText(socket, data),
        close: (code, reason) => socket.close(code, reason),
        onMessage: (cb) =>
          socket.on('message', (data: Buffer) => {
            cb(data.toString('utf8')).catch((err: unknown) => internalError(socket, err, 'websocket message handling failed'));
          }),
      },
      { socket, request },
    );
    socket.once('close', (code, reason) => {
      clearTimeout(pongWait);
      clearInterval(pinger);
      void closed(code, reason.toString('utf8'));
    });
  });
  return {
    async dispose() {
      for (const client of wss.clients) client.close(1001, 'Going away');
      wss.removeAllListeners();
      await new Promise<void>((resolve, reject) => wss.close((err) => (err ? reject(err) : resolve())));
    },
  };
}
