/**
 * The OpenAI wire protocol, also spoken by OpenRouter, Groq, Together, vLLM, Ollama and others:
 * POST {baseUrl}/chat/completions, /images/generations, /audio/speech, /embeddings
 * with "Authorization: Bearer <key>".
 */
import { ApiStyle } from '../../../common/api-style';
import { HttpClientOptions, UpstreamHttpClient } from './http';
import { isRecord } from '../../../common/is-record';
import { asUpstreamError, malformed, parseEventJson, tokenCount } from './upstream-json';
import type {
  AdapterCapability,
  ChatRequest,
  ChatResult,
  ChatStreamEvent,
  EmbedRequest,
  EmbedResult,
  ImageRequest,
  ImageResult,
  ProviderAdapter,
  SpeechRequest,
  SpeechResult,
  TokenUsage,
  UpstreamTarget,
} from './provider-adapter';
import { parseSse } from './sse';
import { UpstreamError, errorFromStreamEvent } from './upstream-error';

/** Audio formats of /audio/speech and their media types, for upstreams that answer without one. */
export const SPEECH_MIME_TYPES: Readonly<Record<string, string>> = {
  mp3: 'audio/mpeg',
  wav: 'audio/wav',
  opus: 'audio/ogg',
  aac: 'audio/aac',
  flac: 'audio/flac',
  pcm: 'audio/pcm',
};

const DEFAULT_VOICE = 'alloy';
const DEFAULT_SPEECH_FORMAT = 'mp3';

/** Maps OpenAI's usage object; null when absent or unreadable (usage is informative, not required). */
export function openAiUsage(raw: unknown): TokenUsage | null {
  if (!isRecord(raw)) return null;
  const prompt = tokenCount(raw.prompt_tokens);
  const completion = tokenCount(raw.completion_tokens) ?? 0;
  if (prompt === null) return null;
  return { promptTokens: prompt, completionTokens: completion, totalTokens: tokenCount(raw.total_tokens) ?? prompt + completion };
}

export class OpenAiAdapter implements ProviderAdapter {
  readonly style = ApiStyle.OPENAI;
  private readonly http: UpstreamHttpClient;

  /** Takes HTTP options (retry policy, fetch) so tests can make retries fast. */
  constructor(http: UpstreamHttpClient | HttpClientOptions = {}) {
    this.http = http instanceof UpstreamHttpClient ? http : new UpstreamHttpClient(http);
  }

  supports(_capability: AdapterCapability): boolean {
    return true;
  }

  async chat(t: UpstreamTarget, req: ChatRequest): Promise<ChatResult> {
    const json = await this.http.postJson({
      target: t,
      path: '/chat/completions',
      headers: this.headers(t),
      body: this.chatBody(t, req),
      safety: 'if-unprocessed',
    });
    if (!isRecord(json) || !Array.isArray(json.choices)) throw malformed('no choices[]');
    const choice: unknown = json.choices[0];
    if (!isRecord(choice) || !isRecord(choice.message)) throw malformed('no choices[0].message');
    const content = choice.message.content;
    // null content is legal (e.g. a refusal or tool call); the gateway only relays text.
    if (content !== null && content !== undefined && typeof content !== 'string') throw malformed('message.content');
    return {
      content: content ?? '',
      finishReason: typeof choice.finish_reason === 'string' ? choice.finish_reason : null,
      usage: openAiUsage(json.usage),
    };
  }

  async *chatStream(t: UpstreamTarget, req: ChatRequest): AsyncGenerator<ChatStreamEvent> {
    const bytes = this.http.postStream({
      target: t,
      path: '/chat/completions',
      headers: this.headers(t),
      body: { ...this.chatBody(t, req), stream: true, stream_options: { include_usage: true } },
      safety: 'if-unprocessed',
    });
    let content = '';
    let finishReason: string | null = null;
    let usage: TokenUsage | null = null;
    let sawDone = false;
    try {
      for await (const event of parseSse(bytes)) {
        if (event.data === '[DONE]') {
          sawDone = true;
          break;
        }
        const chunk = parseEventJson(event.data);
        if (chunk.error !== undefined) throw errorFromStreamEvent(chunk, t.apiKey);
        // The usage chunk (stream_options.include_usage) comes last, with empty choices.
        const chunkUsage = openAiUsage(chunk.usage);
        if (chunkUsage) usage = chunkUsage;
        const choice: unknown = Array.isArray(chunk.choices) ? (chunk.choices as unknown[])[0] : undefined;
        if (!isRecord(choice)) continue;
        if (typeof choice.finish_reason === 'string') finishReason = choice.finish_reason;
        const delta = isRecord(choice.delta) ? choice.delta.content : undefined;
        if (typeof delta === 'string' && delta.length > 0) {
          content += delta;
          yield { type: 'delta', delta };
        }
      }
    } catch (err) {
      throw asUpstreamError(err);
    }
    // Without [DONE] or a finish reason the answer may be cut short: do not pass it off as complete.
    if (!sawDone && finishReason === null) throw new UpstreamError('PROVIDER_ERROR', 'upstream stream ended early');
    yield { type: 'done', result: { content, finishReason, usage } };
  }

