import { ChatRole, UsageStatus } from './gateway-enums';
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import type { ApiStyle } from '../../common/api-style';
import { Capability } from '../../common/capability';
import { Role } from '../../common/role';
import { AppError, ErrorCode, ServiceUnavailableError, UserInputError } from '../../common/errors';
import type { Actor } from '../auth/actor';
import type { RequestScope } from '../shared/request-context';
import type { KeySource } from '../credentials/key-source';
import type { KeyResolutionService, Resolution, ResolveData } from '../credentials/key-resolution.service';
import type { AIModel } from '../model/ai-model.entity';
import {
  redactSecret,
  UpstreamError,
  type ChatMessage,
  type ChatResult,
  type ProviderAdapter,
  type TokenUsage,
  type UpstreamTarget,
} from './adapters';
import type { UsageRecord } from './usage-record.entity';
import type { UsageService } from './usage.service';
import { activeSpan, startSpan, withSpan, type SpanRef } from '../../observability/spans';

/** Who is calling and on behalf of which request (for the usage record and the logs). */
interface Caller {
  actor: Actor;
  scope: RequestScope;
}

export interface ChatData {
  provider: string;
  capability?: Capability | null;
  model?: string | null;
  messages: { role: ChatRole; content: string }[];
  temperature?: number | null;
  maxTokens?: number | null;
}

export interface ContentData {
  provider: string;
  model?: string | null;
  prompt: string;
  system?: string | null;
  maxTokens?: number | null;
}

export interface ImageData {
  provider: string;
  model?: string | null;
  prompt: string;
  size?: string | null;
  n?: number | null;
}

export interface SpeechData {
  provider: string;
  model?: string | null;
  text: string;
  voice?: string | null;
  format?: string | null;
}

export interface EmbedData {
  provider: string;
  model?: string | null;
  input: string[];
}

/** What every generation answer carries: its usage record id, the model, the key source, the time. */
interface GenerationBase {
  id: string;
  model: AIModel;
  keySource: KeySource;
  latencyMs: number;
}

export interface GenerationView extends GenerationBase {
  content: string;
  finishReason: string | null;
  usage: TokenUsage | null;
}

export interface ImageGenerationView extends GenerationBase {
  images: { url: string | null; b64Json: string | null; revisedPrompt: string | null }[];
}

export interface SpeechGenerationView extends GenerationBase {
  audioBase64: string;
  mimeType: string;
}

export interface EmbeddingsView extends GenerationBase {
  vectors: number[][];
  usage: TokenUsage | null;
}

export interface ChatChunkView {
  delta: string;
  done: boolean;
  generation: GenerationView | null;
}

/** One event of chatStream: a chunk, or the error that ends the stream (delivered as a GraphQL error). */
export type ChatStreamPayload = ChatChunkView | { error: Error };

export interface GatewayOptions {
  /** The adapter of a protocol (adapters/index.ts `adapterFor`; tests may pass fakes). */
  adapterFor: (style: ApiStyle) => ProviderAdapter;
  /** PROVIDER_TIMEOUT_MS: the whole call, or the longest silence of a stream. */
  timeoutMs: number;
  log: Logger;
}

/** The usage record's error code of a stream the client left before it ended. */
export const CANCELLED = 'CANCELLED';

const CHAT_CAPABILITIES: readonly Capability[] = [Capability.CHAT, Capability.CODE];

function elapsedSince(start: number): number {
  return Math.round(performance.now() - start);
}

/**
 * Generation calls: resolve model and key (KeyResolutionService), call the provider through the
 * adapter of its protocol, map upstream failures to PROVIDER_* codes, and write one usage record per
 * call that got past resolution, OK or not. Keys go to the adapter and nowhere else.
 */
export class GatewayService {
  /** Upstream calls running now, each with the promise that settles once its usage record is written. */
  private readonly inFlight = new Map<AbortController, Promise<unknown>>();
  private shuttingDown = false;

  constructor(
    private readonly resolution: KeyResolutionService,
    private readonly usage: UsageService,
    private readonly options: GatewayOptions,
  ) {}

  /**
   * Shutdown: aborts every upstream call still running. Each gets a usage record (ERROR, errorCode
   * CANCELLED) and its client SERVICE_UNAVAILABLE; resolves once those records are written.
   */
  async abortInFlight(): Promise<number> {
    this.shuttingDown = true;
    const calls = [...this.inFlight];
    for (const [controller] of calls) controller.abort();
    await Promise.allSettled(calls.map(([, done]) => done));
    return calls.length;
  }

  /** Runs `work` as an in-flight call: abortable by abortInFlight, which waits for it to settle. */
  private track<T>(controller: AbortController, work: Promise<T>): Promise<T> {
    const done = work.finally(() => this.inFlight.delete(controller));
    this.inFlight.set(
      controller,
      done.catch(() => undefined),
    );
    return done;
  }

