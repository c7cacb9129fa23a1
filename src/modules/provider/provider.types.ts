import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { IsOptional } from 'class-validator';
import { ApiStyle } from '../shared/graphql-enums';
import { ApiKeyText, HttpUrl, IsSlug, NotBlank, TextLength, UnlessEmpty } from '../../common/validators';

@ObjectType('Provider', { simpleResolvers: true, description: 'An AI provider (OpenRouter, OpenAI, Anthropic, ...) and its models.' })
export class ProviderType {
  @Field(() => ID, { description: 'Stable id.' })
  id: string;

  @Field({ description: 'Unique lower-case identifier used in every API call, e.g. "openrouter".' })
  slug: string;

  @Field({ description: 'Human-readable name, e.g. "OpenRouter".' })
  name: string;

  @Field(() => String, { nullable: true, description: 'The base URL of the upstream API, e.g. "https://openrouter.ai/api/v1".' })
  baseUrl: string | null;

  @Field(() => ApiStyle, { description: 'The upstream protocol: OPENAI-compatible or ANTHROPIC messages.' })
  apiStyle: ApiStyle;

  @Field({ description: "Whether users may fall back to the provider's shared API key." })
  sharedApiEnabled: boolean;

  @Field({ description: 'When the provider was registered.' })
  createdAt: Date;
}

@InputType('CreateProviderInput', { description: 'A new provider.' })
export class CreateProviderInput {
  @Field({ description: 'Unique lower-case identifier: letters, digits and single hyphens, 2-40 characters.' })
  @IsSlug()
  slug: string;

  @Field({ description: 'Human-readable name, 1-100 characters.' })
  @TextLength(1, 100)
  @NotBlank()
  name: string;

  @Field(() => String, { nullable: true, description: 'The base URL of the upstream API (http or https).' })
  @IsOptional()
  @HttpUrl()
  @TextLength(1, 2000)
  baseUrl?: string | null;

  @Field(() => String, { nullable: true, description: 'The shared API key; write-only: stored encrypted, never returned.' })
  @IsOptional()
  @TextLength(1, 500)
  @ApiKeyText()
  sharedApiKey?: string | null;

  @Field(() => Boolean, { nullable: true, defaultValue: false, description: 'Whether users may use the shared key.' })
  sharedApiEnabled?: boolean | null;

  @Field(() => ApiStyle, { nullable: true, defaultValue: ApiStyle.OPENAI, description: 'The upstream protocol.' })
  apiStyle?: ApiStyle | null;
}

@InputType('UpdateProviderInput', { description: "Changes to a provider's settings; absent fields stay as they are." })
export class UpdateProviderInput {
  @Field({ description: 'Identifies the provider; not changeable.' })
  slug: string;

  @Field(() => String, { nullable: true, description: 'New name.' })
  @IsOptional()
  @TextLength(1, 100)
  @NotBlank()
  name?: string | null;

  @Field(() => String, { nullable: true, description: 'New base URL; "" removes it.' })
  @IsOptional()
  @UnlessEmpty()
  @HttpUrl()
  @TextLength(1, 2000)
  baseUrl?: string | null;

  @Field(() => ApiStyle, { nullable: true, description: 'New upstream protocol.' })
  apiStyle?: ApiStyle | null;

  @Field(() => String, { nullable: true, description: 'New shared API key; "" removes it. Write-only.' })
  @IsOptional()
  @UnlessEmpty()
  @TextLength(1, 500)
  @ApiKeyText()
  sharedApiKey?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'Whether users may use the shared key.' })
  sharedApiEnabled?: boolean | null;
}
