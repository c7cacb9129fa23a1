import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { IsOptional } from 'class-validator';
import { Capability } from '../shared/graphql-enums';
import { DistinctList, ModelName, NonEmptyList, NotBlank, TextLength } from '../../common/validators';

@ObjectType('AIModel', { simpleResolvers: true, description: 'A model of a provider, with the capabilities it may be used for.' })
export class AIModelType {
  @Field(() => ID, { description: 'Stable id.' })
  id: string;

  @Field({ description: 'Unique per provider, e.g. "claude-3.5-sonnet"; what services and `model` arguments name.' })
  name: string;

  @Field({ description: 'The provider\'s own id for the model, sent upstream, e.g. "anthropic/claude-3.5-sonnet".' })
  modelId: string;

  @Field({ description: 'Name shown to people.' })
  displayName: string;

  @Field(() => [Capability], { description: 'What the model can do; non-empty, no duplicates.' })
  capabilities: Capability[];
}

@InputType('CreateModelInput', { description: 'A new model of a provider.' })
export class CreateModelInput {
  @Field({ description: 'The provider slug.' })
  provider: string;

  @Field({ description: 'Unique per provider, 1-100 characters without spaces.' })
  @TextLength(1, 100)
  @ModelName()
  name: string;

  @Field({ description: "The provider's own id for the model, 1-200 characters without spaces." })
  @TextLength(1, 200)
  @ModelName()
  modelId: string;

  @Field(() => String, { nullable: true, description: 'Name shown to people; default: `name`.' })
  @IsOptional()
  @TextLength(1, 200)
  @NotBlank()
  displayName?: string | null;

  @Field(() => [Capability], { description: 'Non-empty, no duplicates.' })
  @NonEmptyList()
  @DistinctList()
  capabilities: Capability[];

  @Field(() => Boolean, {
    nullable: true,
    defaultValue: false,
    description: 'true: activated for all its capabilities in the same transaction, exactly as activateModel.',
  })
  active?: boolean | null;
}

@InputType('UpdateModelInput', { description: 'Changes to a model; absent fields stay as they are.' })
export class UpdateModelInput {
  @Field(() => ID, { description: 'The model to change.' })
  id: string;

  @Field(() => String, { nullable: true, description: "New provider's id for the model." })
  @IsOptional()
  @TextLength(1, 200)
  @ModelName()
  modelId?: string | null;

  @Field(() => String, { nullable: true, description: 'New display name.' })
  @IsOptional()
  @TextLength(1, 200)
  @NotBlank()
  displayName?: string | null;

  @Field(() => [Capability], {
    nullable: true,
    description: 'The new capability list; dropping a capability the model holds empties that slot (a change event).',
  })
  @IsOptional()
  @NonEmptyList()
  @DistinctList()
  capabilities?: Capability[] | null;
}