  async chat(actor: Actor, scope: RequestScope, input: ChatData): Promise<GenerationView> {
    const capability = chatCapability(input.capability);
    const request = { messages: input.messages.map(toChatMessage), temperature: input.temperature, maxTokens: input.maxTokens };
    const { result, base } = await this.call(
      { actor, scope },
      { provider: input.provider, capability, model: input.model },
      (a, t) => a.chat(t, request),
      (r) => r.usage,
    );
    return generationView(base, result);
  }

  async generateContent(actor: Actor, scope: RequestScope, input: ContentData): Promise<GenerationView> {
    const messages: ChatMessage[] = [];
    if (input.system) messages.push({ role: 'system', content: input.system });
    messages.push({ role: 'user', content: input.prompt });
    const { result, base } = await this.call(
      { actor, scope },
      { provider: input.provider, capability: Capability.CONTENT, model: input.model },
      (a, t) => a.chat(t, { messages, maxTokens: input.maxTokens }),
      (r) => r.usage,
    );
    return generationView(base, result);
  }

  async generateImage(actor: Actor, scope: RequestScope, input: ImageData): Promise<ImageGenerationView> {
    const { result, base } = await this.call(
      { actor, scope },
      { provider: input.provider, capability: Capability.IMAGE, model: input.model },
      (a, t) => a.generateImage(t, { prompt: input.prompt, size: input.size, n: input.n }),
      () => null,
    );
    return { ...base, images: result.images };
  }

  async generateSpeech(actor: Actor, scope: RequestScope, input: SpeechData): Promise<SpeechGenerationView> {
    const { result, base } = await this.call(
      { actor, scope },
      { provider: input.provider, capability: Capability.AUDIO, model: input.model },
      (a, t) => a.generateSpeech(t, { text: input.text, voice: input.voice, format: input.format }),
      () => null,
    );
    return { ...base, audioBase64: result.audioBase64, mimeType: result.mimeType };
  }

  async embed(actor: Actor, scope: RequestScope, input: EmbedData): Promise<EmbeddingsView> {
    const { result, base } = await this.call(
      { actor, scope },
      { provider: input.provider, capability: Capability.EMBEDDING, model: input.model },
      (a, t) => a.embed(t, { input: input.input }),
      (r) => r.usage,
    );
    return { ...base, vectors: result.vectors, usage: result.usage };
  }

  /**
   * chat, streamed. Resolution errors are thrown here (before the stream starts); after that, every
   * outcome is one usage record: OK, the mapped upstream error (delivered as the stream's last
   * event), or CANCELLED when the client unsubscribes, which also aborts the upstream request.
   */
  async chatStream(actor: Actor, scope: RequestScope, input: ChatData): Promise<AsyncIterableIterator<ChatStreamPayload>> {
    const capability = chatCapability(input.capability);
    const resolution = await this.resolution.resolve(actor, scope, { provider: input.provider, capability, model: input.model });
    const controller = new AbortController();
    const request = { messages: input.messages.map(toChatMessage), temperature: input.temperature, maxTokens: input.maxTokens };
    // Tracked until the stream has written its usage record (its generator's finally).
    let finished!: () => void;
    void this.track(controller, new Promise<void>((resolve) => (finished = resolve)));
    // The stream is read later, outside the operation that opened it: its upstream span hangs under that operation.
    const parent = activeSpan();
    return abortable(
      this.streamChat({ actor, scope }, resolution, request, controller.signal, () => finished(), parent),
      controller,
    );
  }

