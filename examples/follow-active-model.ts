/**
 * A service that never hard-codes a model name: it follows its provider's active model with the
 * client library and reacts to every switch. The library keeps the slots in memory, reconnects by
 * itself (server restarts, network drops, a load balancer moving it) and resumes from the last
 * change it saw, so no switch is missed; it stops only if the token is refused.
 *
 *   npm ci && npm start                      # another terminal; the first start prints the token
 *   SWITCHBOARD_TOKEN=<token> node dist/examples/follow-active-model.js openrouter CHAT
 */
import { SwitchboardClient, type Capability } from 'switchboard/client';

const url = process.env.SWITCHBOARD_URL ?? 'http://127.0.0.1:4000/graphql';
const token = process.env.SWITCHBOARD_TOKEN ?? '';
const provider = process.argv[2] ?? 'openrouter';
const capability = (process.argv[3] ?? 'CHAT').toUpperCase() as Capability;

async function main(): Promise<void> {
  const client = new SwitchboardClient({ url, token, providers: [provider] });
  client.on('state', (state) => console.log(`[${state}]`));
  client.on('error', (e) => {
    console.error(`stopped: ${e.message} (${e.code})`);
    process.exit(1);
  });
  await client.ready();

  const now = client.activeModel(provider, capability);
  console.log(`active ${provider}/${capability}: ${now ? `${now.name} (${now.modelId}) v${now.version}` : 'none'}`);

  client.onChange((change) => {
    if (change.capability !== capability) return;
    console.log(
      `v${change.version}: ${change.previousModel?.name ?? 'none'} -> ${change.model ? `${change.model.name} (${change.model.modelId})` : 'none'}`,
    );
  });

  const stop = async () => {
    await client.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

main().catch((e: unknown) => {
  // A SwitchboardError carries a stable code; anything else is printed as it is.
  const err = e as { message?: string; code?: string };
  console.error(`${err.message ?? String(e)}${err.code ? ` (${err.code})` : ''}`);
  process.exit(1);
});
