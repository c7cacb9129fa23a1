/**
 * A fake AI provider over real HTTP, speaking both upstream protocols on one port:
 *   OpenAI    POST …/chat/completions, …/images/generations, …/audio/speech, …/embeddings (fake-openai-upstream.ts)
 *   Anthropic POST …/messages                                                     (fake-anthropic-upstream.ts)
 * under any prefix ("/v1/chat/completions" works as well as "/chat/completions"); the server, the
 * request log and the fault injection are shared (fake-upstream-server.ts).
 *
 * By default it answers like a well-behaved provider (chat echoes the last user message,
 * streams in several chunks, embeddings are deterministic); `respondWith` scripts other answers:
 * errors, delays, malformed bodies, SSE chunks, dropped connections. Every request is recorded.
 *
 *   const upstream = await startFakeUpstream();
 *   upstream.respondWith({ status: 429, headers: { 'retry-after': '0' } });   // the next answer only
 *   upstream.respondWith({ status: 500, times: Infinity });                    // every answer
 *   upstream.requests[0].apiKey                                                // which key was used
 */
import { anthropicErrorBody, anthropicProtocol } from './fake-anthropic-upstream';
import { openAiErrorBody, openAiProtocol } from './fake-openai-upstream';
import { startFakeServer, type FakeEndpoint, type FakeUpstream, type FakeUpstreamOptions } from './fake-upstream-server';

export * from './fake-upstream-server';
export { anthropicStreamItems } from './fake-anthropic-upstream';
export { FAKE_EMBEDDING_DIMENSIONS, FAKE_SPEECH_MIME, fakeEmbedding, fakeSpeechBytes, openAiStreamItems } from './fake-openai-upstream';

/** Both protocols on one port. */
export function startFakeUpstream(options: FakeUpstreamOptions = {}): Promise<FakeUpstream> {
  return startFakeServer([openAiProtocol, anthropicProtocol], options);
}

/** A provider-style error body for the endpoint. */
export function errorBody(endpoint: FakeEndpoint, status: number, message: string): Record<string, unknown> {
  return endpoint === 'messages' ? anthropicErrorBody(status, message) : openAiErrorBody(status, message);
}
