import path from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';
import fastifyStatic from '@fastify/static';
import { packageFileDir, projectRoot } from '../common/project-paths';
import { AUDIT_TARGET_TYPES, AuditAction } from '../modules/audit/audit-action';

/**
 * The browser's vendor files for the explorer, served from node_modules so that the explorer
 * works offline (no CDN) and always matches the installed versions.
 */
const VENDOR_FILES: Record<string, { pkg: string; file: string }> = {
  'react.production.min.js': { pkg: 'react', file: 'umd/react.production.min.js' },
  'react-dom.production.min.js': { pkg: 'react-dom', file: 'umd/react-dom.production.min.js' },
  'graphiql.min.js': { pkg: 'graphiql', file: 'graphiql.min.js' },
  'graphiql.min.css': { pkg: 'graphiql', file: 'graphiql.min.css' },
  'graphql-ws.min.js': { pkg: 'graphql-ws', file: 'umd/graphql-ws.min.js' },
};

/**
 * Same-origin only: the pages talk to /graphql over HTTP and WebSocket and load nothing from
 * elsewhere. Inline styles are allowed because GraphiQL (and the explorer page) set them.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "connect-src 'self' ws: wss:",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

function securityHeaders(res: { setHeader(name: string, value: string): unknown }): void {
  res.setHeader('content-security-policy', CONTENT_SECURITY_POLICY);
  res.setHeader('x-content-type-options', 'nosniff');
  res.setHeader('referrer-policy', 'no-referrer');
}

/**
 * /admin/audit-vocabulary.js: the audit log's actions and target types for the console's filters,
 * from the server's own lists, so a new action shows up there without a second copy in public/
 * (which has no build step; introspection may be off).
 */
const AUDIT_VOCABULARY = [
  `export const AUDIT_ACTIONS = ${JSON.stringify(Object.values(AuditAction))};`,
  `export const AUDIT_TARGETS = ${JSON.stringify(AUDIT_TARGET_TYPES)};`,
  '',
].join('\n');

/** Whether a GET on /graphql comes from a person typing the URL in a browser, not from a client. */
function isBrowserVisit(url: string, accept: string | undefined): boolean {
  const [pathname, search = ''] = url.split('?', 2);
  if (pathname !== '/graphql' && pathname !== '/graphql/') return false;
  if (new URLSearchParams(search).has('query')) return false;
  return (accept ?? '').includes('text/html');
}

/**
 * /admin/ (the admin console) and /explorer/ (GraphiQL, offline) as static files, and a browser
 * visit to /graphql sent to the explorer (Apollo's own landing page needs the internet and is
 * disabled in server.ts).
 */
export async function registerStaticRoutes(app: FastifyInstance): Promise<void> {
  const publicDir = path.join(projectRoot(), 'public');

  await app.register(fastifyStatic, {
    root: path.join(publicDir, 'admin'),
    prefix: '/admin/',
    redirect: true, // /admin → /admin/
    index: ['index.html'],
    wildcard: true,
    setHeaders: securityHeaders,
  });
  await app.register(fastifyStatic, {
    root: path.join(publicDir, 'explorer'),
    prefix: '/explorer/',
    redirect: true,
    index: ['index.html'],
    wildcard: true,
    decorateReply: false,
    setHeaders: securityHeaders,
  });

  // Relative links in the pages (and the module scripts) need the trailing slash.
  app.get('/admin', (_request, reply) => reply.redirect('/admin/', 301));
  app.get('/explorer', (_request, reply) => reply.redirect('/explorer/', 301));

  app.get('/admin/audit-vocabulary.js', (_request, reply) => {
    securityHeaders({ setHeader: (name, value) => reply.header(name, value) });
    return reply.type('text/javascript; charset=utf-8').send(AUDIT_VOCABULARY);
  });

  for (const [name, { pkg, file }] of Object.entries(VENDOR_FILES)) {
    const dir = packageFileDir(pkg, file); // fails at start-up, not on the first page view
    const basename = path.basename(file);
    app.get(`/explorer/vendor/${name}`, (_request, reply: FastifyReply) => {
      reply.header('x-content-type-options', 'nosniff');
      // Versioned by package-lock; a day of caching spares reloads without pinning a stale copy for long.
      return reply.sendFile(basename, dir, { maxAge: 86_400_000 });
    });
  }

  app.addHook('onRequest', async (request, reply) => {
    if (request.method === 'GET' && isBrowserVisit(request.url, request.headers.accept)) {
      return reply.redirect('/explorer/', 302);
    }
  });
}
