/**
 * Picking the model per request, from memory: an HTTP service that calls an AI provider asks the
 * client library which model is active *at each request*. That costs no network round trip (the
 * answer is in memory, kept current by the subscription), so a switch in the admin console applies
 * to the very next request, without a restart or a config change.
 *
 *   npm ci && npm start                      # another terminal; the first start prints the token
 *   SWITCHBOARD_TOKEN=<token> PORT=3000 node dist/examples/pick-model-per-request.js
 *   curl localhost:3000/chat                 # {"provider":"openrouter","model":"anthropic/claude-sonnet-4",…}
 */
import http from 'node:http';
import { SwitchboardClient } from 'switchboard/client';

const url = process.env.SWITCHBOARD_URL ?? 'http://127.0.0.1:4000/graphql';
const token = process.env.SWITCHBOARD_TOKEN ?? '';
const port = Number(process.env.PORT ?? 3000);
const provider = process.env.PROVIDER ?? 'openrouter';

async function main(): Promise<void> {
  const switchboard = new SwitchboardClient({ url, token, providers: [provider] });
  switchboard.on('error', (e) => console.error(`switchboard: ${e.message} (${e.code}); serving the last known models`));
  await switchboard.ready();

  const server = http.createServer((req, res) => {
    const capability = (req.url ?? '/').split('?')[0] === '/code' ? 'CODE' : 'CHAT';
    // Synchronous, from memory: the model to send upstream for this very request.
    const model = switchboard.activeModel(provider, capability);
    if (!model) {
      res.writeHead(503, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: `no active ${capability} model for ${provider}` }));
      return;
    }
    // A real service would now call the provider with `model.modelId`.
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ provider, capability, model: model.modelId, name: model.name, version: model.version }));
  });
  server.listen(port, '127.0.0.1', () => console.log(`listening on http://127.0.0.1:${port} (GET /chat, /code)`));

  const stop = () => server.close(() => void switchboard.close().then(() => process.exit(0)));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((e: unknown) => {
  // A SwitchboardError carries a stable code; anything else is printed as it is.
  const err = e as { message?: string; code?: string };
  console.error(`${err.message ?? String(e)}${err.code ? ` (${err.code})` : ''}`);
  process.exit(1);
});
