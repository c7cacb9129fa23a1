import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The documents the admin console sends (public/admin/api.js, a browser ES module), evaluated here
 * without a browser: its exports are plain strings and one pure function.
 */
export function consoleDocuments(): { name: string; query: string }[] {
  const source = readFileSync(path.join(__dirname, '../../public/admin/api.js'), 'utf8').replace(/^export /gm, '');
  const api = new Function(`${source}; return { VIEWER, PROVIDERS, HISTORY, ACTIVATE, DEACTIVATE, ACTIVE_MODEL_CHANGED, latestChangesDocument };`)() as Record<string, unknown>;
  const lookups = (api.latestChangesDocument as (s: { provider: string; capability: string }[]) => { query: string })(
    Array.from({ length: 40 }, (_, i) => ({ provider: `p${i}`, capability: 'CHAT' })),
  );
  const docs = ['VIEWER', 'PROVIDERS', 'HISTORY', 'ACTIVATE', 'DEACTIVATE', 'ACTIVE_MODEL_CHANGED'].map((name) => ({ name, query: api[name] as string }));
  return [...docs, { name: 'latestChanges(40 slots)', query: lookups.query }];
}
