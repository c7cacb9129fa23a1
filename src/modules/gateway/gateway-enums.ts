/** Who says a chat message (GraphQL enum ChatRole, registered in gateway.types.ts). */
export enum ChatRole {
  SYSTEM = 'SYSTEM',
  USER = 'USER',
  ASSISTANT = 'ASSISTANT',
}

/** How a generation call ended (GraphQL enum UsageStatus; stored as text in usage_record.status). */
export enum UsageStatus {
  OK = 'OK',
  ERROR = 'ERROR',
}
