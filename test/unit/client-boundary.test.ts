import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * switchboard/client depends on nothing of the server: every import in src/client stays inside
 * src/client (its generated documents included) or names a package the client is allowed to use.
 */

const CLIENT_DIR = path.join(__dirname, '../../src/client');
const ALLOWED_PACKAGES = new Set(['graphql', 'graphql-ws', '@graphql-typed-document-node/core']);

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : [],
  );
}

function specifiers(source: string): string[] {
  const out: string[] = [];
  const patterns = [
    /\bimport\s+(?:type\s+)?[^'"]*?from\s*['"]([^'"]+)['"]/g,
    /\bexport\s+[^'"]*?from\s*['"]([^'"]+)['"]/g,
    /\bimport\s*['"]([^'"]+)['"]/g,
    /\b(?:require|import)\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  for (const re of patterns) for (const m of source.matchAll(re)) out.push(m[1]);
  return out;
}

test('src/client imports nothing from outside src/client except its allowed packages', () => {
  const found = files(CLIENT_DIR);
  expect(found.length).toBeGreaterThan(2);
  const offending: string[] = [];
  for (const file of found) {
    for (const spec of specifiers(readFileSync(file, 'utf8'))) {
      if (spec.startsWith('.')) {
        const target = path.resolve(path.dirname(file), spec);
        if (!target.startsWith(CLIENT_DIR + path.sep) && target !== CLIENT_DIR) offending.push(`${path.relative(CLIENT_DIR, file)} -> ${spec}`);
      } else if (!ALLOWED_PACKAGES.has(spec)) {
        offending.push(`${path.relative(CLIENT_DIR, file)} -> ${spec}`);
      }
    }
  }
  expect(offending).toEqual([]);
});

test('the import scan sees every form of import (a check of the check)', () => {
  const sample = `import a from '../server';\nimport type { B } from "../../src/x";\nexport { c } from './ok';\nimport 'side';\nconst d = require('fs');\nconst e = await import('./lazy');`;
  expect(specifiers(sample).sort()).toEqual(['../../src/x', '../server', './lazy', './ok', 'fs', 'side'].sort());
});
