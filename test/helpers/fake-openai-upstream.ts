/**
 * The OpenAI protocol of the fake provider: POST …/chat/completions (JSON or SSE), …/images/generations,
 * …/audio/speech and …/embeddings, under any prefix. Served by startFakeUpstream (fake-upstream.ts).
 */
import { createHash } from 'node:crypto';
import { countTokens, echoReply, isObject, promptTokensOf, streamPieces, type FakeProtocol, type SseItem } from './fake-upstream-server';

export const FAKE_EMBEDDING_DIMENSIONS = 8;

/** The vector the fake answers for a text: derived from its SHA-256, in [-1, 1]. */
export function fakeEmbedding(text: string): number[] {
  const digest = createHash('sha256').update(text).digest();
  return Array.from(digest.subarray(0, FAKE_EMBEDDING_DIMENSIONS), (b) => Math.round((b / 255) * 2e6 - 1e6) / 1e6);
}

export const FAKE_SPEECH_MIME: Record<string, string> = {
  mp3: 'audio/mpeg',
  wav: 'audio/wav',
  opus: 'audio/ogg',
  aac: 'audio/aac',
  flac: 'audio/flac',
  pcm: 'audio/pcm',
};

/** The bytes the fake answers for /audio/speech. */
export function fakeSpeechBytes(input: string, format: string): Buffer {
  return Buffer.from(`FAKE-${format.toUpperCase()}-AUDIO:${input}`, 'utf8');
}

/** An OpenAI-style error body. */
export function openAiErrorBody(status: number, message: string): Record<string, unknown> {
  return { error: { message, type: status === 429 ? 'rate_limit_exceeded' : 'invalid_request_error', code: null } };
}

/** The SSE items of a well-formed OpenAI chat stream that says `text`. */
export function openAiStreamItems(text: string, opts: { model?: string; usage?: boolean; promptTokens?: number } = {}): SseItem[] {
  const base = { id: 'chatcmpl-fake', object: 'chat.completion.chunk', created: 1_700_000_000, model: opts.model ?? 'fake-model' };
  const items: SseItem[] = [
    { ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] },
    ...streamPieces(text).map((piece) => ({ ...base, choices: [{ index: 0, delta: { content: piece }, finish_reason: null }] })),
    { ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] },
  ];
  if (opts.usage) {
    const prompt = opts.promptTokens ?? 1;
    const completion = countTokens(text);
    items.push({ ...base, choices: [], usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion } });
  }
  items.push('data: [DONE]\n\n');
  return items;
}

export const openAiProtocol: FakeProtocol = {
  endpoints: ['chat', 'images', 'speech', 'embeddings'],
  endpointOf(path) {
    if (path.endsWith('/chat/completions')) return 'chat';
    if (path.endsWith('/images/generations')) return 'images';
    if (path.endsWith('/audio/speech')) return 'speech';
    if (path.endsWith('/embeddings')) return 'embeddings';
    return null;
  },
  errorBody: (_endpoint, status, message) => openAiErrorBody(status, message),
  sseText: (item) => `data: ${JSON.stringify(item)}\n\n`,
  answer(req, body, model) {
    switch (req.endpoint) {
      case 'chat': {
        const reply = echoReply(body);
        const promptTokens = promptTokensOf(body);
        if (req.stream) {
          const usage = isObject(body.stream_options) && body.stream_options.include_usage === true;
          return { sse: openAiStreamItems(reply, { model, usage, promptTokens }) };
        }
        const completion = countTokens(reply);
        return {
          json: {
            id: 'chatcmpl-fake',
            object: 'chat.completion',
            created: 1_700_000_000,
            model,
            choices: [{ index: 0, message: { role: 'assistant', content: reply }, finish_reason: 'stop' }],
            usage: { prompt_tokens: promptTokens, completion_tokens: completion, total_tokens: promptTokens + completion },
          },
        };
      }
      case 'images': {
        const n = typeof body.n === 'number' ? body.n : 1;
        const prompt = typeof body.prompt === 'string' ? body.prompt : '';
        const b64 = body.response_format === 'b64_json';
        return {
          json: {
            created: 1_700_000_000,
            data: Array.from({ length: n }, (_, i) =>
              b64
                ? { b64_json: Buffer.from(`FAKE-PNG-${i}`).toString('base64'), revised_prompt: prompt }
                : { url: `https://fake-upstream.invalid/images/${i}.png`, revised_prompt: prompt },
            ),
          },
        };
      }
      case 'speech': {
        const format = typeof body.response_format === 'string' ? body.response_format : 'mp3';
        const input = typeof body.input === 'string' ? body.input : '';
        return {
          body: fakeSpeechBytes(input, format),
          headers: { 'content-type': FAKE_SPEECH_MIME[format] ?? 'application/octet-stream' },
        };
      }
      case 'embeddings': {
        const inputs = Array.isArray(body.input) ? body.input.map(String) : [typeof body.input === 'string' ? body.input : ''];
        const tokens = inputs.reduce((sum, text) => sum + countTokens(text), 0);
        return {
          json: {
            object: 'list',
            model,
            data: inputs.map((text, index) => ({ object: 'embedding', index, embedding: fakeEmbedding(text) })),
            usage: { prompt_tokens: tokens, total_tokens: tokens },
          },
        };
      }
      default:
        return { status: 404, json: openAiErrorBody(404, 'not found') };
    }
  },
};
