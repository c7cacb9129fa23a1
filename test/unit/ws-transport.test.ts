import type { Writable } from 'node:stream';
import * as ws from 'ws';
import { textFrame } from '../../src/graphql/ws-transport';

// ws's frame parser; @types/ws does not declare it.
const { Receiver } = ws as unknown as { Receiver: new (options: { isServer: boolean }) => Writable };

/** What a WebSocket client reads from the given bytes (ws's own parser, as a client: frames unmasked). */
function read(frame: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const receiver = new Receiver({ isServer: false });
    receiver.on('message', (data: Buffer, isBinary: boolean) => (isBinary ? reject(new Error('binary frame')) : resolve(data.toString('utf8'))));
    receiver.on('error', reject);
    receiver.write(frame);
  });
}

test.each([
  ['empty', ''],
  ['short', '{"id":"1","type":"next","payload":{"data":{}}}'],
  ['125 bytes (the last 1-byte length)', 'x'.repeat(125)],
  ['126 bytes (the first 2-byte length)', 'x'.repeat(126)],
  ['multi-byte characters, counted in bytes', '{"name":"Mistral – ünïcödé ✓ 模型 🚀"}'.repeat(5)],
  ['65,535 bytes (the last 2-byte length)', 'y'.repeat(65_535)],
  ['65,536 bytes (the first 8-byte length)', 'z'.repeat(65_536)],
])('textFrame: %s reads back exactly', async (_label, text) => {
  expect(await read(textFrame(text))).toBe(text);
});
