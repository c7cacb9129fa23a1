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
import { activate, createMember, createModel, createProvider, type ModelRef } from '../helpers/factories';
import { useAdminConsole } from '../helpers/console-session';
import { ADMIN_TOKEN, type TestServer } from '../helpers/test-server';
import { waitFor } from '../helpers/wait';

/**
 * The console's change-management views (issue 11's API, api-contract-changes.graphql) in
 * Chromium: a reason on a switch, history across providers with filters, revert from a row,
 * scheduled switches (create, list, cancel, status live), the audit log with its filters, and
 * the same views at 390 px and in Persian. Any console error or failed request fails the test.
 */
let t: TestServer;
let browser: Browser;
let admin: ConsolePage;
let alpha: ModelRef;
let beta: ModelRef;
let orbitChat: ModelRef;

const session = useAdminConsole(async (server) => {
  await createProvider(server, 'acme', { name: 'Acme AI' });
  alpha = await createModel(server, 'acme', 'alpha', ['CHAT'], { displayName: 'Alpha One', active: true });
  beta = await createModel(server, 'acme', 'beta', ['CHAT', 'CODE'], { displayName: 'Beta Two' });
  await createProvider(server, 'orbit', { name: 'Orbit' });
  orbitChat = await createModel(server, 'orbit', 'o-chat', ['CHAT'], { displayName: 'Orbit Chat' });
});
beforeAll(() => ({ t, browser, admin } = session));

const cell = (page: Page, key: string) => page.locator(`td[data-slot="${key}"]`);

/** The slot's current version and holder, from the API. */
async function slot(provider: string, capability: string): Promise<{ version: number; modelId: string | null }> {
  const res = await t.gql<{ activationHistory: { edges: { node: { version: number; model: { id: string } | null } }[] } }>(
    `query($p: String!, $c: Capability!) { activationHistory(provider: $p, capability: $c, first: 1) { edges { node { version model { id } } } } }`,
    { p: provider, c: capability },
  );
  const node = res.data.activationHistory.edges[0]?.node;
  return { version: node?.version ?? 0, modelId: node?.model?.id ?? null };
}

test('a switch carries its reason; history spans every provider, filters, and reverts from any row', async () => {
  const page = admin.page;
  await goToView(page, 'slots');
  const before = await slot('acme', 'CHAT');
  const target = before.modelId === beta.id ? alpha : beta;
  await cell(page, 'acme:CHAT').locator('select').selectOption(target.id);
  await cell(page, 'acme:CHAT').locator('button.switch').click();
  await openDialog(page).getByLabel('Reason (optional)').fill('Nightly evaluation winner');
  await submitDialog(page);
  await expectText(cell(page, 'acme:CHAT').locator('.slot-version'), `v${before.version + 1}`);
  // Another provider changes too (through the API).
  expect((await activate(t, orbitChat.id, { capabilities: ['CHAT'] })).errors).toBeUndefined();

  await goToView(page, 'history');
  const rows = page.locator('#history-list tr[data-cursor]');
  await expectText(page.locator('#history-list'), 'Orbit');
  await expectText(page.locator('#history-list'), 'Acme AI');
  await expectText(page.locator(`#history-list tr[data-slot="acme:CHAT"][data-version="${before.version + 1}"]`), 'Nightly evaluation winner');
  await admin.shot('history-all-providers', { docs: true });

  // Filter: one provider only.
  await page.selectOption('#history-provider', 'orbit');
  await expectText(page.locator('#history-list'), 'Orbit Chat');
  for (const text of await rows.allTextContents()) expect(text).toContain('Orbit');
  await page.selectOption('#history-provider', '');

  // Revert acme CHAT to what it held before the switch, from that row.
  const oldRow = page.locator(`#history-list tr[data-slot="acme:CHAT"][data-version="${before.version}"]`);
  await expectText(page.locator('#history-list'), 'Acme AI');
  await oldRow.locator('button.revert').click();
  await expectText(openDialog(page), `v${before.version}`);
  await openDialog(page).getByLabel('Reason (optional)').fill('Roll back the nightly switch');
  await submitDialog(page);
  const revertedRow = page.locator(`#history-list tr[data-slot="acme:CHAT"][data-version="${before.version + 2}"]`);
  await expectText(revertedRow, 'Roll back the nightly switch');
  const after = await slot('acme', 'CHAT');
  expect(after).toEqual({ version: before.version + 2, modelId: before.modelId });
  // The newest row is current: it cannot be "reverted" to itself.
  expect(await revertedRow.locator('button.revert').isDisabled()).toBe(true);
});

