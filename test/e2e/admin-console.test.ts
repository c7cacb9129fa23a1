import type { Browser, Page } from 'playwright-core';
import { launchBrowser, type LaunchedBrowser } from '../helpers/browser';
import { activate, createModel, createProvider, type ModelRef } from '../helpers/factories';
import { ADMIN_TOKEN, startTestServer, type TestServer } from '../helpers/test-server';
import { waitFor } from '../helpers/wait';
import { ActiveModelNameDocument } from '../generated/graphql';

/** The admin console and the explorer in a real Chromium, against a real server. */
let t: TestServer;
let launched: LaunchedBrowser;
let browser: Browser;
let alpha: ModelRef;
let beta: ModelRef;
let gamma: ModelRef;
const SCREENSHOTS = process.env.SCREENSHOT_DIR ?? '/tmp';

beforeAll(async () => {
  t = await startTestServer();
  await createProvider(t, 'acme', { name: 'Acme AI' });
  alpha = await createModel(t, 'acme', 'alpha', ['CHAT'], { displayName: 'Alpha One', active: true });
  beta = await createModel(t, 'acme', 'beta', ['CHAT', 'CODE'], { displayName: 'Beta Two' });
  gamma = await createModel(t, 'acme', 'gamma', ['CHAT'], { displayName: 'Gamma Three' });
  launched = await launchBrowser();
  browser = launched.browser;
});
afterAll(async () => {
  await launched?.cleanup();
  await t?.close();
});

interface Watched {
  page: Page;
  problems: string[];
}

async function openPage(init?: () => void): Promise<Watched> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy|Refused to/i.test(m.text())) problems.push(`console: ${m.text()}`);
  });
  if (init) await page.addInitScript(init);
  return { page, problems };
}

async function signIn(page: Page): Promise<void> {
  await page.goto(`${t.url}/admin/`);
  await page.fill('#token', ADMIN_TOKEN);
  await page.click('#sign-in');
  await page.locator('td[data-slot="acme:CHAT"]').waitFor();
}

const cell = (page: Page, key = 'acme:CHAT') => page.locator(`td[data-slot="${key}"]`);

test('a switch in one page appears live in another', async () => {
  const one = await openPage();
  const two = await openPage();
  await signIn(one.page);
  await signIn(two.page);
  for (const { page } of [one, two]) {
    await page.locator('#live-status', { hasText: 'live' }).waitFor();
    await expectText(cell(page).locator('.slot-model'), 'Alpha One');
    await expectText(cell(page).locator('.slot-version'), 'v1');
  }

  await cell(one.page).locator('select').selectOption(beta.id);
  await cell(one.page).locator('button.switch').click();
  await expectText(cell(one.page).locator('.slot-model'), 'Beta Two');

  // Page two did nothing: the change arrives over the subscription.
  await expectText(cell(two.page).locator('.slot-model'), 'Beta Two');
  await expectText(cell(two.page).locator('.slot-version'), 'v2');
  expect(await two.page.locator('#live-status').textContent()).toBe('live');

  // And a change made through the API (another admin, a script) shows up in both.
  expect((await activate(t, gamma.id, { capabilities: ['CHAT'] })).errors).toBeUndefined();
  await expectText(cell(one.page).locator('.slot-version'), 'v3');
  await expectText(cell(two.page).locator('.slot-model'), 'Gamma Three');

  await one.page.screenshot({ path: `${SCREENSHOTS}/switchboard-admin.png`, fullPage: true });
  expect(one.problems).toEqual([]);
  expect(two.problems).toEqual([]);
  await one.page.context().close();
  await two.page.context().close();
});

test('switching from a stale version shows a conflict, then the current holder', async () => {
  // This page never gets live updates (its WebSocket never opens), so its versions go stale.
  const stale = await openPage(() => {
    class DeadSocket extends EventTarget {
      static readonly OPEN = 1;
      readyState = 0;
      send() {}
      close() {}
    }
    (window as unknown as { WebSocket: unknown }).WebSocket = DeadSocket;
  });
  await signIn(stale.page);
  const version = Number((await cell(stale.page).getAttribute('data-version')) ?? 'NaN');
  expect(version).toBeGreaterThan(0);

  // Someone else switches the slot meanwhile.
  expect((await activate(t, alpha.id, { capabilities: ['CHAT'] })).errors).toBeUndefined();

  await cell(stale.page).locator('select').selectOption(beta.id);
  await cell(stale.page).locator('button.switch').click();
  const error = cell(stale.page).locator('.slot-error[data-kind="conflict"]');
  await error.waitFor();
  expect(await error.textContent()).toContain('CONFLICT');
  // It refreshed the slot instead of overwriting it.
  await expectText(cell(stale.page).locator('.slot-model'), 'Alpha One');
  await expectText(cell(stale.page).locator('.slot-version'), `v${version + 1}`);
  const held = await t.op(ActiveModelNameDocument, { provider: 'acme', capability: 'CHAT' });
  expect(held.data.activeModel?.name).toBe('alpha');

  await stale.page.screenshot({ path: `${SCREENSHOTS}/switchboard-admin-conflict.png`, fullPage: true });
  expect(stale.problems).toEqual([]);
  await stale.page.context().close();
});

test('the explorer loads offline and shows GraphiQL', async () => {
  const { page, problems } = await openPage();
  const requests: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(`${t.url}/explorer/`);
  await page.locator('.graphiql-container').waitFor({ timeout: 20_000 });
  await page.locator('.graphiql-editor').first().waitFor();
  expect(await page.title()).toContain('explorer');

  const origin = new URL(t.url).origin;
  const outside = requests.filter((u) => !u.startsWith(origin + '/') && !u.startsWith('data:') && !u.startsWith('blob:'));
  expect(outside).toEqual([]);
  expect(new URL(t.url).hostname).toBe('127.0.0.1');
  expect(requests).toEqual(expect.arrayContaining([`${origin}/explorer/vendor/graphiql.min.js`, `${origin}/explorer/vendor/react.production.min.js`]));

  // A browser opening /graphql lands here too.
  await page.goto(`${t.url}/graphql`);
  expect(new URL(page.url()).pathname).toBe('/explorer/');
  await page.locator('.graphiql-container').waitFor();

  await page.screenshot({ path: `${SCREENSHOTS}/switchboard-explorer.png` });
  expect(problems).toEqual([]);
  await page.context().close();
});

async function expectText(locator: ReturnType<Page['locator']>, text: string, timeoutMs = 10_000): Promise<void> {
  await waitFor(() => locator.textContent(), (last) => Boolean(last?.includes(text)), { timeoutMs, intervalMs: 50, what: `the text "${text}"` });
}