  private async *streamChat(
    caller: Caller,
    resolution: Resolution,
    request: { messages: ChatMessage[]; temperature?: number | null; maxTokens?: number | null },
    signal: AbortSignal,
    finished: () => void = () => undefined,
    parent?: SpanRef,
  ): AsyncGenerator<ChatStreamPayload> {
    const start = performance.now();
    let recorded = false;
    // Like callTracked's span (provider, model, status; never the key), ended when the upstream stream ends or fails.
    const span = startSpan('upstream call', upstreamAttributes(resolution, true), { parent });
    try {
      const target = this.target(resolution, signal);
      let final: ChatResult | undefined;
      for await (const event of this.adapter(resolution).chatStream(target, request)) {
        if (event.type === 'delta') yield { delta: event.delta, done: false, generation: null };
        else final = event.result;
      }
      if (!final) throw new UpstreamError('PROVIDER_ERROR', 'upstream stream ended without a result');
      span.end({ 'switchboard.upstream.status': 'ok' });
      const latencyMs = elapsedSince(start);
      const record = await this.record(caller, resolution, { status: UsageStatus.OK, usage: final.usage, latencyMs });
      recorded = true;
      yield {
        delta: '',
        done: true,
        generation: generationView({ id: record.id, model: resolution.model, keySource: resolution.keySource, latencyMs }, final),
      };
    } catch (e) {
      if (recorded) throw e;
      const latencyMs = elapsedSince(start);
      if (signal.aborted) {
        span.end({ 'switchboard.upstream.status': 'cancelled' });
        recorded = true;
        await this.recordQuietly(caller, resolution, { status: UsageStatus.ERROR, errorCode: CANCELLED, latencyMs });
        // Cut short by a shutdown, not by the client: it is told to retry (elsewhere).
        if (this.shuttingDown) yield { error: new ServiceUnavailableError('gateway') };
        return;
      }
      // Inside the span, so the failure's log line carries its trace id; the span records the redacted error, never `e`.
      const error = span.within(() => this.failure(caller, e, resolution, latencyMs));
      span.end({ 'switchboard.upstream.status': upstreamStatus(e) }, error);
      recorded = true;
      await this.record(caller, resolution, { status: UsageStatus.ERROR, errorCode: errorCodeOf(error), latencyMs });
      yield { error };
    } finally {
      // The client left while a chunk was being delivered (the span's end is a no-op if it has ended already).
      span.end({ 'switchboard.upstream.status': 'cancelled' });
      if (!recorded)
        await this.recordQuietly(caller, resolution, { status: UsageStatus.ERROR, errorCode: CANCELLED, latencyMs: elapsedSince(start) });
      finished();
    }
  }

  /** Resolve, call, record. Failures after resolution are recorded, then thrown as AppErrors. */
  private async call<T>(
    caller: Caller,
    ask: ResolveData,
    run: (adapter: ProviderAdapter, target: UpstreamTarget) => Promise<T>,
    usageOf: (result: T) => TokenUsage | null,
  ): Promise<{ result: T; base: GenerationBase }> {
    const resolution = await this.resolution.resolve(caller.actor, caller.scope, ask);
    if (this.shuttingDown) throw new ServiceUnavailableError('gateway');
    const controller = new AbortController();
    return this.track(controller, this.callTracked(caller, resolution, run, usageOf, controller.signal));
  }

  private async callTracked<T>(
    caller: Caller,
    resolution: Resolution,
    run: (adapter: ProviderAdapter, target: UpstreamTarget) => Promise<T>,
    usageOf: (result: T) => TokenUsage | null,
    signal: AbortSignal,
  ): Promise<{ result: T; base: GenerationBase }> {
    const start = performance.now();
    let result: T;
    try {
      // provider, model and status on the span; never the key.
      result = await withSpan('upstream call', upstreamAttributes(resolution, false), async (span) => {
        try {
          const answer = await run(this.adapter(resolution), this.target(resolution, signal));
          span.setAttributes({ 'switchboard.upstream.status': 'ok' });
          return answer;
        } catch (e) {
          span.setAttributes({ 'switchboard.upstream.status': upstreamStatus(e) });
          throw e;
        }
      });
    } catch (e) {
      const latencyMs = elapsedSince(start);
      // Aborted by a shutdown: recorded as CANCELLED, the client told to retry.
      const cancelled = signal.aborted && this.shuttingDown;
      const error = cancelled ? new ServiceUnavailableError('gateway') : this.failure(caller, e, resolution, latencyMs);
      await this.record(caller, resolution, {
        status: UsageStatus.ERROR,
        errorCode: cancelled ? CANCELLED : errorCodeOf(error),
        latencyMs,
      }).catch((recordError: unknown) =>
        this.options.log.error({ requestId: caller.scope.requestId, err: recordError }, 'could not write the usage record of a failed call'),
      );
      if (cancelled)
        this.options.log.warn(
          { requestId: caller.scope.requestId, provider: resolution.provider.slug, latencyMs },
          'upstream call aborted by shutdown',
        );
      throw error;
    }
    const latencyMs = elapsedSince(start);
    const record = await this.record(caller, resolution, { status: UsageStatus.OK, usage: usageOf(result), latencyMs });
    return { result, base: { id: record.id, model: resolution.model, keySource: resolution.keySource, latencyMs } };
  }

  private adapter(resolution: Resolution): ProviderAdapter {
    return this.options.adapterFor(resolution.provider.apiStyle);
  }

  private target(resolution: Resolution, signal?: AbortSignal): UpstreamTarget {
    const { provider, model } = resolution;
    if (!provider.baseUrl) throw new AppError(ErrorCode.PROVIDER_ERROR, 'gateway.noBaseUrl', { provider: provider.slug });
    return { baseUrl: provider.baseUrl, apiKey: resolution.key, modelId: model.modelId, timeoutMs: this.options.timeoutMs, signal };
  }

