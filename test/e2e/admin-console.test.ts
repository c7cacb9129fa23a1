import type { Browser, Page } from 'playwright-core';
import { launchBrowser, type LaunchedBrowser } from '../helpers/browser';
import { ARTIFACTS_DIR, expectText, horizontalOverflow, openConsolePage, signIn, type ConsolePage } from '../helpers/console-page';
import { activate, createModel, createProvider, type ModelRef } from '../helpers/factories';
import { ADMIN_TOKEN, startTestServer, type TestServer } from '../helpers/test-server';

/**
 * The admin console's slots in a real Chromium, against a real server: live updates, picks that
 * go stale, the CONFLICT message, clearing with a confirmation, the layout at 1280 and 390 px,
 * and the whole console in Persian. Each page fails the test on any console error or failed request.
 */
let t: TestServer;
let launched: LaunchedBrowser;
let browser: Browser;
let alpha: ModelRef;
let beta: ModelRef;
let gamma: ModelRef;
let pages: ConsolePage[] = [];
/** One signed-in admin page at 1280 px, reused by the tests that need nothing special. */
let admin: ConsolePage;

beforeAll(async () => {
  t = await startTestServer();
  await createProvider(t, 'acme', { name: 'Acme AI' });
  alpha = await createModel(t, 'acme', 'alpha', ['CHAT'], { displayName: 'Alpha One', active: true });
  beta = await createModel(t, 'acme', 'beta', ['CHAT', 'CODE'], { displayName: 'Beta Two' });
  gamma = await createModel(t, 'acme', 'gamma', ['CHAT'], { displayName: 'Gamma Three' });
  await createProvider(t, 'nimbus', { name: 'Nimbus' });
  await createModel(t, 'nimbus', 'n-embed', ['EMBEDDING'], { displayName: 'Nimbus Embed', active: true });
  await createModel(t, 'nimbus', 'n-chat', ['CHAT', 'CONTENT'], { displayName: 'Nimbus Chat' });
  launched = await launchBrowser();
  browser = launched.browser;
  admin = await openConsolePage(browser, { width: 1280 });
  await signIn(admin.page, t.url, ADMIN_TOKEN);
});
afterEach(async () => {
  // Every page of the test must have run clean: no console error, no failed request.
  const problems = [...admin.problems.splice(0), ...pages.flatMap((p) => p.problems)];
  await Promise.all(pages.map((p) => p.close()));
  pages = [];
  expect(problems).toEqual([]);
});
afterAll(async () => {
  await admin?.close();
  await launched?.cleanup();
  await t?.close();
});

async function open(options: Parameters<typeof openConsolePage>[1] = {}): Promise<ConsolePage> {
  const p = await openConsolePage(browser, options);
  pages.push(p);
  return p;
}

const cell = (page: Page, key = 'acme:CHAT') => page.locator(`td[data-slot="${key}"]`);

async function showSlots(page: Page): Promise<void> {
  await page.locator('#nav a[data-view="slots"]').click();
  await cell(page).waitFor();
}

async function pick(page: Page, key: string, modelId: string): Promise<void> {
  await cell(page, key).locator('select').selectOption(modelId);
}

/** Switch through the confirmation dialog (optionally with a reason). */
async function confirmSwitch(page: Page, key: string, expectedButton = 'Switch'): Promise<void> {
  await cell(page, key).locator('button.switch').click();
  const dialog = page.locator('dialog[open]');
  await dialog.waitFor();
  await expectText(dialog.locator('button[type=submit]'), expectedButton);
  await dialog.locator('button[type=submit]').click();
  await dialog.waitFor({ state: 'detached' }).catch(() => page.locator('dialog[open]').waitFor({ state: 'hidden' }));
}

async function slotVersion(page: Page, key = 'acme:CHAT'): Promise<number> {
  return Number((await cell(page, key).getAttribute('data-version')) ?? 'NaN');
}

