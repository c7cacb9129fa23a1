/**
 * The Anthropic protocol of the fake provider: POST …/messages (JSON or SSE with named events),
 * under any prefix. Served by startFakeUpstream (fake-upstream.ts).
 */
import { countTokens, echoReply, promptTokensOf, streamPieces, type FakeProtocol, type SseItem } from './fake-upstream-server';

function anthropicErrorType(status: number): string {
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 404) return 'not_found_error';
  if (status === 429) return 'rate_limit_error';
  if (status === 529) return 'overloaded_error';
  if (status >= 500) return 'api_error';
  return 'invalid_request_error';
}

/** An Anthropic-style error body. */
export function anthropicErrorBody(status: number, message: string): Record<string, unknown> {
  return { type: 'error', error: { type: anthropicErrorType(status), message } };
}

/** The SSE items of a well-formed Anthropic message stream that says `text`. */
export function anthropicStreamItems(text: string, opts: { model?: string; inputTokens?: number } = {}): SseItem[] {
  return [
    {
      type: 'message_start',
      message: {
        id: 'msg_fake',
        type: 'message',
        role: 'assistant',
        model: opts.model ?? 'fake-model',
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: opts.inputTokens ?? 1, output_tokens: 1 },
      },
    },
    { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
    { type: 'ping' },
    ...streamPieces(text).map((piece) => ({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: piece } })),
    { type: 'content_block_stop', index: 0 },
    { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: countTokens(text) } },
    { type: 'message_stop' },
  ];
}

export const anthropicProtocol: FakeProtocol = {
  endpoints: ['messages'],
  endpointOf: (path) => (path.endsWith('/messages') ? 'messages' : null),
  errorBody: (_endpoint, status, message) => anthropicErrorBody(status, message),
  // Each event is preceded by its type, as Anthropic's stream does.
  sseText: (item) => `${typeof item.type === 'string' ? `event: ${item.type}\n` : ''}data: ${JSON.stringify(item)}\n\n`,
  answer(req, body, model) {
    const reply = echoReply(body);
    const inputTokens = promptTokensOf(body);
    if (req.stream) return { sse: anthropicStreamItems(reply, { model, inputTokens }) };
    return {
      json: {
        id: 'msg_fake',
        type: 'message',
        role: 'assistant',
        model,
        content: [{ type: 'text', text: reply }],
        stop_reason: 'end_turn',
        stop_sequence: null,
        usage: { input_tokens: inputTokens, output_tokens: countTokens(reply) },
      },
    };
  },
};
