import { execFileSync } from 'node:child_process';
import path from 'node:path';

/**
 * Tracing is off unless OTEL_EXPORTER_OTLP_ENDPOINT is set, and then it costs nothing: the server's
 * whole module graph loads without any OpenTelemetry SDK, context manager, exporter or
 * instrumentation (server.ts requires observability/tracing.ts only when tracing is on). Only the
 * API facade may be there: prom-client loads `@opentelemetry/api` (no-op without an SDK) by itself.
 */
test('with tracing off, loading the server loads no OpenTelemetry SDK or instrumentation', () => {
  const root = path.resolve(__dirname, '../..');
  const script = `require('reflect-metadata'); require('./src/server');
    const loaded = Object.keys(require.cache).filter((k) => k.includes('@opentelemetry') && !k.includes('@opentelemetry/api/'));
    process.stdout.write(JSON.stringify({ loaded, total: Object.keys(require.cache).length }));`;
  const out = execFileSync(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', script], {
    cwd: root,
    env: { ...process.env, TS_NODE_PROJECT: path.join(root, 'tsconfig.json') },
    encoding: 'utf8',
  });
  const { loaded, total } = JSON.parse(out) as { loaded: string[]; total: number };
  expect(total).toBeGreaterThan(100); // the server's graph really was loaded
  expect(loaded).toEqual([]);
});
