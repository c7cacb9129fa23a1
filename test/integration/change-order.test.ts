import { Capability } from '../../src/common/capability';
import type { EntityManager } from '@mikro-orm/postgresql';
import { TransactionRunner } from '../../src/db/transaction';
import { ACTIVE_MODEL_CHANGED, toPayload } from '../../src/modules/activation/activation-events';
import type { ChangeRecord } from '../../src/modules/activation/change-record';
import { createModel, createProvider } from '../helpers/factories';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { collect, wsClient } from '../helpers/ws-client';

/**
 * Instances publish after their own commits, so the bus can carry a later change before an earlier
 * one — or lose one (process killed between commit and publish). Subscribers must still see every
 * change in cursor order, or a client resuming with `since` = the last cursor it saw could miss one.
 */
let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.close());

/** Commits a change of one slot WITHOUT publishing it (as if the publishing process died). */
async function commitSilently(providerId: string, capability: Capability, modelId: string): Promise<ChangeRecord> {
  // A runner with no commit listeners: the change commits, and nothing is told of it.
  const silent = new TransactionRunner(t.server.orm.em as EntityManager, t.server.log);
  const [change] = await silent.run((tx) => t.server.services.activation.changeSlots(tx, providerId, [{ capability, aiModelId: modelId }], 'test'));
  return change;
}

test('a later change published first is delivered after the earlier one it skipped, each once', async () => {
  const p = await createProvider(t, 'order');
  const m = await createModel(t, 'order', 'both', ['CHAT', 'CODE']);
  const client = wsClient(t.url);
  const all = collect(client, `subscription { activeModelChanged { cursor capability version } }`);
  const code = collect(client, `subscription { activeModelChanged(provider: "order", capability: CODE) { cursor capability version } }`);
  await new Promise((r) => setTimeout(r, 300));

  const first = await commitSilently(p.id, Capability.CHAT, m.id);
  const second = await commitSilently(p.id, Capability.CODE, m.id);
  // Only the later change reaches the bus (twice, as a relay might).
  await t.server.backplane.bus.publish(ACTIVE_MODEL_CHANGED, toPayload(second));
  await t.server.backplane.bus.publish(ACTIVE_MODEL_CHANGED, toPayload(second));

  const events = (await all.waitFor(2)).map((e: any) => e.activeModelChanged);
  expect(events.map((e: any) => e.capability)).toEqual(['CHAT', 'CODE']);
  expect(events[0].cursor < events[1].cursor).toBe(true);
  const codeEvents = (await code.waitFor(1)).map((e: any) => e.activeModelChanged);
  expect(codeEvents).toEqual([{ cursor: expect.any(String), capability: 'CODE', version: 1 }]);

  // The skipped one arriving late is a duplicate now.
  await t.server.backplane.bus.publish(ACTIVE_MODEL_CHANGED, toPayload(first));
  await new Promise((r) => setTimeout(r, 300));
  expect(all.events).toHaveLength(2);
  expect(all.errors).toEqual([]);
  await client.dispose();
});

test('cursors reach every subscriber in increasing order under concurrent activations of many slots', async () => {
  await createProvider(t, 'busy');
  const models = await Promise.all(
    ['a', 'b', 'c'].map((name) => createModel(t, 'busy', name, ['CHAT', 'CODE', 'CONTENT', 'IMAGE'])),
  );
  const client = wsClient(t.url);
  const sub = collect(client, `subscription { activeModelChanged(provider: "busy") { cursor } }`);
  await new Promise((r) => setTimeout(r, 300));
  const caps = ['CHAT', 'CODE', 'CONTENT', 'IMAGE'];
  await Promise.all(
    Array.from({ length: 60 }, (_, i) =>
      t.gql(`mutation($id: ID!, $c: [Capability!]) { activateModel(input: {modelId: $id, capabilities: $c}) { changes { cursor } } }`, {
        id: models[i % 3].id,
        c: [caps[i % 4]],
      }),
    ),
  );
  const history = await t.gql(`{ activationHistory(provider: "busy", first: 100) { edges { cursor } } }`);
  const expected = history.data.activationHistory.edges.map((e: any) => e.cursor).reverse();
  const received = (await sub.waitFor(expected.length)).map((e: any) => e.activeModelChanged.cursor);
  expect(received).toEqual(expected);
  await client.dispose();
});
