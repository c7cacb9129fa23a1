/**
 * A service that never hard-codes a model name: it asks Switchboard for its provider's active
 * model, then follows switches live (resuming with `since` after a reconnect, so it misses none).
 *
 *   SWITCHBOARD_URL=http://127.0.0.1:4000 SWITCHBOARD_TOKEN=sb_... \
 *     node dist/examples/follow-active-model.js openrouter CHAT
 */
import { print } from 'graphql';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import {
  FollowActiveModelDocument,
  ResolveActiveModelDocument,
  type Capability,
  type FollowActiveModelSubscription,
  type ResolveActiveModelQuery,
} from './generated/graphql';

const url = process.env.SWITCHBOARD_URL ?? 'http://127.0.0.1:4000';
const token = process.env.SWITCHBOARD_TOKEN ?? '';
const [provider = 'openrouter', capability = 'CHAT'] = process.argv.slice(2) as [string?, Capability?];

async function resolveActiveModel(): Promise<ResolveActiveModelQuery['activeModel']> {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: print(ResolveActiveModelDocument), variables: { provider, capability } }),
  });
  const body = (await res.json()) as { data?: ResolveActiveModelQuery; errors?: { message: string }[] };
  if (body.errors?.length) throw new Error(body.errors.map((e) => e.message).join('; '));
  return body.data!.activeModel;
}

async function main() {
  let current = await resolveActiveModel();
  console.log(`active ${provider}/${capability}: ${current ? `${current.name} (${current.modelId})` : 'none'}`);

  let lastCursor: string | undefined;
  const client = createClient({
    url: url.replace(/^http/, 'ws') + '/graphql',
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
    retryAttempts: Infinity,
  });
  const follow = () =>
    client.subscribe<FollowActiveModelSubscription>(
      { query: print(FollowActiveModelDocument), variables: { provider, capability, since: lastCursor } },
      {
        next: ({ data }) => {
          const change = data!.activeModelChanged;
          lastCursor = change.cursor;
          current = change.model ?? null;
          console.log(`v${change.version}: now ${current ? `${current.name} (${current.modelId})` : 'none'}`);
        },
        error: (e) => console.error('subscription error', e),
        complete: () => undefined,
      },
    );
  follow();
  // graphql-ws re-subscribes by itself after a reconnect; on a fresh subscription we pass `since`.
  client.on('connected', (_socket, _payload, wasRetry) => {
    if (wasRetry) console.log('reconnected; resuming after', lastCursor);
  });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
