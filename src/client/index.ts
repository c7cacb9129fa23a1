/**
 * switchboard/client: follow Switchboard's active models from memory, over graphql-ws and fetch.
 * Imports nothing from the server (test/unit/client-boundary.test.ts checks it).
 */
export { SwitchboardClient } from './switchboard-client';
export type { ActiveModel, ChangeModel, ClientState, SlotChange, SwitchboardClientOptions, Capability } from './switchboard-client';
export { SwitchboardError, request } from './http';
export type { HttpOptions } from './http';
