/**
 * A server-sent events parser (the WHATWG "event stream" rules) over raw bytes.
 * Bytes arrive split anywhere: inside a line, between CR and LF, inside a UTF-8 character.
 */

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
 */
export async function* parseSse(source: ByteSource, options: SseParseOptions = {}): AsyncGenerator<SseEvent> {
  const maxChars = options.maxEventChars ?? DEFAULT_MAX_EVENT_CHARS;
  const decoder = new TextDecoder('utf-8');
  let buffer = '';
  let scanFrom = 0; // the buffer before this index holds no line break
  let pendingCR = false; // the last text ended with CR: a leading LF in the next one belongs to it
  let dataLines: string[] = [];
  let dataChars = 0;
  let eventType = '';
  let lastId: string | null = null;

  const lines: string[] = [];
  const split = (text: string): void => {
    if (pendingCR && text.length > 0) {
      if (text.charCodeAt(0) === 10) text = text.slice(1);
      pendingCR = false;
    }
    buffer += text;
    let start = 0;
    for (let i = scanFrom; i < buffer.length; i++) {
      const c = buffer.charCodeAt(i);
      if (c !== 10 && c !== 13) continue;
      lines.push(buffer.slice(start, i));
      if (c === 13) {
        if (i + 1 < buffer.length) {
          if (buffer.charCodeAt(i + 1) === 10) i++;
        } else {
          pendingCR = true;
        }
      }
      start = i + 1;
    }
    buffer = buffer.slice(start);
    scanFrom = buffer.length;
    if (buffer.length > maxChars) throw new SseParseError('event stream line too long');
  };

  // Returns an event when the line completes one.
  const take = (line: string): SseEvent | null => {
    if (line === '') {
      const event =
        dataLines.length > 0 ? { event: eventType || 'message', data: dataLines.join('\n'), id: lastId } : null;
      dataLines = [];
      dataChars = 0;
      eventType = '';
      return event;
    }
    if (line.charCodeAt(0) === 58 /* ':' */) return null;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.charCodeAt(0) === 32) value = value.slice(1);
    switch (field) {
      case 'data':
        dataLines.push(value);
        dataChars += value.length + 1;
        if (dataChars > maxChars) throw new SseParseError('event stream event too large');
        break;
      case 'event':
        eventType = value;
        break;
      case 'id':
        if (!value.includes('\0')) lastId = value;
        break;
      default:
        // `retry:` and unknown fields mean nothing to a one-shot client.
        break;
    }
    return null;
  };

  for await (const chunk of bytesOf(source)) {
    split(decoder.decode(chunk, { stream: true }));
    for (const line of lines.splice(0)) {
      const event = take(line);
      if (event) yield event;
    }
  }
  split(decoder.decode());
  for (const line of lines.splice(0)) {
    const event = take(line);
    if (event) yield event;
  }
}
