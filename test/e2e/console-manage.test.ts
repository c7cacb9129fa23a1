import type { Browser, Page } from 'playwright-core';
import {
  expectText,
  goToView,
  horizontalOverflow,
  openConsolePage,
  openDialog,
  signIn,
  submitDialog,
  type ConsolePage,
} from '../helpers/console-page';
import { createMember, createModel, createProvider, type MemberRef } from '../helpers/factories';
import { useAdminConsole } from '../helpers/console-session';
import type { TestServer } from '../helpers/test-server';

/**
 * Everything manageable from the console, end to end in Chromium: providers (shared key
 * write-only, hint shown), models, users, tokens (shown once, copy, revoke), my account
 * (tokens, personal keys), and what a MEMBER may (not) do. Any console error or failed request fails.
 */
let t: TestServer;
let browser: Browser;
let admin: ConsolePage;
let member: MemberRef;

const session = useAdminConsole(
  async (server) => {
    await createProvider(server, 'acme', { name: 'Acme AI' });
    await createModel(server, 'acme', 'alpha', ['CHAT'], { displayName: 'Alpha One', active: true });
    member = await createMember(server, 'mia');
  },
  { permissions: ['clipboard-read', 'clipboard-write'] },
);
beforeAll(() => ({ t, browser, admin } = session));

/** Fills the open dialog's field by its label and returns the dialog. */
async function field(page: Page, label: string, value: string): Promise<void> {
  await openDialog(page).getByLabel(label, { exact: true }).fill(value);
}

test('providers: create with a write-only shared key, see its hint, edit, remove the key', async () => {
  const page = admin.page;
  await goToView(page, 'providers');
  await page.locator('#new-provider').click();
  await field(page, 'Slug', 'orbit');
  await field(page, 'Name', 'Orbit');
  await field(page, 'Base URL', 'https://api.orbit.example/v1');
  await field(page, 'New shared API key', 'sk-orbit-secret-4242');
  await openDialog(page).getByLabel('Users may use the shared key').check();
  await submitDialog(page);

  const row = page.locator('#view-providers tr[data-provider="orbit"]');
  await expectText(row, '…4242');
  expect(await row.textContent()).not.toContain('sk-orbit-secret');
  expect(await row.textContent()).toContain('https://api.orbit.example/v1');
  await admin.shot('providers', { docs: true });
  const stored = (
    await t.gql<{ provider: { name: string; baseUrl: string | null; sharedApiEnabled: boolean; hasSharedApiKey: boolean } }>(
      `{ provider(slug: "orbit") { name baseUrl sharedApiEnabled hasSharedApiKey } }`,
    )
  ).data.provider;
  expect(stored).toEqual({ name: 'Orbit', baseUrl: 'https://api.orbit.example/v1', sharedApiEnabled: true, hasSharedApiKey: true });

  // Edit: the key field is empty (write-only) and says which key is kept.
  await row.locator('button.edit-provider').click();
  expect(await openDialog(page).getByLabel('New shared API key', { exact: true }).inputValue()).toBe('');
  await expectText(openDialog(page), 'Current key ends …4242');
  await admin.shot('provider-edit', { docs: true, fullPage: false });
  await field(page, 'Name', 'Orbit Cloud');
  await openDialog(page).getByLabel('Remove the shared key').check();
  await openDialog(page).getByLabel('Users may use the shared key').uncheck();
  await submitDialog(page);
  await expectText(row, 'Orbit Cloud');
  const edited = (
    await t.gql<{ provider: { name: string; sharedApiEnabled: boolean; hasSharedApiKey: boolean } }>(
      `{ provider(slug: "orbit") { name sharedApiEnabled hasSharedApiKey } }`,
    )
  ).data.provider;
  expect(edited).toEqual({ name: 'Orbit Cloud', sharedApiEnabled: false, hasSharedApiKey: false });

  // A bad input is refused with the server's message, and the dialog stays open to fix it.
  await page.locator('#new-provider').click();
  await field(page, 'Slug', 'Not A Slug');
  await field(page, 'Name', 'Bad');
  await openDialog(page).locator('button[type=submit]').click();
  await expectText(openDialog(page).locator('.form-error'), 'BAD_USER_INPUT');
  await openDialog(page).locator('button.secondary', { hasText: 'Cancel' }).click();
  await openDialog(page).waitFor({ state: 'detached' });
});

