import {
  ActivateModelDocument,
  ActiveModelChangedDocument,
  ActiveModelDocument,
  CreateModelDocument,
  CreateProviderDocument,
  ViewerDocument,
} from '../generated/graphql';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { collectLive, wsClient } from '../helpers/ws-client';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.close());

test('a client using only generated typed documents resolves the active model and follows a switch', async () => {
  const viewer = await t.op(ViewerDocument, {});
  expect(viewer.data.viewer).toMatchObject({ name: 'admin', role: 'ADMIN' });

  await t.op(CreateProviderDocument, { input: { slug: 'openrouter', name: 'OpenRouter' } });
  const gpt = await t.op(CreateModelDocument, {
    input: { provider: 'openrouter', name: 'gpt-4o', modelId: 'openai/gpt-4o', capabilities: ['CHAT'], active: true },
  });
  const claude = await t.op(CreateModelDocument, {
    input: { provider: 'openrouter', name: 'claude-3.5-sonnet', modelId: 'anthropic/claude-3.5-sonnet', capabilities: ['CHAT', 'CODE'] },
  });
  const before = await t.op(ActiveModelDocument, { provider: 'openrouter', capability: 'CHAT' });
  expect(before.data.activeModel?.modelId).toBe('openai/gpt-4o');

  const client = wsClient(t.url);
  const live = await collectLive(t, client, ActiveModelChangedDocument, { provider: 'openrouter', capability: 'CHAT' });
  const switched = await t.op(ActivateModelDocument, {
    input: { modelId: claude.data.createModel.id, capabilities: ['CHAT'], expectedVersion: 1 },
  });
  expect(switched.data.activateModel.deactivated.map((m) => m.id)).toEqual([gpt.data.createModel.id]);

  const [event] = await live.waitFor(1);
  expect(event.activeModelChanged).toMatchObject({ version: 2, model: { name: 'claude-3.5-sonnet' }, previousModel: { name: 'gpt-4o' } });
  const after = await t.op(ActiveModelDocument, { provider: 'openrouter', capability: 'CHAT' });
  expect(after.data.activeModel?.modelId).toBe('anthropic/claude-3.5-sonnet');
  await client.dispose();
});
