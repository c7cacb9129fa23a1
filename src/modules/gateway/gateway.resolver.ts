import { validate } from 'class-validator';
import {
  Arg,
  Args,
  ArgsType,
  ArgumentValidationError,
  Authorized,
  Ctx,
  Field,
  FieldResolver,
  ID,
  Mutation,
  Query,
  Resolver,
  Root,
  Subscription,
} from 'type-graphql';
import { connectionOf, type Connection } from '../shared/connection.types';
import { PageArgs } from '../shared/page-args';
import { actorOf, type RequestContext } from '../shared/request-context';
import { UserType } from '../auth/auth.types';
import type { User } from '../auth/user.entity';
import { AIModelType } from '../model/ai-model.types';
import type { AIModel } from '../model/ai-model.entity';
import { ProviderType } from '../provider/provider.types';
import type { Provider } from '../provider/provider.entity';
import type { TokenUsage } from './adapters';
import type {
  ChatChunkView,
  ChatStreamPayload,
  EmbeddingsView,
  GatewayService,
  GenerationView,
  ImageGenerationView,
  SpeechGenerationView,
} from './gateway.service';
import {
  ChatChunkType,
  ChatInput,
  ChatMessageInput,
  ContentInput,
  EmbedInput,
  EmbeddingsType,
  GenerationType,
  ImageGenerationType,
  ImageInput,
  SpeechGenerationType,
  SpeechInput,
  TokenUsageType,
  UsageRecordConnection,
  UsageRecordType,
} from './gateway.types';
import type { UsageRecord } from './usage-record.entity';
import { usageCursor, type UsageService } from './usage.service';

@ArgsType()
class UsageArgs extends PageArgs {
  @Field(() => ID, {
    nullable: true,
    description: "Only this user's calls. ADMIN: anyone (default: everyone); MEMBER: itself only (the default).",
  })
  userId?: string | null;

  @Field(() => String, { nullable: true, description: 'Only calls to this provider (slug).' })
  provider?: string | null;
}

@Resolver()
export class GatewayResolver {
  constructor(
    private readonly gateway: GatewayService,
    private readonly usageLedger: UsageService,
  ) {}

  @Authorized()
  @Mutation(() => GenerationType, { description: 'A chat (capability CHAT, or CODE) with the active or the named model of a provider.' })
  chat(
    @Arg('input', { description: 'The provider, the conversation and the options.' }) input: ChatInput,
    @Ctx() ctx: RequestContext,
  ): Promise<GenerationView> {
    return this.gateway.chat(actorOf(ctx), ctx, input);
  }

  @Authorized()
  @Mutation(() => GenerationType, { description: 'Writes content from a prompt (capability CONTENT).' })
  generateContent(
    @Arg('input', { description: 'The provider, the prompt and the options.' }) input: ContentInput,
    @Ctx() ctx: RequestContext,
  ): Promise<GenerationView> {
    return this.gateway.generateContent(actorOf(ctx), ctx, input);
  }

  @Authorized()
  @Mutation(() => ImageGenerationType, { description: 'Generates images from a prompt (capability IMAGE; OPENAI-style providers only).' })
  generateImage(
    @Arg('input', { description: 'The provider, the prompt and the options.' }) input: ImageInput,
    @Ctx() ctx: RequestContext,
  ): Promise<ImageGenerationView> {
    return this.gateway.generateImage(actorOf(ctx), ctx, input);
  }

  @Authorized()
  @Mutation(() => SpeechGenerationType, { description: 'Turns text into speech (capability AUDIO; OPENAI-style providers only).' })
  generateSpeech(
    @Arg('input', { description: 'The provider, the text and the options.' }) input: SpeechInput,
    @Ctx() ctx: RequestContext,
  ): Promise<SpeechGenerationView> {
    return this.gateway.generateSpeech(actorOf(ctx), ctx, input);
  }

  @Authorized()
  @Mutation(() => EmbeddingsType, { description: 'Embeds texts as vectors (capability EMBEDDING; OPENAI-style providers only).' })
  embed(@Arg('input', { description: 'The provider and the texts.' }) input: EmbedInput, @Ctx() ctx: RequestContext): Promise<EmbeddingsView> {
    return this.gateway.embed(actorOf(ctx), ctx, input);
  }

  @Authorized()
  @Query(() => UsageRecordConnection, { description: "Generation calls, newest first. ADMIN: everyone's; MEMBER: its own." })
  async usage(@Args() args: UsageArgs, @Ctx() ctx: RequestContext): Promise<Connection<UsageRecord>> {
    const page = await this.usageLedger.list(actorOf(ctx), ctx, { ...args, first: args.first ?? 20 });
    return connectionOf(page.records, page.hasNextPage, (node) => usageCursor(node.id));
  }
}

/**
 * Subscription arguments are not validated by TypeGraphQL before `subscribe` runs (only before each
 * event is resolved), so the input is checked here, once, with the same decorators and error shape.
 */
async function validChatInput(raw: ChatInput): Promise<ChatInput> {
  const input = Object.assign(new ChatInput(), raw, {
    messages: (raw.messages ?? []).map((m) => Object.assign(new ChatMessageInput(), m)),
  });
  const errors = await validate(input, { skipMissingProperties: true, forbidUnknownValues: false });
  if (errors.length) throw new ArgumentValidationError(errors);
  return input;
}

/** Made per server around its gateway: TypeGraphQL calls `subscribe` without the resolver instance. */
export function createChatStreamResolver(gateway: Pick<GatewayService, 'chatStream'>) {
  @Resolver()
  class ChatStreamResolver {
    @Subscription(() => ChatChunkType, {
      description:
        'The same as chat, streamed: text deltas as the provider sends them, then a final chunk (done: true) with the whole generation. An upstream failure ends the stream with a PROVIDER_* error.',
      subscribe: async ({ args, context }) => {
        const ctx = context as RequestContext;
        return gateway.chatStream(actorOf(ctx), ctx, await validChatInput((args as { input: ChatInput }).input));
      },
    })
    chatStream(
      @Root() payload: ChatStreamPayload,
      @Arg('input', { validate: false, description: 'The provider, the conversation and the options, as for chat.' }) _input: ChatInput,
    ): ChatChunkView {
      if ('error' in payload) throw payload.error;
      return payload;
    }
  }
  return ChatStreamResolver;
}

@Resolver(() => UsageRecordType)
export class UsageRecordResolver {
  @FieldResolver(() => UserType, { description: 'Who made the call.' })
  async user(@Root() record: UsageRecord, @Ctx() ctx: RequestContext): Promise<User> {
    return (await ctx.loaders.userById.load(record.userId))!;
  }

  @FieldResolver(() => ProviderType, { description: 'The provider called.' })
  async provider(@Root() record: UsageRecord, @Ctx() ctx: RequestContext): Promise<Provider> {
    return (await ctx.loaders.providerById.load(record.providerId))!;
  }

  @FieldResolver(() => AIModelType, { description: 'The model used (it may since have been deleted).' })
  async model(@Root() record: UsageRecord, @Ctx() ctx: RequestContext): Promise<AIModel> {
    return (await ctx.loaders.modelById.load(record.aiModelId))!;
  }

  @FieldResolver(() => TokenUsageType, { nullable: true, description: 'Tokens used; null when the provider did not say or the call failed.' })
  usage(@Root() record: UsageRecord): TokenUsage | null {
    const { promptTokens, completionTokens, totalTokens } = record;
    if (promptTokens === null || completionTokens === null || totalTokens === null) return null;
    return { promptTokens, completionTokens, totalTokens };
  }
}