test("a pick gone stale shows the other admin's reason", async () => {
  const page = admin.page;
  await goToView(page, 'slots');
  // Alpha holds the slot (whatever ran before); this admin picks Beta.
  expect((await activate(t, alpha.id, { capabilities: ['CHAT'] })).errors).toBeUndefined();
  await page.locator(`td[data-slot="acme:CHAT"][data-model-id="${alpha.id}"]`).waitFor();
  const picked = beta;
  const other = alpha;
  await cell(page, 'acme:CHAT').locator('select').selectOption(picked.id);
  // Someone else empties the slot, with a reason, before this admin switches.
  const res = await t.gql<unknown>(`mutation($input: DeactivateModelInput!) { deactivateModel(input: $input) { changes { version } } }`, {
    input: { modelId: other.id, capabilities: ['CHAT'], reason: 'Incident 4711: provider outage' },
  });
  expect(res.errors).toBeUndefined();
  const notice = cell(page, 'acme:CHAT').locator('.slot-notice[data-kind="stale"]');
  await expectText(notice, 'Incident 4711: provider outage');
  await cell(page, 'acme:CHAT').locator('select').selectOption('');
});

test('scheduled switches: create one that applies live, cancel another', async () => {
  const page = admin.page;
  await goToView(page, 'scheduled');
  const before = await slot('orbit', 'CHAT');
  // Due in a few seconds, in the browser's local time (datetime-local).
  const due = await page.evaluate(() => {
    const d = new Date(Date.now() + 4_000);
    const local = new Date(d.getTime() - d.getTimezoneOffset() * 60_000);
    return local.toISOString().slice(0, 19);
  });
  // Make the slot's holder differ from the scheduled model so the switch is a change.
  if (before.modelId === orbitChat.id) {
    expect(
      (await t.gql<unknown>(`mutation($id: ID!) { deactivateModel(input: { modelId: $id }) { changes { version } } }`, { id: orbitChat.id }))
        .errors,
    ).toBeUndefined();
  }
  await page.locator('#new-schedule').click();
  await openDialog(page).getByLabel('Provider').selectOption('orbit');
  await openDialog(page).getByLabel('Model').selectOption(orbitChat.id);
  await openDialog(page).getByLabel('Chat', { exact: true }).check();
  await openDialog(page).getByLabel('When (your local time)').fill(due);
  await openDialog(page).getByLabel('Reason (optional)').fill('Launch window');
  await submitDialog(page);

  const row = page.locator('#scheduled-list tr[data-status]').filter({ hasText: 'Launch window' });
  await expectText(row, 'pending');
  await admin.shot('scheduled-pending', { docs: true });
  // It applies on the server within 2 s of its time; the row follows without a reload.
  await expectText(row, 'applied', 20_000);
  expect((await slot('orbit', 'CHAT')).modelId).toBe(orbitChat.id);

  // Another, far ahead, made through the API: cancel it from the console.
  const at = new Date(Date.now() + 24 * 3600_000).toISOString();
  const made = await t.gql<{ scheduleActivation: { id: string } }>(
    `mutation($input: ScheduleActivationInput!) { scheduleActivation(input: $input) { id } }`,
    {
      input: { modelId: beta.id, capabilities: ['CODE'], at, reason: 'Tomorrow' },
    },
  );
  expect(made.errors).toBeUndefined();
  await page.locator('#view-scheduled .section-head select').selectOption('PENDING');
  const pending = page.locator('#scheduled-list tr[data-status="PENDING"]').filter({ hasText: 'Tomorrow' });
  await pending.locator('button.cancel-schedule').click();
  await expectText(openDialog(page), 'Beta Two');
  await submitDialog(page);
  await page.locator('#view-scheduled .section-head select').selectOption('');
  await expectText(page.locator('#scheduled-list tr[data-status]').filter({ hasText: 'Tomorrow' }), 'cancelled');
  const status = await t.gql<{ scheduledChanges: { edges: { node: { id: string } }[] } }>(
    `{ scheduledChanges(status: CANCELLED) { edges { node { id } } } }`,
  );
  expect(status.data.scheduledChanges.edges.map((e) => e.node.id)).toContain(made.data.scheduleActivation.id);
  await admin.shot('scheduled', { docs: true });
});

