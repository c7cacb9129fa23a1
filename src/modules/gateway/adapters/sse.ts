/**
 * Server-sent events over raw bytes: `eventsource-parser` does the WHATWG "event stream" parsing
 * (lines split anywhere, CR/LF/CRLF, comments, `retry:`); this file adds the byte decoding, the size
 * limit and the async-iterator shape the adapters consume.
 */
import { createParser, type EventSourceMessage } from 'eventsource-parser';

export interface SseEvent {
  /** The `event:` field, or "message" when there was none. */
  event: string;
  /** The `data:` lines of the event joined with "\n". */
  data: string;
  /** The last `id:` seen on the stream, if any. */
  id: string | null;
}

export interface SseParseOptions {
  /** Guards memory against an upstream that never ends a line or an event. */
  maxEventChars?: number;
}

export type ByteSource = AsyncIterable<Uint8Array> | ReadableStream<Uint8Array>;

const DEFAULT_MAX_EVENT_CHARS = 16 * 1024 * 1024;

export class SseParseError extends Error {
  override readonly name = 'SseParseError';
}

async function* bytesOf(source: ByteSource): AsyncGenerator<Uint8Array> {
  if ('getReader' in source) {
    const reader = source.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        yield value;
      }
    } finally {
      // Stops the producer when our consumer stops early.
      await reader.cancel().catch(() => undefined);
    }
  } else {
    yield* source;
  }
}

/**
 * Yields one SseEvent per dispatched event. Comments (":" lines) and `retry:` are skipped;
 * an event not ended by a blank line when the stream ends is dropped, as the standard says.
 * More than `maxEventChars` buffered (a line or an event's data) throws SseParseError.
 */
export async function* parseSse(source: ByteSource, options: SseParseOptions = {}): AsyncGenerator<SseEvent> {
  const decoder = new TextDecoder('utf-8');
  const ready: SseEvent[] = [];
  let tooLarge = false;
  // The parser reports an event's own `id:`; the standard's "last event ID" carries over to later events.
  // (An `id:` in a block without data is not reported by the parser, so it does not carry over here.)
  let lastId: string | null = null;
  const parser = createParser({
    maxBufferSize: options.maxEventChars ?? DEFAULT_MAX_EVENT_CHARS,
    onEvent: (message: EventSourceMessage) => {
      if (message.id !== undefined) lastId = message.id;
      ready.push({ event: message.event ?? 'message', data: message.data, id: lastId });
    },
    onError: (error) => {
      // Unknown fields and bad `retry:` values are ignored, as the standard says; only the limit stops.
      if (error.type === 'max-buffer-size-exceeded') tooLarge = true;
    },
  });
  const feed = (text: string): void => {
    if (text === '') return;
    parser.feed(text);
    if (tooLarge) throw new SseParseError('event stream event too large');
  };

  for await (const chunk of bytesOf(source)) {
    feed(decoder.decode(chunk, { stream: true }));
    yield* ready.splice(0);
  }
  feed(decoder.decode());
  yield* ready.splice(0);
}
