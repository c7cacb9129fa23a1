import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import { ForbiddenError, UserInputError } from '../../common/errors';
import { isUuid } from '../../common/ids';
import { Role } from '../../common/role';
import { checkPageSize } from '../shared/page-args';
import type { RequestScope } from '../shared/request-context';
import type { Actor } from './actor';
import { ApiToken } from './api-token.entity';
import { User } from './user.entity';

export interface UserPage {
  users: User[];
  hasNextPage: boolean;
}

/** Users are listed by name (unique): the cursor is the last name of a page, base64url-encoded. */
export function userCursor(name: string): string {
  return Buffer.from(name, 'utf8').toString('base64url');
}

function parseUserCursor(cursor: string): string | undefined {
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(cursor)) return undefined;
  const name = Buffer.from(cursor, 'base64url').toString('utf8');
  return name.length > 0 && userCursor(name) === cursor ? name : undefined;
}

/** Per-request batching of User.apiTokens, keyed by the request's loaders so it lives exactly as long. */
const tokenLoaders = new WeakMap<object, DataLoader<string, ApiToken[]>>();

/**
 * The reads an admin console needs: who the users are and which tokens each one has. The role
 * check of `users` is the resolver's (@Authorized); "your own tokens, or ADMIN for anyone's" is here.
 */
export class UserDirectoryService {
  /** Every user, by name, a page at a time. */
  async list(scope: RequestScope, page: { first: number; after?: string | null }): Promise<UserPage> {
    checkPageSize(page.first);
    let afterName: string | undefined;
    if (page.after != null) {
      afterName = parseUserCursor(page.after);
      if (afterName === undefined) throw new UserInputError('input.cursor', { field: 'after' }, 'after');
    }
    const rows = await scope.em.find(User, afterName === undefined ? {} : { name: { $gt: afterName } }, {
      orderBy: { name: 'asc' },
      limit: page.first + 1,
    });
    return { users: rows.slice(0, page.first), hasNextPage: rows.length > page.first };
  }

  /**
   * A user's tokens (never their secrets), newest first, revoked ones included. Only the user
   * itself and ADMIN may look: anyone else gets FORBIDDEN, not an empty list.
   */
  tokensOf(caller: Actor, scope: RequestScope, userId: string): Promise<ApiToken[]> {
    if (caller.id !== userId && caller.role !== Role.ADMIN) throw new ForbiddenError('auth.notOwnUser');
    let loader = tokenLoaders.get(scope.loaders);
    if (!loader) {
      loader = new DataLoader((ids) => this.tokensOfUsers(scope.em, ids));
      tokenLoaders.set(scope.loaders, loader);
    }
    return loader.load(userId);
  }

  private async tokensOfUsers(em: EntityManager, userIds: readonly string[]): Promise<ApiToken[][]> {
    const valid = userIds.filter(isUuid);
    const rows = valid.length ? await em.find(ApiToken, { userId: { $in: valid } }, { orderBy: { createdAt: 'desc', id: 'asc' } }) : [];
    const byUser = new Map<string, ApiToken[]>(userIds.map((id) => [id, []]));
    for (const row of rows) byUser.get(row.userId)?.push(row);
    return userIds.map((id) => byUser.get(id) ?? []);
  }
}