test('models: create with capabilities, edit them, delete with a confirmation naming its slots', async () => {
  const page = admin.page;
  await goToView(page, 'providers');
  await page.locator('#view-providers tr[data-provider="acme"] button.new-model').click();
  await field(page, 'Name', 'delta');
  await field(page, 'Display name', 'Delta Four');
  await field(page, 'Provider’s model id', 'acme/delta-4');
  // No capability: the console says so before asking the server.
  await openDialog(page).locator('button[type=submit]').click();
  await expectText(openDialog(page).locator('.form-error'), 'capability');
  await openDialog(page).getByLabel('Chat', { exact: true }).check();
  await openDialog(page).getByLabel('Code', { exact: true }).check();
  await openDialog(page).getByLabel('Activate it for all its capabilities now').check();
  await submitDialog(page);

  const row = page.locator('section.models[data-provider="acme"] tr[data-model="delta"]');
  await expectText(row, 'Delta Four');
  expect(await row.locator('.chip').allTextContents()).toEqual(['Chat', 'Code', 'Chat', 'Code']);
  await admin.shot('providers-models', { docs: true });

  await row.locator('button.edit-model').click();
  await openDialog(page).getByLabel('Code', { exact: true }).uncheck();
  await openDialog(page).getByLabel('Content', { exact: true }).check();
  await submitDialog(page);
  await expectText(row.locator('td').nth(3), 'Content');
  const model = (
    await t.gql<{ provider: { models: { name: string; capabilities: string[]; activeCapabilities: string[] }[] } }>(
      `{ provider(slug: "acme") { models { name capabilities activeCapabilities } } }`,
    )
  ).data.provider.models.find((m) => m.name === 'delta');
  expect(model).toEqual({ name: 'delta', capabilities: ['CHAT', 'CONTENT'], activeCapabilities: ['CHAT'] });

  await row.locator('button.delete-model').click();
  const text = await expectText(openDialog(page), 'Chat');
  expect(text).toContain('nothing');
  await submitDialog(page);
  await row.waitFor({ state: 'detached' });
  expect(
    (await t.gql<{ activeModel: { id: string } | null }>(`{ activeModel(provider: "acme", capability: CHAT) { id } }`)).data.activeModel,
  ).toBeNull();
});

test('users and tokens: create a user, change role and shared-key permission, create a token shown once, copy it, revoke it', async () => {
  const page = admin.page;
  await goToView(page, 'users');
  await page.locator('#new-user').click();
  await field(page, 'Name', 'ravi');
  await submitDialog(page);
  const row = page.locator('#view-users tr[data-user="ravi"]');
  await expectText(row, 'MEMBER');

  await row.locator('button.edit-user').click();
  await openDialog(page).getByLabel('Role').selectOption('ADMIN');
  await openDialog(page).getByLabel('May use shared keys').uncheck();
  await submitDialog(page);
  await expectText(row, 'ADMIN');
  const users = (
    await t.gql<{ users: { edges: { node: { name: string; role: string; canUseSharedApi: boolean } }[] } }>(
      `{ users(first: 100) { edges { node { name role canUseSharedApi } } } }`,
    )
  ).data.users.edges.map((e) => e.node);
  expect(users).toContainEqual({ name: 'ravi', role: 'ADMIN', canUseSharedApi: false });

  // Tokens of ravi: create one; its secret is shown once, with a copy button.
  await row.locator('button.show-tokens').click();
  const panel = page.locator('section.tokens[data-user="ravi"]');
  await panel.waitFor();
  await panel.locator('button.new-token').click();
  await field(page, 'What it is for', 'ci-pipeline');
  await openDialog(page).locator('button[type=submit]').click();
  const secretInput = openDialog(page).locator('input.secret');
  await secretInput.waitFor();
  const secret = await secretInput.inputValue();
  expect(secret.length).toBeGreaterThan(20);
  await openDialog(page).locator('button.copy').click();
  await expectText(openDialog(page).locator('.copy-status'), 'Copied');
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret);
  await admin.shot('token-created', { docs: true, fullPage: false });
  await openDialog(page).locator('button[type=submit]').click();
  await openDialog(page).waitFor({ state: 'detached' });

  const tokenRow = panel.locator('tr[data-token="ci-pipeline"]');
  await expectText(tokenRow, 'active');
  expect(await page.locator('body').textContent()).not.toContain(secret); // never shown again
  expect((await t.gql<{ viewer: { name: string } }>(`{ viewer { name } }`, {}, { token: secret })).data.viewer.name).toBe('ravi');
  await admin.shot('users-tokens', { docs: true });

  await tokenRow.locator('button.revoke').click();
  await expectText(openDialog(page), 'stops working');
  await submitDialog(page);
  await expectText(page.locator('section.tokens[data-user="ravi"] tr[data-token="ci-pipeline"]'), 'revoked');
  expect(await page.locator('section.tokens[data-user="ravi"] tr[data-token="ci-pipeline"] button.revoke').isDisabled()).toBe(true);
  const after = await t.gql<unknown>(`{ viewer { name } }`, {}, { token: secret });
  expect(after.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
});

