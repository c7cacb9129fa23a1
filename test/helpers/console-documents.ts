import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The documents the admin console sends (public/admin/api.js, a browser ES module), evaluated here
 * without a browser: its exports are plain strings and one pure function.
 */
export function consoleDocuments(): { name: string; query: string; variables: Record<string, unknown> }[] {
  const source = readFileSync(path.join(__dirname, '../../public/admin/api.js'), 'utf8').replace(/^export /gm, '');
  const body = `${source}; return { VIEWER, PROVIDERS, HISTORY, ACTIVATE, DEACTIVATE, ACTIVE_MODEL_CHANGED, latestChangesDocument };`;
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- evaluates the repository's own browser module, which has no Node build
  const load = new Function(body) as () => Record<string, unknown>;
  const api = load();
  // The console looks slots up in batches of 40 (LOOKUP_BATCH in app.js).
  const lookups = (api.latestChangesDocument as (s: { provider: string; capability: string }[]) => { query: string; variables: Record<string, unknown> })(
    Array.from({ length: 40 }, () => ({ provider: 'openrouter', capability: 'CHAT' })),
  );
  const variables: Record<string, Record<string, unknown>> = {
    HISTORY: { provider: 'openrouter', first: 50 },
    ACTIVATE: { input: { modelId: '00000000-0000-4000-8000-000000000000' } },
    DEACTIVATE: { input: { modelId: '00000000-0000-4000-8000-000000000000' } },
  };
  const docs = ['VIEWER', 'PROVIDERS', 'HISTORY', 'ACTIVATE', 'DEACTIVATE', 'ACTIVE_MODEL_CHANGED'].map((name) => ({ name, query: api[name] as string, variables: variables[name] ?? {} }));
  return [...docs, { name: 'latestChanges(40 slots)', query: lookups.query, variables: lookups.variables }];
}