  private record(
    caller: Caller,
    resolution: Resolution,
    outcome: { status: UsageStatus; errorCode?: string; usage?: TokenUsage | null; latencyMs: number },
  ): Promise<UsageRecord> {
    return this.usage.record(caller.scope.em, {
      userId: caller.actor.id,
      providerId: resolution.provider.id,
      aiModelId: resolution.model.id,
      capability: resolution.capability,
      keySource: resolution.keySource,
      ...outcome,
    });
  }

  private async recordQuietly(
    caller: Caller,
    resolution: Resolution,
    outcome: { status: UsageStatus.ERROR; errorCode: string; latencyMs: number },
  ): Promise<void> {
    try {
      await this.record(caller, resolution, outcome);
    } catch (e) {
      this.options.log.error({ requestId: caller.scope.requestId, err: e }, 'could not write the usage record of a cancelled stream');
    }
  }

  /**
   * The error the client sees for a failed upstream call. UpstreamError messages are already
   * redacted by the adapters; they are redacted again here, and anything unexpected is replaced by
   * an error whose message and stack cannot carry the key (it is logged and masked as INTERNAL).
   */
  private failure(caller: Caller, e: unknown, resolution: Resolution, latencyMs: number): Error {
    const { provider, model, capability, key } = resolution;
    const logFields = { requestId: caller.scope.requestId, provider: provider.slug, model: model.name, capability, latencyMs };
    if (e instanceof AppError) return e;
    if (e instanceof UpstreamError) {
      const providerStatus = e.status;
      const extra = providerStatus !== undefined ? { providerStatus } : {};
      const detail = redactSecret(e.message, key);
      this.options.log.warn({ ...logFields, kind: e.kind, providerStatus, detail }, 'upstream call failed');
      switch (e.kind) {
        case 'AUTH_FAILED':
          return new AppError(
            ErrorCode.PROVIDER_AUTH_FAILED,
            'gateway.providerAuthFailed',
            { provider: provider.slug, status: providerStatus ?? '-' },
            extra,
          );
        case 'RATE_LIMITED':
          return new AppError(ErrorCode.PROVIDER_RATE_LIMITED, 'gateway.providerRateLimited', { provider: provider.slug }, extra);
        case 'UNSUPPORTED':
          return new UserInputError(
            'gateway.capabilityUnsupported',
            { provider: provider.slug, style: provider.apiStyle, capability },
            'capability',
          );
        default:
          // The upstream's own words (already in the log above, redacted) are for admins only: they can carry upstream internals.
          if (caller.actor.role !== Role.ADMIN) {
            return new AppError(
              ErrorCode.PROVIDER_ERROR,
              'gateway.providerErrorGeneric',
              { provider: provider.slug, status: providerStatus ?? '-' },
              extra,
            );
          }
          return new AppError(ErrorCode.PROVIDER_ERROR, 'gateway.providerError', { provider: provider.slug, detail }, extra);
      }
    }
    const original = e instanceof Error ? e : new Error(String(e));
    const safe = new Error(redactSecret(original.message, key));
    safe.name = original.name;
    safe.stack = original.stack ? redactSecret(original.stack, key) : undefined;
    return safe;
  }
}

function chatCapability(capability: Capability | null | undefined): Capability {
  const c = capability ?? Capability.CHAT;
  if (!CHAT_CAPABILITIES.includes(c)) throw new UserInputError('gateway.chatCapability', { capability: c }, 'capability');
  return c;
}

function toChatMessage(m: { role: ChatRole; content: string }): ChatMessage {
  return { role: m.role.toLowerCase() as ChatMessage['role'], content: m.content };
}

function generationView(base: GenerationBase, result: ChatResult): GenerationView {
  return { ...base, content: result.content, finishReason: result.finishReason, usage: result.usage };
}

/** What an upstream call's span says of it: provider, model, capability. Never the key. */
function upstreamAttributes(resolution: Resolution, stream: boolean) {
  return {
    'switchboard.provider': resolution.provider.slug,
    'switchboard.model': resolution.model.modelId,
    'switchboard.capability': resolution.capability,
    'switchboard.upstream.stream': stream,
  };
}

/** The upstream's HTTP status, or the kind of failure when there was none. */
function upstreamStatus(e: unknown): string | number {
  return e instanceof UpstreamError ? (e.status ?? e.kind) : 'error';
}

function errorCodeOf(error: Error): string {
  return error instanceof AppError ? error.code : ErrorCode.INTERNAL_SERVER_ERROR;
}

/** An iterator whose return() aborts the upstream call at once, not after its next chunk arrives. */
function abortable<T>(source: AsyncGenerator<T>, controller: AbortController): AsyncIterableIterator<T> {
  return {
    next: () => source.next(),
    return: async (value?: unknown) => {
      controller.abort();
      return source.return(value);
    },
    throw: async (error?: unknown) => {
      controller.abort();
      return source.throw(error);
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
