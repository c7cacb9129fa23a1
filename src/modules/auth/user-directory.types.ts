import { ArgsType } from 'type-graphql';
import { PageArgs } from '../shared/page-args';
import { connectionType } from '../shared/connection.types';
import { UserType } from './auth.types';

@ArgsType()
export class UsersArgs extends PageArgs {}

export const UserConnectionType = connectionType<unknown>(UserType, {
  item: 'user',
  edge: { name: 'UserEdge', description: 'A user and its cursor.' },
  connection: { name: 'UserConnection', description: 'A page of users, by name.', edges: 'The users of this page.' },
});
