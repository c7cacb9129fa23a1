/**
 * The provider adapters: `adapterFor(style)` gives the one adapter of a protocol.
 * Adapters hold no per-call state, so one instance per style serves every request.
 */
import { AnthropicAdapter } from './anthropic.adapter';
import { OpenAiAdapter } from './openai.adapter';
import { ApiStyle } from '../../../common/api-style';
import type { ProviderAdapter } from './provider-adapter';
import { UpstreamError } from './upstream-error';

const adapters = new Map<ApiStyle, ProviderAdapter>();

export function adapterFor(style: ApiStyle): ProviderAdapter {
  let adapter = adapters.get(style);
  if (!adapter) {
    switch (style) {
      case ApiStyle.OPENAI:
        adapter = new OpenAiAdapter();
        break;
      case ApiStyle.ANTHROPIC:
        adapter = new AnthropicAdapter();
        break;
      default:
        // A value from the database that the enum no longer has.
        throw new UpstreamError('UNSUPPORTED', `unknown API style ${String(style)}`);
    }
    adapters.set(style, adapter);
  }
  return adapter;
}

export { AnthropicAdapter, ANTHROPIC_VERSION, DEFAULT_MAX_TOKENS } from './anthropic.adapter';
export { OpenAiAdapter, SPEECH_MIME_TYPES } from './openai.adapter';
export { DEFAULT_RETRY_POLICY, UpstreamHttpClient } from './http';
export type { HttpClientOptions, RepeatSafety, RetryPolicy } from './http';
export { parseSse } from './sse';
export type { SseEvent } from './sse';
export { UpstreamError, kindForStatus, redactSecret } from './upstream-error';
export type { UpstreamErrorKind } from './upstream-error';
// Every type of the adapter contract (provider-adapter.ts), without a second list of their names.
export type * from './provider-adapter';
