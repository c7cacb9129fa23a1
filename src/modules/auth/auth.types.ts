import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { IsOptional } from 'class-validator';
import { Role } from '../shared/graphql-enums';
import { NotBlank, TextLength } from '../../common/validators';

@ObjectType('User', { simpleResolvers: true, description: 'A person or a service that calls the API. Its tokens authenticate it.' })
export class UserType {
  @Field(() => ID, { description: 'Stable id.' })
  id: string;

  @Field({ description: 'Unique name.' })
  name: string;

  @Field(() => Role, { description: 'What the user may do.' })
  role: Role;

  @Field({ description: "May fall back to a provider's shared API key." })
  canUseSharedApi: boolean;

  @Field({ description: 'When the user was created.' })
  createdAt: Date;
}

@ObjectType('ApiToken', { simpleResolvers: true, description: 'A bearer token; its secret is shown once, at creation.' })
export class ApiTokenType {
  @Field(() => ID, { description: 'Stable id (not the secret).' })
  id: string;

  @Field({ description: 'What the token is for.' })
  name: string;

  @Field({ description: 'When it was created.' })
  createdAt: Date;

  @Field(() => Date, { nullable: true, description: 'When it was last used (to the minute).' })
  lastUsedAt: Date | null;

  @Field(() => Date, { nullable: true, description: 'When it was revoked; a revoked token no longer authenticates.' })
  revokedAt: Date | null;
}

@ObjectType('CreatedApiToken', { simpleResolvers: true, description: 'A new token and its secret.' })
export class CreatedApiTokenType {
  @Field({ description: 'The secret: shown once; only its hash is stored.' })
  token: string;

  @Field(() => ApiTokenType, { description: 'The token record.' })
  apiToken: unknown;
}

@InputType('CreateUserInput', { description: 'A new user.' })
export class CreateUserInput {
  @Field({ description: 'Unique name, 1-100 characters.' })
  @TextLength(1, 100)
  @NotBlank()
  name: string;

  @Field(() => Role, { description: 'ADMIN or MEMBER.' })
  role: Role;

  @Field(() => Boolean, { nullable: true, defaultValue: true, description: "May fall back to a provider's shared API key." })
  canUseSharedApi?: boolean | null;
}

@InputType('CreateApiTokenInput', { description: 'A new token.' })
export class CreateApiTokenInput {
  @Field({ description: 'What the token is for, 1-100 characters.' })
  @TextLength(1, 100)
  @NotBlank()
  name: string;

  @Field(() => ID, { nullable: true, description: "Default: the caller; another user's: ADMIN only." })
  @IsOptional()
  userId?: string | null;
}

@InputType('UpdateUserInput', { description: "Changes to a user's role and permissions; absent fields stay as they are. ADMIN only." })
export class UpdateUserInput {
  @Field(() => ID, { description: 'The user to change.' })
  id: string;

  @Field(() => Role, { nullable: true, description: 'The new role. The last ADMIN cannot be made a MEMBER.' })
  role?: Role | null;

  @Field(() => Boolean, { nullable: true, description: "Whether the user may fall back to a provider's shared API key." })
  canUseSharedApi?: boolean | null;
}
