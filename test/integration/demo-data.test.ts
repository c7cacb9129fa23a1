import pino from 'pino';
import { DEMO_PROVIDERS, seedDemoData } from '../../src/seed/demo-data';
import { findAdminActor, firstStartBootstrap } from '../../src/seed/first-start';
import { query } from '../helpers/factories';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { ActivateModelDocument, ActiveModelNameDocument, DemoProvidersDocument, ViewerAndProvidersDocument } from '../generated/graphql';

const silent = pino({ level: 'silent' });

describe('demo data seeder', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(() => t.close());

  test('loads providers, models and active slots through the services, with history, and is idempotent', async () => {
    const actor = (await findAdminActor(t.server.orm))!;
    expect(actor.name).toBe('admin');
    const first = await seedDemoData(t.server.services, t.server.orm.em, actor, silent);
    const expectedModels = DEMO_PROVIDERS.reduce((n, p) => n + p.models.length, 0);
    const expectedSlots = DEMO_PROVIDERS.reduce((n, p) => n + Object.keys(p.active).length, 0);
    expect(first).toEqual({ providersCreated: 3, modelsCreated: expectedModels, slotsActivated: expectedSlots });

    const res = await t.op(DemoProvidersDocument, {});
    expect(res.errors).toBeUndefined();
    const bySlug = Object.fromEntries(res.data.providers.map((p) => [p.slug, p]));
    expect(Object.keys(bySlug).sort()).toEqual(['anthropic', 'openai', 'openrouter']);
    expect(bySlug.openrouter).toMatchObject({ name: 'OpenRouter', baseUrl: 'https://openrouter.ai/api/v1', apiStyle: 'OPENAI' });
    expect(bySlug.anthropic).toMatchObject({ baseUrl: 'https://api.anthropic.com/v1', apiStyle: 'ANTHROPIC' });
    expect(bySlug.openai.models).toHaveLength(8);
    const chat = bySlug.anthropic.activeModels.find((s) => s.capability === 'CHAT');
    expect(chat).toMatchObject({ version: 1, activatedBy: 'admin', model: { name: 'claude-sonnet-4', modelId: 'claude-sonnet-4-20250514' } });
    expect(bySlug.openai.activeModels.map((s) => s.capability).sort()).toEqual(['AUDIO', 'CHAT', 'CODE', 'CONTENT', 'EMBEDDING', 'IMAGE']);

    // Went through the activation service: one history row per activated slot, matching the slot.
    const history = await query(t, `select count(*)::int as n from activation_change`);
    expect(history[0].n).toBe(expectedSlots);
    const mismatched = await query(
      t,
      `select s.provider_id, s.capability from activation_slot s
        where s.version <> coalesce((select max(version) from activation_change c where c.provider_id = s.provider_id and c.capability = s.capability), 0)`,
    );
    expect(mismatched).toEqual([]);

    // A second run (e.g. `npm run seed` after a first start) adds nothing and switches nothing.
    await t.op(ActivateModelDocument, {
      input: {
        modelId: (
          await query(t, `select m.id from ai_model m join provider p on p.id = m.provider_id where p.slug = 'openai' and m.name = 'o3-mini'`)
        )[0].id,
        capabilities: ['CHAT'],
      },
    });
    const second = await seedDemoData(t.server.services, t.server.orm.em, actor, silent);
    expect(second).toEqual({ providersCreated: 0, modelsCreated: 0, slotsActivated: 0 });
    const openaiChat = await t.op(ActiveModelNameDocument, { provider: 'openai', capability: 'CHAT' });
    expect(openaiChat.data.activeModel?.name).toBe('o3-mini'); // the admin's choice is kept
  });
});

describe('first-start bootstrap', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ adminToken: undefined });
  });
  afterAll(() => t.close());

  test('creates an admin and prints its token once; a restart prints nothing', async () => {
    const printed: string[] = [];
    const print = (text: string) => printed.push(text);
    const input = {
      orm: t.server.orm,
      services: t.server.services,
      transactions: t.server.transactions,
      adminTokenConfigured: false,
      demoData: true,
      log: silent,
      print,
    };

    const first = await firstStartBootstrap(input);
    expect(first).not.toBeNull();
    expect(printed).toHaveLength(1);
    expect(printed[0]).toContain(first!.adminToken);
    expect(first!.adminToken).toMatch(/^sb_[A-Za-z0-9_-]{43}$/);
    expect(first!.seeded).toMatchObject({ providersCreated: 3 });

    // The printed token works as an ADMIN, and only its hash is stored.
    const viewer = await t.op(ViewerAndProvidersDocument, {}, { token: first!.adminToken });
    expect(viewer.data.viewer).toEqual({ name: 'admin', role: 'ADMIN' });
    expect(viewer.data.providers).toHaveLength(3);
    const stored = await query(t, `select token_hash from api_token`);
    expect(JSON.stringify(stored)).not.toContain(first!.adminToken);

    // Second start (and concurrent starts): nothing printed, no second admin.
    const again = await Promise.all([firstStartBootstrap(input), firstStartBootstrap(input)]);
    expect(again).toEqual([null, null]);
    expect(printed).toHaveLength(1);
    expect((await query(t, `select count(*)::int as n from app_user`))[0].n).toBe(1);
  });

  test('with ADMIN_TOKEN configured it does nothing', async () => {
    const printed: string[] = [];
    const result = await firstStartBootstrap({
      orm: t.server.orm,
      services: t.server.services,
      transactions: t.server.transactions,
      adminTokenConfigured: true,
      demoData: true,
      log: silent,
      print: (s) => printed.push(s),
    });
    expect(result).toBeNull();
    expect(printed).toEqual([]);
  });
});
