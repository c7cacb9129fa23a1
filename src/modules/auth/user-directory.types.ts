import { ArgsType, Field, ObjectType } from 'type-graphql';
import { PageArgs } from '../shared/page-args';
import { PageInfo } from '../activation/activation.types';
import { UserType } from './auth.types';

@ArgsType()
export class UsersArgs extends PageArgs {}

@ObjectType('UserEdge', { simpleResolvers: true, description: 'A user and its cursor.' })
export class UserEdgeType {
  @Field({ description: 'Pass as `after` to continue after this user.' })
  cursor: string;

  @Field(() => UserType, { description: 'The user.' })
  node: unknown;
}

@ObjectType('UserConnection', { simpleResolvers: true, description: 'A page of users, by name.' })
export class UserConnectionType {
  @Field(() => [UserEdgeType], { description: 'The users of this page.' })
  edges: UserEdgeType[];

  @Field(() => PageInfo, { description: 'Whether there is more.' })
  pageInfo: PageInfo;
}
