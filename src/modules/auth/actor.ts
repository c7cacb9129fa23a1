import type { Role } from '../../common/role';

/** The acting user, as authenticated by a token for this request or connection. Services take it first. */
export interface Actor {
  id: string;
  name: string;
  role: Role;
  canUseSharedApi: boolean;
  createdAt: Date;
  tokenId: string;
}