  async generateImage(t: UpstreamTarget, req: ImageRequest): Promise<ImageResult> {
    const body: Record<string, unknown> = { model: t.modelId, prompt: req.prompt };
    if (req.size != null) body.size = req.size;
    if (req.n != null) body.n = req.n;
    const json = await this.http.postJson({
      target: t,
      path: '/images/generations',
      headers: this.headers(t),
      body,
      safety: 'if-unprocessed',
    });
    if (!isRecord(json) || !Array.isArray(json.data)) throw malformed('no data[]');
    const images = json.data.map((item: unknown) => {
      if (!isRecord(item)) throw malformed('data[] item');
      const image = {
        url: typeof item.url === 'string' ? item.url : null,
        b64Json: typeof item.b64_json === 'string' ? item.b64_json : null,
        revisedPrompt: typeof item.revised_prompt === 'string' ? item.revised_prompt : null,
      };
      if (image.url === null && image.b64Json === null) throw malformed('image without url or b64_json');
      return image;
    });
    return { images };
  }

  async generateSpeech(t: UpstreamTarget, req: SpeechRequest): Promise<SpeechResult> {
    const format = req.format ?? DEFAULT_SPEECH_FORMAT;
    const { bytes, contentType } = await this.http.postBinary({
      target: t,
      path: '/audio/speech',
      headers: this.headers(t),
      body: { model: t.modelId, input: req.text, voice: req.voice ?? DEFAULT_VOICE, response_format: format },
      safety: 'if-unprocessed',
    });
    const mediaType = contentType?.split(';')[0].trim().toLowerCase() ?? '';
    // A JSON or text 200 is an error page or a misrouted endpoint, not audio.
    if (mediaType.startsWith('application/json') || mediaType.startsWith('text/')) throw malformed('not audio');
    if (bytes.byteLength === 0) throw malformed('empty audio');
    const mimeType = mediaType.startsWith('audio/') ? mediaType : (SPEECH_MIME_TYPES[format.toLowerCase()] ?? 'application/octet-stream');
    return { audioBase64: Buffer.from(bytes).toString('base64'), mimeType };
  }

  async embed(t: UpstreamTarget, req: EmbedRequest): Promise<EmbedResult> {
    const json = await this.http.postJson({
      target: t,
      path: '/embeddings',
      headers: this.headers(t),
      body: { model: t.modelId, input: req.input },
      // Pure function of the input, nothing created upstream: any transient failure may be repeated.
      safety: 'idempotent',
    });
    if (!isRecord(json) || !Array.isArray(json.data)) throw malformed('no data[]');
    const rows = json.data.map((item: unknown, position: number) => {
      if (!isRecord(item) || !Array.isArray(item.embedding)) throw malformed('data[].embedding');
      const vector = item.embedding as unknown[];
      if (!vector.every((x) => typeof x === 'number')) throw malformed('data[].embedding is not numeric');
      return { index: typeof item.index === 'number' ? item.index : position, vector: vector };
    });
    if (rows.length !== req.input.length) throw malformed(`${rows.length} vectors for ${req.input.length} inputs`);
    rows.sort((a, b) => a.index - b.index);
    return { vectors: rows.map((r) => r.vector), usage: openAiUsage(json.usage) };
  }

  private headers(t: UpstreamTarget): Record<string, string> {
    return { authorization: `Bearer ${t.apiKey}` };
  }

  private chatBody(t: UpstreamTarget, req: ChatRequest): Record<string, unknown> {
    const body: Record<string, unknown> = {
      model: t.modelId,
      messages: req.messages.map((m) => ({ role: m.role, content: m.content })),
    };
    // Absent rather than null: several compatible servers reject explicit nulls.
    if (req.temperature != null) body.temperature = req.temperature;
    if (req.maxTokens != null) body.max_tokens = req.maxTokens;
    return body;
  }
}