test('a switch in one page appears live in another', async () => {
  const one = admin;
  const two = await open();
  await signIn(two.page, t.url, ADMIN_TOKEN);
  const start = await slotVersion(one.page);
  for (const { page } of [one, two]) await expectText(cell(page).locator('.slot-model'), /Alpha One|Gamma Three|Beta Two/);

  await pick(one.page, 'acme:CHAT', beta.id);
  await confirmSwitch(one.page, 'acme:CHAT');
  await expectText(cell(one.page).locator('.slot-model'), 'Beta Two');

  // Page two did nothing: the change arrives over the subscription.
  await expectText(cell(two.page).locator('.slot-model'), 'Beta Two');
  await expectText(cell(two.page).locator('.slot-version'), `v${start + 1}`);
  expect(await two.page.locator('#live-status').getAttribute('data-state')).toBe('live');

  // And a change made through the API (another admin, a script) shows up in both.
  expect((await activate(t, gamma.id, { capabilities: ['CHAT'] })).errors).toBeUndefined();
  await expectText(cell(one.page).locator('.slot-version'), `v${start + 2}`);
  await expectText(cell(two.page).locator('.slot-model'), 'Gamma Three');
  await one.shot('slots-live', { docs: true });
});

test('a pick made before a live change goes stale, names who changed it to what, and needs a fresh confirmation', async () => {
  const p = admin;
  await showSlots(p.page);
  const held = await cell(p.page).getAttribute('data-model-id');
  const picked = held === beta.id ? alpha : beta;
  const other = held === gamma.id || picked === gamma ? (held === alpha.id ? beta : alpha) : gamma;
  await pick(p.page, 'acme:CHAT', picked.id);
  const pickedAt = await slotVersion(p.page);

  // Another admin switches the slot through the API before this one clicks Switch.
  expect((await activate(t, other.id, { capabilities: ['CHAT'] })).errors).toBeUndefined();
  await expectText(cell(p.page).locator('.slot-version'), `v${pickedAt + 1}`);
  const notice = cell(p.page).locator('.slot-notice[data-kind="stale"]');
  const text = await expectText(notice, 'admin');
  expect(text).toContain(`v${pickedAt}`);
  expect(text).toContain(other === gamma ? 'Gamma Three' : other === alpha ? 'Alpha One' : 'Beta Two');
  // The pick is kept, not silently re-based.
  expect(await cell(p.page).locator('select').inputValue()).toBe(picked.id);
  await expectText(cell(p.page).locator('button.switch'), 'Review');
  await p.shot('slots-stale-pick', { docs: true });

  // Switch asks again, saying what changed; only "Switch anyway" goes ahead.
  await cell(p.page).locator('button.switch').click();
  const dialog = p.page.locator('dialog[open]');
  await expectText(dialog.locator('[data-kind="stale"]'), 'admin');
  await expectText(dialog.locator('button[type=submit]'), 'Switch anyway');
  await p.shot('switch-confirm-stale', { docs: true });
  await dialog.locator('button[type=submit]').click();
  await expectText(cell(p.page).locator('.slot-version'), `v${pickedAt + 2}`);
  expect(await cell(p.page).getAttribute('data-model-id')).toBe(picked.id);
  expect(await cell(p.page).locator('.slot-notice').isHidden()).toBe(true);
});

test('a change arriving while the Switch dialog is open shows there and asks to confirm again', async () => {
  const p = admin;
  await showSlots(p.page);
  const held = await cell(p.page).getAttribute('data-model-id');
  const picked = held === beta.id ? alpha : beta;
  const other = [alpha, beta, gamma].find((m) => m.id !== held && m.id !== picked.id)!;
  await pick(p.page, 'acme:CHAT', picked.id);
  const pickedAt = await slotVersion(p.page);
  await cell(p.page).locator('button.switch').click();
  const dialog = p.page.locator('dialog[open]');
  await expectText(dialog.locator('button[type=submit]'), 'Switch');
  expect(await dialog.locator('[data-kind="stale"]').count()).toBe(0);

  expect((await activate(t, other.id, { capabilities: ['CHAT'] })).errors).toBeUndefined();
  await expectText(dialog.locator('[data-kind="stale"]'), 'admin');
  await expectText(dialog.locator('button[type=submit]'), 'Switch anyway');
  await dialog.locator('button[type=submit]').click();
  await expectText(cell(p.page).locator('.slot-version'), `v${pickedAt + 2}`);
  expect(
    (await t.gql<{ activeModel: { id: string } | null }>(`{ activeModel(provider: "acme", capability: CHAT) { id } }`)).data.activeModel?.id,
  ).toBe(picked.id);
});

