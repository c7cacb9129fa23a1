import { spawnSync } from 'node:child_process';
import path from 'node:path';

/** The typed documents are generated from schema.graphql and the .graphql operations: never stale. */
test('generated typed documents are up to date (npm run codegen)', () => {
  const root = path.join(__dirname, '../..');
  const bin = path.join(root, 'node_modules/.bin/graphql-codegen');
  const result = spawnSync(bin, ['--config', 'codegen.yml', '--check'], { cwd: root, encoding: 'utf8', timeout: 60_000 });
  expect({ status: result.status, out: result.status === 0 ? '' : result.stdout + result.stderr }).toEqual({ status: 0, out: '' });
});
