import { Field, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { IsOptional } from 'class-validator';
import { ApiKeyText } from '../../common/validators';
import { Capability } from '../shared/graphql-enums';
import { AIModelType } from '../model/ai-model.types';
import type { AIModel } from '../model/ai-model.entity';
import { ProviderType } from '../provider/provider.types';
import type { Provider } from '../provider/provider.entity';
import { KeySource } from './key-source';

registerEnumType(KeySource, {
  name: 'KeySource',
  description: "Which key a call uses: the caller's PERSONAL key or the provider's SHARED key.",
});

export { KeySource };

@ObjectType('PersonalApiKey', {
  simpleResolvers: true,
  description: "A user's own API key for a provider. The key itself is write-only: only its hint is shown.",
})
export class PersonalApiKeyType {
  @Field({ description: 'The last four characters of the key, e.g. "…a1b2".' })
  keyHint: string;

  @Field({ description: "The owner prefers the provider's shared key; the personal key stays stored." })
  useSharedApi: boolean;

  @Field({ description: 'When the key or the preference last changed.' })
  updatedAt: Date;
}

@ObjectType('ModelResolution', { simpleResolvers: true, description: 'What a generation call by the viewer would use right now, and why.' })
export class ModelResolutionType {
  @Field(() => ProviderType, { description: 'The provider.' })
  provider: Provider;

  @Field(() => Capability, { description: 'The capability asked for.' })
  capability: Capability;

  @Field(() => AIModelType, { description: 'The model the call would use.' })
  model: AIModel;

  @Field(() => KeySource, { description: 'Which key the call would use.' })
  keySource: KeySource;

  @Field({ description: 'The last four characters of that key.' })
  keyHint: string;

  @Field({ description: "Why this model and this key, in the caller's language." })
  explanation: string;
}

@InputType('SetPersonalApiKeyInput', { description: "Sets the caller's own key for a provider, or only its preference." })
export class SetPersonalApiKeyInput {
  @Field({ description: 'The provider slug.' })
  provider: string;

  @Field(() => String, {
    nullable: true,
    description:
      'The key, 8-1000 visible ASCII characters; write-only (stored encrypted, never returned). Absent: keep the stored key and change only useSharedApi.',
  })
  @IsOptional()
  @ApiKeyText()
  apiKey?: string | null;

  @Field(() => Boolean, {
    nullable: true,
    defaultValue: false,
    description: "true: use the provider's shared key instead of this one (it stays stored).",
  })
  useSharedApi?: boolean | null;
}
