/**
 * Helpers that build `details` the same way everywhere: before/after of the fields that changed,
 * and slot changes as ids and versions. Callers pass only what may be shown (key hints, never keys).
 */

export interface FieldDiff {
  fields: string[];
  before: Record<string, unknown>;
  after: Record<string, unknown>;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** The fields whose value differs, with both values; null when nothing changed (a no-op writes no event). */
export function diffFields<T extends Record<string, unknown>>(before: T, after: T): FieldDiff | null {
  const fields = Object.keys(after).filter((k) => !same(before[k], after[k]));
  if (!fields.length) return null;
  return {
    fields,
    before: Object.fromEntries(fields.map((k) => [k, before[k] ?? null])),
    after: Object.fromEntries(fields.map((k) => [k, after[k] ?? null])),
  };
}

/** Slot changes as the audit log keeps them: which slot, the version it reached, the holder before and after. */
export function slotChanges(
  changes: readonly { capability: string; version: number; previousAiModelId: string | null; aiModelId: string | null }[],
): { capability: string; version: number; before: string | null; after: string | null }[] {
  return changes.map((c) => ({ capability: c.capability, version: c.version, before: c.previousAiModelId, after: c.aiModelId }));
}