test('switching from a stale version shows one CONFLICT message naming the current holder', async () => {
  // This page never gets live updates (its WebSocket never opens), so its versions go stale unseen.
  const stale = await open({
    init: () => {
      class DeadSocket extends EventTarget {
        static readonly OPEN = 1;
        readyState = 0;
        send() {}
        close() {}
      }
      (window as unknown as { WebSocket: unknown }).WebSocket = DeadSocket;
    },
  });
  await stale.page.goto(`${t.url}/admin/`);
  await stale.page.fill('#token', ADMIN_TOKEN);
  await stale.page.click('#sign-in');
  // No live feed here, so the grid loads on demand.
  await stale.page.locator('#refresh').click();
  await cell(stale.page).waitFor();
  await expectText(cell(stale.page).locator('.slot-model'), /\w/);
  const version = await slotVersion(stale.page);
  const held = await cell(stale.page).getAttribute('data-model-id');
  const target = held === alpha.id ? beta : alpha;
  const someoneElse = held === gamma.id ? (target === alpha ? beta : alpha) : gamma;

  await pick(stale.page, 'acme:CHAT', target.id);
  expect((await activate(t, someoneElse.id, { capabilities: ['CHAT'] })).errors).toBeUndefined();
  await confirmSwitch(stale.page, 'acme:CHAT');

  const notice = cell(stale.page).locator('.slot-notice[data-kind="conflict"]');
  await notice.waitFor();
  const name = someoneElse === gamma ? 'Gamma Three' : someoneElse === alpha ? 'Alpha One' : 'Beta Two';
  const text = (await notice.textContent()) ?? '';
  expect(text).toContain(name);
  expect(text).toContain(`v${version + 1}`);
  expect(text).toContain('admin');
  // One message: not the server's "Reload and try again" on top of the console's own.
  expect(await notice.locator('span').count()).toBe(1);
  expect(text).not.toContain('Reload');
  // Nothing was overwritten; the pick is kept and needs a fresh confirmation.
  const now = await t.gql<{ activeModel: { id: string } | null }>(`{ activeModel(provider: "acme", capability: CHAT) { id } }`);
  expect(now.data.activeModel?.id).toBe(someoneElse.id);
  expect(await cell(stale.page).locator('select').inputValue()).toBe(target.id);
  await expectText(cell(stale.page).locator('button.switch'), 'Review');
  await stale.shot('slots-conflict', { docs: true });
});

test('clearing a slot asks first and says services will get nothing', async () => {
  const p = admin;
  await showSlots(p.page);
  const key = 'nimbus:EMBEDDING';
  await expectText(cell(p.page, key).locator('.slot-model'), 'Nimbus Embed');
  await cell(p.page, key).locator('button.clear').click();
  const dialog = p.page.locator('dialog[open]');
  const body = await expectText(dialog, 'nothing');
  expect(body).toContain('Nimbus Embed');
  await p.shot('clear-confirm', { docs: true, fullPage: false });
  // Cancelling changes nothing.
  await dialog.locator('button.secondary', { hasText: 'Cancel' }).click();
  await dialog.waitFor({ state: 'hidden' });
  expect(
    (await t.gql<{ activeModel: { id: string } | null }>(`{ activeModel(provider: "nimbus", capability: EMBEDDING) { id } }`)).data.activeModel,
  ).not.toBeNull();

  await cell(p.page, key).locator('button.clear').click();
  await p.page.locator('dialog[open] button[type=submit]').click();
  await expectText(cell(p.page, key).locator('.slot-model'), 'empty');
  expect(await cell(p.page, key).getAttribute('data-state')).toBe('empty');
  expect(
    (await t.gql<{ activeModel: { id: string } | null }>(`{ activeModel(provider: "nimbus", capability: EMBEDDING) { id } }`)).data.activeModel,
  ).toBeNull();
});

