import type { Role } from '../../common/capability';

/** The caller, as authenticated by a token for this request or connection. */
export interface AuthUser {
  id: string;
  name: string;
  role: Role;
  canUseSharedApi: boolean;
  createdAt: Date;
  tokenId: string;
}
