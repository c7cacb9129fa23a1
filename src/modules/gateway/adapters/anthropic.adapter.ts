/**
 * The Anthropic Messages protocol: POST {baseUrl}/messages with "x-api-key" and
 * "anthropic-version". Text only: chat, code and content.
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

export const ANTHROPIC_VERSION = '2023-06-01';
/** Anthropic requires max_tokens; this is the answer length when the caller sets none. */
export const DEFAULT_MAX_TOKENS = 1024;

const SUPPORTED: ReadonlySet<AdapterCapability> = new Set(['CHAT', 'CODE', 'CONTENT']);

/**
 * Anthropic's input_tokens leaves out prompt-cache reads and writes; they are still prompt
 * tokens the caller paid for, so they are added in.
 */
function promptTokens(usage: Record<string, unknown>): number | null {
  const input = tokenCount(usage.input_tokens);
  if (input === null) return null;
  return input + (tokenCount(usage.cache_creation_input_tokens) ?? 0) + (tokenCount(usage.cache_read_input_tokens) ?? 0);
}

export function anthropicUsage(raw: unknown): TokenUsage | null {
  if (!isRecord(raw)) return null;
  const prompt = promptTokens(raw);
  const completion = tokenCount(raw.output_tokens);
  if (prompt === null || completion === null) return null;
  return { promptTokens: prompt, completionTokens: completion, totalTokens: prompt + completion };
}

export class AnthropicAdapter implements ProviderAdapter {
  readonly style = ApiStyle.ANTHROPIC;
  private readonly http: UpstreamHttpClient;

  /** Takes HTTP options (retry policy, fetch) so tests can make retries fast. */
  constructor(http: UpstreamHttpClient | HttpClientOptions = {}) {
    this.http = http instanceof UpstreamHttpClient ? http : new UpstreamHttpClient(http);
  }

  supports(capability: AdapterCapability): boolean {
    return SUPPORTED.has(capability);
  }

  async chat(t: UpstreamTarget, req: ChatRequest): Promise<ChatResult> {
    const json = await this.http.postJson({
      target: t,
      path: '/messages',
      headers: this.headers(t),
      body: this.messagesBody(t, req),
      safety: 'if-unprocessed',
    });
    if (!isRecord(json) || !Array.isArray(json.content)) throw malformed('no content[]');
    let content = '';
    for (const block of json.content) {
      if (!isRecord(block)) throw malformed('content[] item');
      // Only text blocks carry answer text; thinking and tool_use blocks are not relayed.
      if (block.type === 'text') {
        if (typeof block.text !== 'string') throw malformed('text block without text');
        content += block.text;
      }
    }
    return {
      content,
      finishReason: typeof json.stop_reason === 'string' ? json.stop_reason : null,
      usage: anthropicUsage(json.usage),
    };
  }

  async *chatStream(t: UpstreamTarget, req: ChatRequest): AsyncGenerator<ChatStreamEvent> {
    const bytes = this.http.postStream({
      target: t,
      path: '/messages',
      headers: this.headers(t),
      body: { ...this.messagesBody(t, req), stream: true },
      safety: 'if-unprocessed',
    });
    let content = '';
    let finishReason: string | null = null;
    let prompt: number | null = null;
    let completion: number | null = null;
    let stopped = false;
    try {
      for await (const event of parseSse(bytes)) {
        const data = parseEventJson(event.data);
        // The JSON `type` repeats the SSE event name; it is the one the API documents.
        switch (data.type) {
          case 'message_start': {
            const usage = isRecord(data.message) && isRecord(data.message.usage) ? data.message.usage : null;
            if (usage) {
              prompt = promptTokens(usage);
              completion = tokenCount(usage.output_tokens) ?? completion;
            }
            break;
          }
          case 'content_block_delta': {
            const text = isRecord(data.delta) && data.delta.type === 'text_delta' ? data.delta.text : undefined;
            if (typeof text === 'string' && text.length > 0) {
              content += text;
              yield { type: 'delta', delta: text };
            }
            break;
          }
          case 'message_delta': {
            if (isRecord(data.delta) && typeof data.delta.stop_reason === 'string') finishReason = data.delta.stop_reason;
            // Counts here are cumulative, so they replace the ones from message_start.
            if (isRecord(data.usage)) {
              completion = tokenCount(data.usage.output_tokens) ?? completion;
              prompt = promptTokens(data.usage) ?? prompt;
            }
            break;
          }
          case 'message_stop':
            stopped = true;
            break;
          case 'error':
            throw errorFromStreamEvent(data, t.apiKey);
          default:
            // ping, content_block_start/stop, and event types added later.
            break;
        }
        if (stopped) break;
      }
    } catch (err) {
      throw asUpstreamError(err);
    }
    if (!stopped) throw new UpstreamError('PROVIDER_ERROR', 'upstream stream ended early');
    const usage: TokenUsage | null =
      prompt !== null && completion !== null ? { promptTokens: prompt, completionTokens: completion, totalTokens: prompt + completion } : null;
    yield { type: 'done', result: { content, finishReason, usage } };
  }

  async generateImage(_t: UpstreamTarget, _req: ImageRequest): Promise<ImageResult> {
    throw unsupported('image generation');
  }

  async generateSpeech(_t: UpstreamTarget, _req: SpeechRequest): Promise<SpeechResult> {
    throw unsupported('speech generation');
  }

  async embed(_t: UpstreamTarget, _req: EmbedRequest): Promise<EmbedResult> {
    throw unsupported('embeddings');
  }

  private headers(t: UpstreamTarget): Record<string, string> {
    return { 'x-api-key': t.apiKey, 'anthropic-version': ANTHROPIC_VERSION };
  }

  private messagesBody(t: UpstreamTarget, req: ChatRequest): Record<string, unknown> {
    // Anthropic has no "system" role in messages: system text is one top-level field.
    const system = req.messages
      .filter((m) => m.role === 'system')
      .map((m) => m.content)
      .join('\n\n');
    const body: Record<string, unknown> = {
      model: t.modelId,
      max_tokens: req.maxTokens ?? DEFAULT_MAX_TOKENS,
      messages: req.messages.filter((m) => m.role !== 'system').map((m) => ({ role: m.role, content: m.content })),
    };
    if (system) body.system = system;
    if (req.temperature != null) body.temperature = req.temperature;
    return body;
  }
}

function unsupported(what: string): UpstreamError {
  return new UpstreamError('UNSUPPORTED', `the ANTHROPIC protocol has no ${what}`);
}