test('only capabilities some model has are shown, every column fits at 1280 px, and a toggle shows all', async () => {
  const p = admin;
  await showSlots(p.page);
  await cell(p.page).waitFor();
  const headers = await p.page.locator('#grid thead th').allTextContents();
  expect(headers).toEqual(['Provider', 'Chat', 'Code', 'Content', 'Embedding']);
  // Nimbus has no CODE model: no controls there, only a dash.
  expect(await p.page.locator('td[data-slot="nimbus:CODE"]').count()).toBe(0);
  expect(await p.page.locator('tr[data-provider="nimbus"] td.not-offered').count()).toBe(1);
  expect(await horizontalOverflow(p.page)).toEqual([]);
  // Disabled controls look disabled: grey and a not-allowed cursor.
  const disabledSwitch = cell(p.page, 'acme:CODE').locator('button.switch');
  expect(await disabledSwitch.isDisabled()).toBe(true);
  const style = await disabledSwitch.evaluate((el) => ({ cursor: getComputedStyle(el).cursor, bg: getComputedStyle(el).backgroundColor }));
  const enabledBg = await p.page.locator('#sign-out').evaluate((el) => getComputedStyle(el).backgroundColor);
  expect(style.cursor).toBe('not-allowed');
  expect(style.bg).not.toBe(enabledBg);
  // Relative times, with the exact ISO time on hover.
  const time = cell(p.page).locator('time').first();
  expect(await time.textContent()).toMatch(/ago|now|sec|min/);
  expect(await time.getAttribute('title')).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/);
  await p.shot('slots-1280', { docs: true });

  const showAll = p.page.locator('label', { hasText: 'Show all capabilities' });
  const select = cell(p.page, 'acme:CODE').locator('select');
  await showAll.click();
  try {
    expect(await p.page.locator('#grid thead th').count()).toBe(7);
    await expectText(cell(p.page, 'acme:IMAGE').locator('select'), 'No model has this capability');
    expect(await horizontalOverflow(p.page)).toEqual([]);
    await p.shot('slots-all-capabilities');

    // Keyboard: a pick made with the keyboard, then Tab reaches Switch, and focus is visible.
    await select.focus();
    await select.selectOption(beta.id);
    await p.page.keyboard.press('Tab');
    const focused = await p.page.evaluate(() => ({
      cls: document.activeElement?.className,
      outline: getComputedStyle(document.activeElement!).outlineStyle,
    }));
    expect(focused.cls).toContain('switch');
    expect(focused.outline).not.toBe('none');
  } finally {
    // The page is shared with the other tests: leave it as it was.
    await select.selectOption('');
    await showAll.click();
  }
});

test('at 390 px the slots are cards and the main flows work without horizontal scrolling', async () => {
  const p = admin;
  await p.page.setViewportSize({ width: 390, height: 844 });
  try {
    await showSlots(p.page);
    expect(await horizontalOverflow(p.page)).toEqual([]);
    expect(await p.page.locator('#grid thead').isHidden()).toBe(true);
    // Every offered capability is reachable (not only CHAT, as before).
    for (const key of ['acme:CHAT', 'acme:CODE', 'nimbus:CONTENT', 'nimbus:EMBEDDING']) expect(await cell(p.page, key).isVisible()).toBe(true);

    await pick(
      p.page,
      'nimbus:CONTENT',
      (
        await t.gql<{ provider: { models: { id: string; name: string }[] } }>(`{ provider(slug: "nimbus") { models { id name } } }`)
      ).data.provider.models.find((m) => m.name === 'n-chat')!.id,
    );
    await confirmSwitch(p.page, 'nimbus:CONTENT');
    await expectText(cell(p.page, 'nimbus:CONTENT').locator('.slot-model'), 'Nimbus Chat');
    await p.shot('mobile-slots', { docs: true });

    for (const view of ['providers', 'users', 'account']) {
      await p.page.locator(`#nav a[data-view="${view}"]`).click();
      await p.page.locator(`#view-${view}:not([hidden])`).waitFor();
      await p.page.locator(`#view-${view} table, #view-${view} .empty-note`).first().waitFor();
      expect(await horizontalOverflow(p.page)).toEqual([]);
      if (view === 'providers') await p.shot('mobile-providers', { docs: true });
    }
  } finally {
    await p.page.setViewportSize({ width: 1280, height: 900 });
  }
});

