/** ADMIN may do everything; MEMBER may read, subscribe and manage its own tokens and keys. */
export enum Role {
  ADMIN = 'ADMIN',
  MEMBER = 'MEMBER',
}
