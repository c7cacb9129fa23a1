import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

let cachedRoot: string | undefined;

/**
 * The project root: the nearest ancestor of this file whose package.json is Switchboard's.
 * Walking up (instead of a fixed "../..") gives the same answer from src/ under ts-jest or
 * ts-node and from dist/src/ after `tsc`.
 */
export function projectRoot(): string {
  if (cachedRoot) return cachedRoot;
  let dir = __dirname;
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'switchboard') return (cachedRoot = dir);
      } catch {
        // not ours; keep walking
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`Cannot find the Switchboard project root above ${__dirname}`);
    dir = parent;
  }
}

/**
 * The directory holding `file` inside an installed package, found along Node's own module
 * search paths (so hoisted or nested node_modules both work). Not `require.resolve`: several
 * of these packages restrict their files through package.json "exports".
 */
export function packageFileDir(pkg: string, file: string): string {
  const searched = [path.join(projectRoot(), 'node_modules'), ...(require.resolve.paths(pkg) ?? [])];
  for (const base of searched) {
    const candidate = path.join(base, pkg, file);
    if (existsSync(candidate)) return path.dirname(candidate);
  }
  throw new Error(`Cannot find ${pkg}/${file}; is ${pkg} installed?`);
}
