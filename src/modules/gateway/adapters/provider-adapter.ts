/**
 * The contract between the gateway service and the upstream AI providers.
 * One adapter per wire protocol (Provider.apiStyle); adapters are stateless, so the
 * target (base URL, key, model, timeout) travels with every call.
 */

import type { ApiStyle } from '../../../common/api-style';

export type { ApiStyle };

/** The capabilities an adapter can be asked about; the same names as the GraphQL Capability enum. */
export type AdapterCapability = 'CHAT' | 'CODE' | 'CONTENT' | 'IMAGE' | 'AUDIO' | 'EMBEDDING';

export type ChatMessage = { role: 'system' | 'user' | 'assistant'; content: string };

export interface UpstreamTarget {
  /** e.g. "https://api.openai.com/v1"; the adapter appends the endpoint path. */
  baseUrl: string;
  /** The resolved key (personal or shared). Never logged, never put in an error message. */
  apiKey: string;
  /** The upstream's own model id (AIModel.modelId, never the row id). */
  modelId: string;
  /** The whole call, retries included; for streams, the longest silence between two chunks. */
  timeoutMs: number;
  /** Aborts the call, e.g. when a subscriber goes away. */
  signal?: AbortSignal;
}

export interface TokenUsage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
}

export interface ChatRequest {
  messages: ChatMessage[];
  temperature?: number | null;
  maxTokens?: number | null;
}

export interface ChatResult {
  content: string;
  finishReason: string | null;
  usage: TokenUsage | null;
}

/** A stream is zero or more deltas followed by exactly one 'done' (or a thrown UpstreamError). */
export type ChatStreamEvent = { type: 'delta'; delta: string } | { type: 'done'; result: ChatResult };

export interface ImageRequest {
  prompt: string;
  size?: string | null;
  n?: number | null;
}

export interface ImageResult {
  images: { url: string | null; b64Json: string | null; revisedPrompt: string | null }[];
}

export interface SpeechRequest {
  text: string;
  voice?: string | null;
  format?: string | null;
}

export interface SpeechResult {
  audioBase64: string;
  mimeType: string;
}

export interface EmbedRequest {
  input: string[];
}

export interface EmbedResult {
  /** One vector per input, in input order. */
  vectors: number[][];
  usage: TokenUsage | null;
}

/**
 * Speaks one upstream protocol. Every failure is an UpstreamError (see upstream-error.ts),
 * so the service maps errors without knowing the protocol.
 */
export interface ProviderAdapter {
  readonly style: ApiStyle;
  supports(capability: AdapterCapability): boolean;
  chat(t: UpstreamTarget, req: ChatRequest): Promise<ChatResult>;
  chatStream(t: UpstreamTarget, req: ChatRequest): AsyncIterable<ChatStreamEvent>;
  generateImage(t: UpstreamTarget, req: ImageRequest): Promise<ImageResult>;
  generateSpeech(t: UpstreamTarget, req: SpeechRequest): Promise<SpeechResult>;
  embed(t: UpstreamTarget, req: EmbedRequest): Promise<EmbedResult>;
}
