import { Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { IsOptional } from 'class-validator';
import { Capability } from '../shared/graphql-enums';
import { InRange, MaxItems, NonEmptyList, NotBlank, TextLength } from '../../common/validators';
import { connectionType } from '../shared/connection.types';
import { KeySource } from '../credentials/credentials.types';
import { AIModelType } from '../model/ai-model.types';
import type { AIModel } from '../model/ai-model.entity';
import { AudioFormat, EachLength, EachValid, ImageSize } from './gateway.validators';
import type { TokenUsage } from './adapters';
import type { UsageRecord } from './usage-record.entity';

import { ChatRole, UsageStatus } from './gateway-enums';

export { ChatRole, UsageStatus };

registerEnumType(ChatRole, { name: 'ChatRole', description: 'Who says a chat message.' });
registerEnumType(UsageStatus, { name: 'UsageStatus', description: 'How a generation call ended.' });

/** Prompts and messages: the request body limit (1 MB) is the practical bound. */
const MAX_TEXT = 1_000_000;

// ---------------------------------------------------------------------------------------------
// Results

@ObjectType('TokenUsage', { simpleResolvers: true, description: 'Tokens a call used, as the provider counted them.' })
export class TokenUsageType implements TokenUsage {
  @Field(() => Int, { description: 'Tokens of the input.' })
  promptTokens: number;

  @Field(() => Int, { description: 'Tokens of the output.' })
  completionTokens: number;

  @Field(() => Int, { description: 'Both together.' })
  totalTokens: number;
}

/** What every generation call answers besides its result: its usage record, model and key, and how long it took. */
@ObjectType()
abstract class GenerationResult {
  @Field(() => ID, { description: 'The id of the usage record of this call.' })
  id: string;

  @Field(() => AIModelType, { description: 'The model that answered.' })
  model: AIModel;

  @Field(() => KeySource, { description: 'Which key the call used.' })
  keySource: KeySource;

  @Field(() => Int, { description: 'How long the provider took, in milliseconds.' })
  latencyMs: number;
}

@ObjectType('Generation', { simpleResolvers: true, description: 'The answer of a chat or content call.' })
export class GenerationType extends GenerationResult {
  @Field({ description: 'The text of the answer.' })
  content: string;

  @Field(() => String, { nullable: true, description: 'Why the model stopped, in the provider\'s words (e.g. "stop", "end_turn", "length").' })
  finishReason: string | null;

  @Field(() => TokenUsageType, { nullable: true, description: 'Tokens used; null when the provider did not say.' })
  usage: TokenUsage | null;
}

@ObjectType('GeneratedImage', { simpleResolvers: true, description: 'One generated image: a URL or the image itself, as the provider gave it.' })
export class GeneratedImageType {
  @Field(() => String, { nullable: true, description: 'Where the image can be fetched (for a limited time, with most providers).' })
  url: string | null;

  @Field(() => String, { nullable: true, description: 'The image itself, base64-encoded.' })
  b64Json: string | null;

  @Field(() => String, { nullable: true, description: 'The prompt as the provider rewrote it, if it did.' })
  revisedPrompt: string | null;
}

@ObjectType('ImageGeneration', { simpleResolvers: true, description: 'The answer of an image call.' })
export class ImageGenerationType extends GenerationResult {
  @Field(() => [GeneratedImageType], { description: 'The images, as many as asked for (n).' })
  images: GeneratedImageType[];
}

@ObjectType('SpeechGeneration', { simpleResolvers: true, description: 'The answer of a speech call.' })
export class SpeechGenerationType extends GenerationResult {
  @Field({ description: 'The audio, base64-encoded.' })
  audioBase64: string;

  @Field({ description: 'Its media type, e.g. "audio/mpeg".' })
  mimeType: string;
}

@ObjectType('Embeddings', { simpleResolvers: true, description: 'The answer of an embedding call.' })
export class EmbeddingsType extends GenerationResult {
  @Field(() => [[Float]], { description: 'One vector per input, in input order.' })
  vectors: number[][];

  @Field(() => TokenUsageType, { nullable: true, description: 'Tokens used; null when the provider did not say.' })
  usage: TokenUsage | null;
}

@ObjectType('ChatChunk', {
  simpleResolvers: true,
  description: 'One event of chatStream: a piece of text, or the final chunk with the whole generation.',
})
export class ChatChunkType {
  @Field({ description: 'The next piece of text; empty on the final chunk.' })
  delta: string;

  @Field({ description: 'true on the final chunk.' })
  done: boolean;

  @Field(() => GenerationType, { nullable: true, description: 'The whole answer and its usage record id; set on the final chunk only.' })
  generation: GenerationType | null;
}

@ObjectType('UsageRecord', {
  simpleResolvers: true,
  description: 'One generation call: who, which model, which key source, what it cost, how it ended.',
})
export class UsageRecordType implements Partial<UsageRecord> {
  @Field(() => ID, { description: 'Stable id; also the id of the Generation the call returned.' })
  id: string;

  @Field(() => Capability, { description: 'The capability the call used.' })
  capability: Capability;

  @Field(() => KeySource, { description: 'Which key the call used.' })
  keySource: KeySource;

  @Field(() => UsageStatus, { description: 'How the call ended.' })
  status: UsageStatus;

  @Field(() => String, {
    nullable: true,
    description: 'The error code the caller got (e.g. PROVIDER_RATE_LIMITED, CANCELLED for an abandoned stream); null when OK.',
  })
  errorCode: string | null;

  @Field(() => Int, { description: 'How long the provider took, in milliseconds.' })
  latencyMs: number;

  @Field({ description: 'When the call ended.' })
  createdAt: Date;
}

export const UsageRecordConnection = connectionType<UsageRecord>(UsageRecordType, {
  item: 'record',
  edge: { name: 'UsageRecordEdge', description: 'A usage record and its cursor.' },
  connection: { name: 'UsageRecordConnection', description: 'A page of usage records, newest first.', edges: 'The records of this page.' },
});

// ---------------------------------------------------------------------------------------------
// Inputs

@InputType('ChatMessageInput', { description: 'One message of a conversation.' })
export class ChatMessageInput {
  @Field(() => ChatRole, { description: 'Who says it.' })
  role: ChatRole;

  @Field({ description: 'What is said; 1 character or more.' })
  @TextLength(1, MAX_TEXT)
  content: string;
}

/** What every generation call names: the provider, and optionally a model other than the active one. */
@InputType()
abstract class GenerationTargetInput {
  @Field({ description: 'The provider slug.' })
  provider: string;

  @Field(() => String, {
    nullable: true,
    description: "An explicit model name (it need not be active, but must have the call's capability); default: the active model.",
  })
  @IsOptional()
  @TextLength(1, 100)
  model?: string | null;
}

@InputType('ChatInput', { description: 'A chat (or code) call.' })
export class ChatInput extends GenerationTargetInput {
  @Field(() => Capability, { nullable: true, defaultValue: Capability.CHAT, description: 'CHAT or CODE: whose active model answers.' })
  capability?: Capability | null;

  @Field(() => [ChatMessageInput], { description: 'The conversation so far, oldest first; at least one message.' })
  @NonEmptyList()
  @MaxItems(1000)
  @EachValid()
  messages: ChatMessageInput[];

  @Field(() => Float, { nullable: true, description: "Sampling temperature, 0-2; default: the provider's." })
  @IsOptional()
  @InRange(0, 2)
  temperature?: number | null;

  @Field(() => Int, { nullable: true, description: "The longest answer, in tokens (1-1000000); default: the provider's (1024 for ANTHROPIC)." })
  @IsOptional()
  @InRange(1, 1_000_000)
  maxTokens?: number | null;
}

@InputType('ContentInput', { description: 'A content call (capability CONTENT): one prompt, an optional system instruction.' })
export class ContentInput extends GenerationTargetInput {
  @Field({ description: 'What to write.' })
  @TextLength(1, MAX_TEXT)
  prompt: string;

  @Field(() => String, { nullable: true, description: 'A system instruction (tone, format, audience).' })
  @IsOptional()
  @TextLength(1, MAX_TEXT)
  system?: string | null;

  @Field(() => Int, { nullable: true, description: "The longest answer, in tokens (1-1000000); default: the provider's." })
  @IsOptional()
  @InRange(1, 1_000_000)
  maxTokens?: number | null;
}

@InputType('ImageInput', { description: 'An image call (capability IMAGE).' })
export class ImageInput extends GenerationTargetInput {
  @Field({ description: 'What to draw.' })
  @TextLength(1, MAX_TEXT)
  prompt: string;

  @Field(() => String, { nullable: true, description: 'WIDTHxHEIGHT, e.g. "1024x1024"; default: the provider\'s.' })
  @IsOptional()
  @ImageSize()
  size?: string | null;

  @Field(() => Int, { nullable: true, defaultValue: 1, description: 'How many images, 1-10.' })
  @IsOptional()
  @InRange(1, 10)
  n?: number | null;
}

@InputType('SpeechInput', { description: 'A text-to-speech call (capability AUDIO).' })
export class SpeechInput extends GenerationTargetInput {
  @Field({ description: 'What to say.' })
  @TextLength(1, MAX_TEXT)
  text: string;

  @Field(() => String, { nullable: true, description: 'The voice, in the provider\'s words (e.g. "alloy"); default: the provider\'s.' })
  @IsOptional()
  @TextLength(1, 100)
  @NotBlank()
  voice?: string | null;

  @Field(() => String, {
    nullable: true,
    defaultValue: 'mp3',
    description: 'The audio format: mp3, opus, aac, flac, wav or pcm (what the provider supports).',
  })
  @IsOptional()
  @AudioFormat()
  format?: string | null;
}

@InputType('EmbedInput', { description: 'An embedding call (capability EMBEDDING).' })
export class EmbedInput extends GenerationTargetInput {
  @Field(() => [String], { description: 'The texts to embed: 1-2048 of them, each non-empty.' })
  @NonEmptyList()
  @MaxItems(2048)
  @EachLength(1, MAX_TEXT)
  input: string[];
}
