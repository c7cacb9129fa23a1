import { Capability } from '../../src/common/capability';
import { TransactionRunner } from '../../src/db/transaction';
import { ACTIVE_MODEL_CHANGED, toPayload } from '../../src/modules/activation/activation-events';
import type { ChangeRecord } from '../../src/modules/activation/change-record';
import { activate, createModel, createProvider, expectOk } from '../helpers/factories';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { collectLive, wsClient } from '../helpers/ws-client';
import { ChangeCursorsDocument, HistoryCursorsDocument, type Capability as CapabilityName } from '../generated/graphql';

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
  const silent = new TransactionRunner(t.server.orm.em, t.server.log);
  const [change] = await silent.run((tx) =>
    t.server.services.activation.changeSlots(tx, providerId, [{ capability, aiModelId: modelId }], 'test'),
  );
  return change;
}

test('a later change published first is delivered after the earlier one it skipped, each once', async () => {
  const p = await createProvider(t, 'order');
  const m = await createModel(t, 'order', 'both', ['CHAT', 'CODE']);
  const later = await createModel(t, 'order', 'later', ['CHAT']);
  const client = wsClient(t.url);
  const all = await collectLive(t, client, ChangeCursorsDocument, {});
  const code = await collectLive(t, client, ChangeCursorsDocument, { provider: 'order', capability: 'CODE' });

  const first = await commitSilently(p.id, Capability.CHAT, m.id);
  const second = await commitSilently(p.id, Capability.CODE, m.id);
  // Only the later change reaches the bus (twice, as a relay might).
  await t.server.backplane.bus.publish(ACTIVE_MODEL_CHANGED, toPayload(second));
  await t.server.backplane.bus.publish(ACTIVE_MODEL_CHANGED, toPayload(second));

  const events = (await all.waitFor(2)).map((e) => e.activeModelChanged);
  expect(events.map((e) => e.capability)).toEqual(['CHAT', 'CODE']);
  expect(events[0].cursor < events[1].cursor).toBe(true);
  const codeEvents = (await code.waitFor(1)).map((e) => e.activeModelChanged);
  expect(codeEvents).toEqual([{ cursor: expect.any(String), capability: 'CODE', version: 1 }]);

  // The skipped one arriving late is a duplicate now. A later change, published after it, marks the
  // end: everything the duplicate could cause would arrive before that change.
  await t.server.backplane.bus.publish(ACTIVE_MODEL_CHANGED, toPayload(first));
  const marker = expectOk(await activate(t, later.id)).activateModel.changes[0];
  const withMarker = (await all.waitFor(3)).map((e) => e.activeModelChanged);
  expect(withMarker.map((e) => [e.capability, e.version])).toEqual([
    ['CHAT', 1],
    ['CODE', 1],
    ['CHAT', 2],
  ]);
  expect(withMarker[2].cursor).toBe(marker.cursor);
  expect(all.errors).toEqual([]);
  await client.dispose();
});

test('cursors reach every subscriber in increasing order under concurrent activations of many slots', async () => {
  await createProvider(t, 'busy');
  const models = await Promise.all(['a', 'b', 'c'].map((name) => createModel(t, 'busy', name, ['CHAT', 'CODE', 'CONTENT', 'IMAGE'])));
  const client = wsClient(t.url);
  const sub = await collectLive(t, client, ChangeCursorsDocument, { provider: 'busy' });
  const caps: CapabilityName[] = ['CHAT', 'CODE', 'CONTENT', 'IMAGE'];
  await Promise.all(Array.from({ length: 60 }, (_, i) => activate(t, models[i % 3].id, { capabilities: [caps[i % 4]] })));
  const history = await t.op(HistoryCursorsDocument, { provider: 'busy', first: 100 });
  const expected = history.data.activationHistory.edges.map((e) => e.cursor).reverse();
  const received = (await sub.waitFor(expected.length)).map((e) => e.activeModelChanged.cursor);
  expect(received).toEqual(expected);
  await client.dispose();
});
