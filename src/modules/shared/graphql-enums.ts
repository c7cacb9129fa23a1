import { registerEnumType } from 'type-graphql';
import { ApiStyle } from '../../common/api-style';
import { Capability } from '../../common/capability';
import { Role } from '../../common/role';

registerEnumType(Capability, { name: 'Capability', description: 'What a model can be used for; each is one slot per provider.' });
registerEnumType(Role, { name: 'Role', description: 'ADMIN may do everything; MEMBER may read, subscribe and manage its own tokens and keys.' });
registerEnumType(ApiStyle, { name: 'ApiStyle', description: 'The upstream protocol a provider speaks.' });

export { ApiStyle, Capability, Role };