test('the audit log lists what happened, with its filters', async () => {
  const page = admin.page;
  const created = await t.gql<unknown>(`mutation { createUser(input: { name: "audit-subject", role: MEMBER }) { id } }`);
  expect(created.errors).toBeUndefined();
  await goToView(page, 'audit');
  const list = page.locator('#audit-list');
  await expectText(list, 'audit-subject');

  await page.selectOption('#audit-action', 'USER_CREATED');
  await expectText(list, 'USER_CREATED');
  // The filtered page replaces the list: wait for that state (every row USER_CREATED), then check it.
  const actions = await waitFor(
    () => page.locator('#audit-list tr[data-action]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-action'))),
    (shown) => shown.length > 0 && shown.every((a) => a === 'USER_CREATED'),
    { what: 'the audit list filtered to USER_CREATED' },
  );
  expect(new Set(actions)).toEqual(new Set(['USER_CREATED']));
  await page.selectOption('#audit-target', 'user');
  await expectText(list, 'audit-subject');
  await page.locator('#audit-actor').selectOption({ label: 'admin' });
  await expectText(list, 'audit-subject');
  await admin.shot('audit-log', { docs: true });

  // A date range that ends before today finds nothing.
  await page.fill('#audit-to', '2020-01-01');
  await page.locator('#view-audit form.filters button[type=submit]').click();
  await expectText(list, 'No events match');
  await page.fill('#audit-to', '');
  for (const id of ['#audit-actor', '#audit-action', '#audit-target']) await page.selectOption(id, '');
});

test('the audit log reads a page at a time: "Load more" appends the next page, then hides', async () => {
  const page = admin.page;
  // More USER_CREATED events than one page of the view (25) and fewer than two.
  for (let i = 1; i <= 30; i++) await createMember(t, `pager-${String(i).padStart(2, '0')}`);
  const all = await t.gql<{ auditLog: { edges: { node: { id: string } }[]; pageInfo: { hasNextPage: boolean } } }>(
    `{ auditLog(action: USER_CREATED, first: 100) { edges { node { id } } pageInfo { hasNextPage } } }`,
  );
  const expected = all.data.auditLog.edges.map((e) => e.node.id);
  expect(all.data.auditLog.pageInfo.hasNextPage).toBe(false);
  expect(expected.length).toBeGreaterThan(25);
  expect(expected.length).toBeLessThanOrEqual(50);

  await goToView(page, 'audit');
  // Choosing the action reloads the list from its first page.
  await page.selectOption('#audit-action', 'USER_CREATED');
  const shown = () => page.locator('#audit-list tr[data-id]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-id')));
  const more = page.locator('#view-audit button.more');
  const firstPage = await waitFor(shown, (ids) => ids.join() === expected.slice(0, 25).join(), { what: 'the first 25 events' });
  expect(firstPage).toHaveLength(25);
  expect(await page.locator('#audit-list').textContent()).not.toContain('pager-01');
  expect(await more.isVisible()).toBe(true);

  await more.click();
  // The rest is appended below the first page, in order, none twice; there is no next page, so no button.
  await waitFor(shown, (ids) => ids.join() === expected.join(), { what: `all ${expected.length} events` });
  await expectText(page.locator('#audit-list'), 'pager-01');
  await more.waitFor({ state: 'hidden' });
  await page.selectOption('#audit-action', '');
});

test('at 390 px and in Persian the change views fit and are translated', async () => {
  const p = await openConsolePage(browser, { width: 390, height: 844, locale: 'fa-IR' });
  try {
    const page = p.page;
    await signIn(page, t.url, ADMIN_TOKEN);
    expect(await page.getAttribute('html', 'dir')).toBe('rtl');
    for (const view of ['history', 'scheduled', 'audit']) {
      await goToView(page, view);
      await page.locator(`#view-${view} table, #view-${view} .empty-note`).first().waitFor();
      expect(await horizontalOverflow(page)).toEqual([]);
    }
    await goToView(page, 'history');
    await page.locator('#history-list tr[data-cursor]').first().waitFor();
    expect(await page.locator('#nav a[data-view="history"]').textContent()).toBe('تاریخچه');
    expect(await page.locator('#history-list td').first().getAttribute('data-label')).toBe('زمان');
    await p.shot('mobile-persian-history', { docs: true });
    await goToView(page, 'audit');
    await page.locator('#audit-list tr[data-action]').first().waitFor();
    // Summaries come from the server in the caller's language.
    expect(await page.locator('#audit-list .audit-summary').first().textContent()).toMatch(/[\u0600-\u06FF]/);
    expect(p.problems).toEqual([]);
  } finally {
    await p.close();
  }
});
