import type { AuthChecker } from 'type-graphql';
import { ForbiddenError, UnauthenticatedError } from '../../common/errors';
import type { Role } from '../../common/role';
import type { RequestContext } from '../shared/request-context';

/**
 * The one check behind @Authorized, for HTTP and WebSocket operations alike. @Authorized(): any
 * authenticated user; @Authorized(Role.ADMIN): that role. It throws the API's own errors (so
 * codes and localized messages are the same as everywhere else) rather than TypeGraphQL's.
 */
export const roleAuthChecker: AuthChecker<RequestContext, Role> = ({ context, info }, roles) => {
  const actor = context.user;
  if (!actor) throw new UnauthenticatedError();
  if (roles.length && !roles.includes(actor.role)) throw new ForbiddenError('auth.forbidden', { role: actor.role, action: info.fieldName });
  return true;
};
