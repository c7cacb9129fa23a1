import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The documents the admin console sends (public/admin/documents.js, a browser ES module with no
 * imports), evaluated here without a browser: its exports are plain strings and one pure function.
 */
export function consoleDocuments(): { name: string; query: string; variables: Record<string, unknown> }[] {
  const source = readFileSync(path.join(__dirname, '../../public/admin/documents.js'), 'utf8').replace(/^export /gm, '');
  const reads = ['VIEWER', 'PROVIDERS', 'CHANGES_HISTORY', 'USERS', 'MY_ACCOUNT', 'CHANGES_SCHEDULED', 'CHANGES_AUDIT'];
  const names = [...reads, 'ACTIVATE', 'DEACTIVATE', 'ACTIVE_MODEL_CHANGED'];
  const body = `${source}; return { ${names.join(', ')}, latestChangesDocument };`;
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- evaluates the console's own module text, committed in this repository
  const load = new Function(body) as () => Record<string, unknown>;
  const api = load();
  // The console looks slots up in batches of 40 (LOOKUP_BATCH in app.js).
  const lookups = (
    api.latestChangesDocument as (s: { provider: string; capability: string }[]) => { query: string; variables: Record<string, unknown> }
  )(Array.from({ length: 40 }, () => ({ provider: 'openrouter', capability: 'CHAT' })));
  // The largest pages the console asks for.
  const variables: Record<string, Record<string, unknown>> = {
    CHANGES_HISTORY: { first: 50 },
    USERS: { first: 100 },
    CHANGES_SCHEDULED: { first: 50 },
    CHANGES_AUDIT: { first: 50 },
    ACTIVATE: { input: { modelId: '00000000-0000-4000-8000-000000000000' } },
    DEACTIVATE: { input: { modelId: '00000000-0000-4000-8000-000000000000' } },
  };
  const docs = names.map((name) => ({ name, query: api[name] as string, variables: variables[name] ?? {} }));
  return [...docs, { name: 'latestChanges(40 slots)', query: lookups.query, variables: lookups.variables }];
}
