import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { performance } from 'node:perf_hooks';

/**
 * A minimal WebSocket client for the fan-out bench: the handshake, masked frames out, unmasked
 * frames in, ping → pong, close. Ten thousand of them share the 2 cores with the server, so each
 * incoming chunk costs one timestamp and a header parse, not ws's stream pipeline per message.
 */

const OP_TEXT = 0x1;
const OP_CLOSE = 0x8;
const OP_PING = 0x9;
const OP_PONG = 0xa;

/** A client frame: masked, as RFC 6455 requires of clients. */
export function clientFrame(opcode: number, payload: Buffer): Buffer {
  const length = payload.length;
  const header = length < 126 ? 2 : 4;
  if (length >= 65_536) throw new Error('client frames here are small');
  const frame = Buffer.allocUnsafe(header + 4 + length);
  frame[0] = 0x80 | opcode;
  if (header === 2) frame[1] = 0x80 | length;
  else {
    frame[1] = 0x80 | 126;
    frame.writeUInt16BE(length, 2);
  }
  const mask = randomBytes(4);
  mask.copy(frame, header);
  for (let i = 0; i < length; i++) frame[header + 4 + i] = payload[i] ^ mask[i & 3];
  return frame;
}

export interface RawHandlers {
  /** A text message, with the time its chunk was read; `data` is valid only during the call (copy what is kept). */
  text(data: Buffer, at: number): void;
  /** The connection closed (code 1006 when it ended without a close frame). */
  closed(code: number): void;
}

/**
 * Every socket reads into this one buffer (net's `onread`): no stream machinery and no allocation per
 * read. What is kept past the callback is copied (`RawHandlers.text` gets a view valid only during the call).
 */
const READ_BUFFER = Buffer.allocUnsafe(64 * 1024);

export class RawWebSocket {
  private buffer: Buffer = Buffer.alloc(0);
  private upgraded = false;
  private closeCode = 1006;

  private constructor(
    private readonly socket: net.Socket,
    private readonly handlers: RawHandlers,
  ) {}

  /** Connects and completes the handshake for `protocol`. */
  static connect(url: string, protocol: string, handlers: RawHandlers): Promise<RawWebSocket> {
    const { hostname, port, pathname } = new URL(url);
    return new Promise((resolve, reject) => {
      const socket = net.connect({
        host: hostname,
        port: Number(port),
        onread: {
          buffer: READ_BUFFER,
          callback: (bytes) => {
            onChunk(READ_BUFFER.subarray(0, bytes));
            return true;
          },
        },
      });
      socket.setNoDelay(true);
      const ws = new RawWebSocket(socket, handlers);
      socket.once('connect', () =>
        socket.write(
          `GET ${pathname} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
            `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: ${protocol}\r\n\r\n`,
        ),
      );
      const onChunk = (chunk: Buffer) => {
        const at = performance.now();
        if (!ws.upgraded) {
          const all = Buffer.concat([ws.buffer, chunk]);
          const end = all.indexOf('\r\n\r\n');
          if (end < 0) {
            ws.buffer = all;
            return;
          }
          const head = all.subarray(0, end).toString('latin1');
          if (!/^HTTP\/1\.1 101 /.test(head)) {
            socket.destroy();
            return reject(new Error(`handshake refused: ${head.split('\r\n')[0]}`));
          }
          ws.upgraded = true;
          ws.buffer = Buffer.alloc(0);
          resolve(ws);
          chunk = all.subarray(end + 4);
          if (!chunk.length) return;
        }
        ws.read(chunk, at);
      };
      socket.on('error', (e) => (ws.upgraded ? undefined : reject(e)));
      socket.on('close', () => handlers.closed(ws.closeCode));
    });
  }

  send(text: string): void {
    this.socket.write(clientFrame(OP_TEXT, Buffer.from(text)));
  }

  /** Sends a close frame; the socket is destroyed after `timeoutMs` if the server has not closed it. */
  close(code = 1000, timeoutMs = 2000): Promise<void> {
    if (this.socket.destroyed) return Promise.resolve();
    return new Promise((resolve) => {
      this.socket.once('close', () => resolve());
      const payload = Buffer.allocUnsafe(2);
      payload.writeUInt16BE(code, 0);
      this.socket.write(clientFrame(OP_CLOSE, payload));
      setTimeout(() => this.socket.destroy(), timeoutMs).unref();
    });
  }

  private read(chunk: Buffer, at: number): void {
    let data = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    for (;;) {
      if (data.length < 2) break;
      const opcode = data[0] & 0x0f;
      let length = data[1] & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (data.length < 4) break;
        length = data.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (data.length < 10) break;
        length = data.readUInt32BE(6);
        offset = 10;
      }
      if (data.length < offset + length) break;
      const payload = data.subarray(offset, offset + length);
      data = data.subarray(offset + length);
      if (opcode === OP_TEXT) this.handlers.text(payload, at);
      else if (opcode === OP_PING) this.socket.write(clientFrame(OP_PONG, payload));
      else if (opcode === OP_CLOSE) {
        this.closeCode = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
        this.socket.end();
      }
    }
    this.buffer = data.length ? Buffer.from(data) : Buffer.alloc(0);
  }
}
