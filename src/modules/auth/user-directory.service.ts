import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Role } from '../../common/capability';
import { ForbiddenError, UserInputError } from '../../common/errors';
import { isUuid } from '../../common/ids';
import type { RequestContext } from '../../graphql/context';
import { checkPageSize } from '../activation/activation-query.service';
import { ApiToken } from './api-token.entity';
import type { AuthService } from './auth.service';
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

/** The reads an admin console needs: who the users are and which tokens each one has. */
export class UserDirectoryService {
  constructor(private readonly auth: AuthService) {}

  /** Every user, by name, a page at a time. ADMIN only. */
  async list(ctx: RequestContext, page: { first: number; after?: string | null }): Promise<UserPage> {
    this.auth.requireAdmin(ctx, 'users');
    checkPageSize(page.first);
    let afterName: string | undefined;
    if (page.after != null) {
      afterName = parseUserCursor(page.after);
      if (afterName === undefined) throw new UserInputError('input.cursor', { field: 'after' }, 'after');
    }
    const rows = await ctx.em.find(User, afterName === undefined ? {} : { name: { $gt: afterName } }, {
      orderBy: { name: 'asc' },
      limit: page.first + 1,
    });
    return { users: rows.slice(0, page.first), hasNextPage: rows.length > page.first };
  }

  /**
   * A user's tokens (never their secrets), newest first, revoked ones included. Only the user
   * itself and ADMIN may look: anyone else gets FORBIDDEN, not an empty list.
   */
  tokensOf(ctx: RequestContext, userId: string): Promise<ApiToken[]> {
    const caller = this.auth.requireUser(ctx);
    if (caller.id !== userId && caller.role !== Role.ADMIN) throw new ForbiddenError('auth.notOwnUser');
    let loader = tokenLoaders.get(ctx.loaders);
    if (!loader) {
      loader = new DataLoader((ids) => this.tokensOfUsers(ctx.em, ids));
      tokenLoaders.set(ctx.loaders, loader);
    }
    return loader.load(userId);
  }

  private async tokensOfUsers(em: EntityManager, userIds: readonly string[]): Promise<ApiToken[][]> {
    const valid = userIds.filter(isUuid);
    const rows = valid.length
      ? await em.find(ApiToken, { userId: { $in: valid } }, { orderBy: { createdAt: 'desc', id: 'asc' } })
      : [];
    const byUser = new Map<string, ApiToken[]>(userIds.map((id) => [id, []]));
    for (const row of rows) byUser.get(row.userId)?.push(row);
    return userIds.map((id) => byUser.get(id) ?? []);
  }
}