test('a MEMBER sees read-only views and manages its own account: tokens and personal keys', async () => {
  const p = await openConsolePage(browser, { permissions: ['clipboard-read', 'clipboard-write'] });
  try {
    const page = p.page;
    await signIn(page, t.url, member.token);
    // No admin-only sections; read-only slots and providers.
    expect(await page.locator('#nav a').evaluateAll((links) => links.map((a) => a.getAttribute('data-view')))).toEqual([
      'slots',
      'history',
      'providers',
      'account',
    ]);
    await page.locator('#read-only-note').waitFor();
    await page.locator('td[data-slot="acme:CHAT"]').waitFor();
    for (const button of await page.locator('#grid button').all()) expect(await button.isDisabled()).toBe(true);
    await goToView(page, 'providers');
    await page.locator('#view-providers table').first().waitFor();
    expect(await page.locator('#new-provider').isHidden()).toBe(true);
    expect(await page.locator('#view-providers button:visible').count()).toBe(0);

    await goToView(page, 'account');
    await expectText(page.locator('#view-account .account-who'), 'mia');
    // Own tokens.
    const mine = page.locator('#view-account section.tokens');
    await expectText(mine, 'mia-token');
    await mine.locator('button.new-token').click();
    await field(page, 'What it is for', 'laptop');
    await openDialog(page).locator('button[type=submit]').click();
    await openDialog(page).locator('input.secret').waitFor();
    await openDialog(page).locator('button[type=submit]').click();
    await openDialog(page).waitFor({ state: 'detached' });
    await expectText(mine.locator('tr[data-token="laptop"]'), 'active');

    // A personal key: write-only, only its hint comes back; then prefer the shared key; then remove it.
    const keyRow = page.locator('#view-account .personal-keys tr[data-provider="acme"]');
    await expectText(keyRow, 'no key');
    expect(await keyRow.locator('input.use-shared').isDisabled()).toBe(true);
    await keyRow.locator('button.set-key').click();
    await field(page, 'API key', 'sk-mia-personal-7788');
    await submitDialog(page);
    await expectText(keyRow, '…7788');
    expect(await page.locator('body').textContent()).not.toContain('sk-mia-personal');
    await keyRow.locator('input.use-shared').check();
    // The preference is saved (wait for the server's state, no fixed sleep).
    const keysOf = async () =>
      (
        await t.gql<{ viewer: { personalApiKeys: { keyHint: string; useSharedApi: boolean }[] } }>(
          `{ viewer { personalApiKeys { keyHint useSharedApi } } }`,
          {},
          { token: member.token },
        )
      ).data.viewer.personalApiKeys;
    for (let i = 0; i < 200 && !(await keysOf())[0]?.useSharedApi; i++) await new Promise((r) => setTimeout(r, 50));
    expect(await keysOf()).toEqual([{ keyHint: '…7788', useSharedApi: true }]);
    await page.locator('#view-account .personal-keys tr[data-provider="acme"] input.use-shared:checked:enabled').waitFor();
    await p.shot('member-account', { docs: true });

    await page.locator('#view-account .personal-keys tr[data-provider="acme"] button.remove-key').click();
    await submitDialog(page);
    await expectText(page.locator('#view-account .personal-keys tr[data-provider="acme"]'), 'no key');

    // The same at 390 px: cards, nothing sticking out.
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await horizontalOverflow(page)).toEqual([]);
    await p.shot('mobile-account');
    expect(p.problems).toEqual([]);
  } finally {
    await p.close();
  }
});

test('at 390 px the management views are cards and their dialogs fit', async () => {
  const page = admin.page;
  await page.setViewportSize({ width: 390, height: 844 });
  try {
    for (const view of ['providers', 'users', 'account']) {
      await goToView(page, view);
      await page.locator(`#view-${view} table`).first().waitFor();
      expect(await horizontalOverflow(page)).toEqual([]);
    }
    await goToView(page, 'users');
    await page.locator('#view-users tr[data-user="mia"] button.edit-user').click();
    await openDialog(page).waitFor();
    expect(await horizontalOverflow(page)).toEqual([]);
    await admin.shot('mobile-user-dialog', { fullPage: false });
    await openDialog(page).locator('button.secondary', { hasText: 'Cancel' }).click();
    await openDialog(page).waitFor({ state: 'detached' });
    await goToView(page, 'providers');
    await admin.shot('mobile-providers-cards');
  } finally {
    await page.setViewportSize({ width: 1280, height: 900 });
  }
});
