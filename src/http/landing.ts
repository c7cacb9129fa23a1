import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { projectRoot } from '../common/project-paths';

/**
 * GET / : a small first page (what this server is, where to go next, the two commands), and
 * GET /schema.graphql : the committed SDL, for codegen and for reading.
 */

const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

export const LANDING_HTML = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Switchboard</title>
  <link rel="icon" href="data:,">
  <style>
    body { font: 16px/1.5 system-ui, sans-serif; max-width: 46rem; margin: 2.5rem auto; padding: 0 1rem; color: #1d2430; }
    h1 { margin-bottom: .2rem; } .lead { margin-top: 0; color: #4a5568; }
    a { color: #1a56db; } code, pre { font: 14px ui-monospace, monospace; background: #f3f4f6; border-radius: 4px; }
    code { padding: .1rem .3rem; } pre { padding: .8rem 1rem; overflow-x: auto; }
    ul { padding-left: 1.2rem; } li { margin: .3rem 0; }
  </style>
</head>
<body>
  <main>
    <h1>Switchboard</h1>
    <p class="lead">A GraphQL server that decides which AI model every part of an application uses:
      one active model per provider and capability, a full history, and a live, resumable feed of switches.</p>

    <h2>Where to go</h2>
    <ul id="links">
      <li><a href="/admin/">Admin console</a>: see and switch the active models, live.</li>
      <li><a href="/explorer/">API explorer</a>: run queries, mutations and subscriptions against <code>/graphql</code>.</li>
      <li><a href="/schema.graphql">The schema</a> (<code>schema.graphql</code>): every type and field, documented.</li>
      <li>Health: <a href="/healthz">/healthz</a> (the process is up) and <a href="/readyz">/readyz</a> (Postgres and Redis answer).</li>
      <li>GraphQL over HTTP and WebSocket: <code>/graphql</code>. The first version's REST endpoint:
        <code>/api/v1/ai-models/active_model/?provider=openrouter&amp;capability=chat</code>.</li>
    </ul>

    <h2>The two commands</h2>
<pre>npm ci && npm start      # this server, with demo data, on http://localhost:4000
npm test                 # every test</pre>
    <p>Every request needs a token (<code>Authorization: Bearer &lt;token&gt;</code>). The first start of an empty
      database prints the token of the user <code>admin</code> once; or start with <code>ADMIN_TOKEN</code> set to one you choose.
      The console asks for it once and the explorer uses it from there.</p>

    <h2>From a service</h2>
<pre>export SWITCHBOARD_TOKEN=&lt;token&gt;
node dist/src/cli/switchboard.js active openrouter chat           # the command line (npm link: switchboard …)
node dist/src/cli/switchboard.js watch openrouter --json          # every switch, resumable</pre>
    <p>In TypeScript, <code>switchboard/client</code> keeps the active models in memory and follows every switch.</p>
  </main>
</body>
</html>
`;

export function registerLanding(app: FastifyInstance): void {
  const schemaFile = path.join(projectRoot(), 'schema.graphql');
  app.get('/', (_request, reply) => reply.headers(SECURITY_HEADERS).type('text/html; charset=utf-8').send(LANDING_HTML));
  if (!app.hasRoute({ method: 'GET', url: '/schema.graphql' })) {
    // Read per request: a few kB, rarely asked for, and always the file on disk.
    app.get('/schema.graphql', (_request, reply) =>
      reply
        .headers(SECURITY_HEADERS)
        .type('text/plain; charset=utf-8')
        .header('cache-control', 'no-cache')
        .send(readFileSync(schemaFile, 'utf8')),
    );
  }
}