test('in Persian the console is right-to-left, translated, with Persian digits and calendar, and shows the server errors in Persian', async () => {
  const p = await open({ locale: 'fa-IR', width: 1280 });
  await p.page.goto(`${t.url}/admin/`);
  expect(await p.page.getAttribute('html', 'dir')).toBe('rtl');
  expect(await p.page.getAttribute('html', 'lang')).toBe('fa');
  expect(await p.page.locator('#sign-in').textContent()).toBe('ورود');
  // Every English string has its Persian one.
  expect(
    await p.page.evaluate(async () => {
      // A URL the browser resolves (the console's own module), not a module TypeScript can see.
      const url: string = '/admin/i18n.js';
      return ((await import(url)) as { missingTranslations(): string[] }).missingTranslations();
    }),
  ).toEqual([]);
  await p.page.fill('#token', ADMIN_TOKEN);
  await p.page.click('#sign-in');
  await p.page.locator('#live-status[data-state="live"]').waitFor();
  await cell(p.page).waitFor();
  expect(await p.page.locator('#nav a[data-view="slots"]').textContent()).toBe('مدل‌های فعال');
  expect(await p.page.locator('#grid thead th').first().textContent()).toBe('ارائه‌دهنده');
  expect(await p.page.locator('#grid thead th').nth(1).textContent()).toBe('گفتگو');
  expect(await expectText(cell(p.page).locator('.slot-version'), 'نسخهٔ')).toMatch(/[۰-۹]/);
  // The exact time on hover is ISO; the shown one is relative, in Persian.
  const time = cell(p.page).locator('time').first();
  expect(await time.textContent()).toMatch(/پیش|اکنون|اکنون|ثانیه|دقیقه/);
  // The Persian calendar: this year is 14xx in the Solar Hijri calendar.
  expect(await time.getAttribute('title')).toMatch(/۱۴[۰-۹]{2}/);
  expect(await horizontalOverflow(p.page)).toEqual([]);
  await p.shot('persian-slots', { docs: true });
  // Right to left at 390 px too: cards, nothing sticking out on either side.
  await p.page.setViewportSize({ width: 390, height: 844 });
  expect(await horizontalOverflow(p.page)).toEqual([]);
  await p.shot('mobile-persian-slots', { docs: true });
  await p.page.setViewportSize({ width: 1280, height: 900 });

  // A server error comes back in Persian (Accept-Language: fa) and is shown as it came.
  await p.page.locator('#nav a[data-view="providers"]').click();
  await p.page.locator('#new-provider').click();
  const dialog = p.page.locator('dialog[open]');
  await dialog.locator('input').first().fill('acme');
  await dialog.locator('input').nth(1).fill('Acme again');
  await dialog.locator('button[type=submit]').click();
  const error = await expectText(dialog.locator('.form-error'), 'CONFLICT');
  expect(error).toMatch(/[\u0600-\u06FF]/);
  await p.shot('persian-error', { docs: true, fullPage: false });
  await dialog.locator('button.secondary').click();

  // The switcher goes back to English, left to right.
  await p.page.selectOption('#language', 'en');
  expect(await p.page.getAttribute('html', 'dir')).toBe('ltr');
  await expectText(p.page.locator('#nav a[data-view="slots"]'), 'Active models');
  await p.page.selectOption('#language', 'fa');
  expect(await p.page.getAttribute('html', 'dir')).toBe('rtl');
});

test('the explorer loads offline and shows GraphiQL', async () => {
  // Not the console: GraphiQL's own requests without a token are refused (401) by design, so
  // only page errors and CSP refusals count here.
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy|Refused to/i.test(m.text())) problems.push(`console: ${m.text()}`);
  });
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
  expect(requests).toEqual(
    expect.arrayContaining([`${origin}/explorer/vendor/graphiql.min.js`, `${origin}/explorer/vendor/react.production.min.js`]),
  );

  // A browser opening /graphql lands here too.
  await page.goto(`${t.url}/graphql`);
  expect(new URL(page.url()).pathname).toBe('/explorer/');
  await page.locator('.graphiql-container').waitFor();
  await page.screenshot({ path: `${ARTIFACTS_DIR}/explorer.png` });
  expect(problems).toEqual([]);
  await context.close();
});
