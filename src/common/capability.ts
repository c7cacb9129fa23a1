/** The capabilities a model can have, in the order the API lists them (and slots are locked in). */
export enum Capability {
  CHAT = 'CHAT',
  CODE = 'CODE',
  CONTENT = 'CONTENT',
  IMAGE = 'IMAGE',
  AUDIO = 'AUDIO',
  EMBEDDING = 'EMBEDDING',
}

export const CAPABILITIES: readonly Capability[] = Object.values(Capability);

export function capabilityRank(c: Capability): number {
  return CAPABILITIES.indexOf(c);
}

/** Sorted copy in enum order; the fixed order in which slots are locked avoids deadlocks. */
export function sortCapabilities(list: readonly Capability[]): Capability[] {
  return [...list].sort((a, b) => capabilityRank(a) - capabilityRank(b));
}
