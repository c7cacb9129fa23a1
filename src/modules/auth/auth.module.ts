import type { EntityManager } from '@mikro-orm/postgresql';
import type { TransactionRunner } from '../../db/transaction';
import { ApiTokenResolver, AuthResolver } from './auth.resolver';
import { AuthenticationService, type AuthenticationOptions } from './authentication.service';
import { UserService } from './user.service';
import { UserDirectoryResolver, UserTokensResolver } from './user-directory.resolver';
import { UserDirectoryService } from './user-directory.service';
import type { AuditService } from '../audit/audit.service';

export interface AuthServices {
  authentication: AuthenticationService;
  users: UserService;
  /** The users list and each user's tokens (the admin console's reads). */
  directory: UserDirectoryService;
}

/** Authentication (token → Actor, with its cache), users, roles and tokens. */
export function createAuthModule(deps: {
  rootEm: EntityManager;
  transactions: TransactionRunner;
  audit: AuditService;
  options?: AuthenticationOptions;
}) {
  const authentication = new AuthenticationService(deps.rootEm, deps.options);
  deps.transactions.onCommit(authentication.forgetCommitted);
  const services: AuthServices = {
    authentication,
    users: new UserService(deps.transactions, deps.audit),
    directory: new UserDirectoryService(),
  };
  return { services, resolvers: authResolvers(services) };
}

export function authResolvers(s: AuthServices): object[] {
  return [new AuthResolver(s.users), new ApiTokenResolver(), new UserDirectoryResolver(s.directory), new UserTokensResolver(s.directory)];
}
