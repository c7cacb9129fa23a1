import type { Browser, Page } from 'playwright-core';
import { launchBrowser, type LaunchedBrowser } from '../helpers/browser';
import { activate, createMember, createModel, createProvider, expectOk, type ModelRef } from '../helpers/factories';
import { ADMIN_TOKEN, startTestServer, type TestServer } from '../helpers/test-server';

/** The first page (GET /) and the explorer's start, in a real Chromium against a real server. */

jest.setTimeout(180_000);

let t: TestServer;
let launched: LaunchedBrowser;
let browser: Browser;
let models: ModelRef[];

beforeAll(async () => {
  t = await startTestServer();
  await createProvider(t, 'openrouter', { name: 'OpenRouter' });
  models = [await createModel(t, 'openrouter', 'alpha', ['CHAT'], { active: true }), await createModel(t, 'openrouter', 'beta', ['CHAT'])];
  launched = await launchBrowser();
  browser = launched.browser;
});

afterAll(async () => {
  await launched?.cleanup();
  await t?.close();
});

interface Opened {
  page: Page;
  problems: string[];
  /** Every /graphql answer over HTTP that carried errors. */
  graphqlErrors: string[];
}

async function open(url: string, storedToken?: string): Promise<Opened> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  const problems: string[] = [];
  const graphqlErrors: string[] = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('response', async (r) => {
    if (!r.url().endsWith('/graphql') || r.request().method() !== 'POST') return;
    const body = await r.json().catch(() => null);
    if (!body || body.errors) graphqlErrors.push(`${r.status()} ${JSON.stringify(body?.errors ?? body)}`);
  });
  if (storedToken) await page.addInitScript((token) => localStorage.setItem('switchboard.adminToken', token), storedToken);
  await page.goto(url);
  return { page, problems, graphqlErrors };
}

/** The text of every CodeMirror editor of GraphiQL (query, variables, headers, response). */
const editors = (page: Page) =>
  page.evaluate(() =>
    Array.from(document.querySelectorAll('.CodeMirror')).map((e) =>
      (e as unknown as { CodeMirror: { getValue(): string } }).CodeMirror.getValue(),
    ),
  );

async function headersEditor(page: Page): Promise<string> {
  await page.locator('.graphiql-container').waitFor({ timeout: 30_000 });
  // The headers tab is open by default (defaultEditorToolsVisibility).
  await page.waitForFunction(() => document.querySelectorAll('.CodeMirror').length >= 3, undefined, { timeout: 30_000 });
  const values = await editors(page);
  return values.find((v) => v.trim().startsWith('{') && !v.includes('"data"')) ?? '';
}

async function waitForDocs(page: Page): Promise<void> {
  // The schema loaded: the Docs explorer lists the root types.
  await page.locator('button[aria-label="Show Documentation Explorer"]').click();
  await page.locator('.graphiql-doc-explorer', { hasText: 'Query' }).waitFor({ timeout: 30_000 });
}

async function run(page: Page, query: string): Promise<void> {
  await page.evaluate((q) => {
    const cm = (document.querySelector('.graphiql-query-editor .CodeMirror') as unknown as { CodeMirror: { setValue(v: string): void } })
      .CodeMirror;
    cm.setValue(q);
  }, query);
  await page.locator('.graphiql-execute-button').click();
}

async function response(page: Page): Promise<string> {
  return page.evaluate(() => {
    const el = document.querySelector('.graphiql-response .CodeMirror') as unknown as { CodeMirror: { getValue(): string } } | null;
    return el ? el.CodeMirror.getValue() : '';
  });
}

async function waitForResponse(page: Page, check: (text: string) => boolean, timeoutMs = 20_000): Promise<string> {
  const until = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < until) {
    last = await response(page);
    if (last && check(last)) return last;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`response pane never matched; last: ${last}`);
}

test('GET / is a first page: what this is, the links, the two commands; the links work', async () => {
  const { page, problems } = await open(`${t.url}/`);
  expect(await page.title()).toBe('Switchboard');
  const text = await page.locator('main').innerText();
  expect(text).toContain('decides which AI model');
  expect(text).toContain('npm ci && npm start');
  expect(text).toContain('ADMIN_TOKEN');
  const hrefs = await page.locator('#links a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
  expect(hrefs).toEqual(['/admin/', '/explorer/', '/schema.graphql', '/healthz', '/readyz']);
  for (const href of hrefs) {
    const res = await page.request.get(`${t.url}${href}`);
    expect({ href, status: res.status() }).toEqual({ href, status: 200 });
  }
  const schema = await (await page.request.get(`${t.url}/schema.graphql`)).text();
  expect(schema).toContain('type Query {');
  expect(schema).toContain('activeModelChanged(');
  await page.locator('a[href="/explorer/"]').click();
  await page.locator('.graphiql-container').waitFor({ timeout: 30_000 });
  expect(problems).toEqual([]);
  await page.context().close();
});

test('the explorer starts with no Authorization header when nothing is stored, and opens without an error', async () => {
  const { page, problems, graphqlErrors } = await open(`${t.url}/explorer/`);
  expect((await headersEditor(page)).trim()).toBe('{}');
  await waitForDocs(page);
  expect(await response(page)).toBe('');
  expect(graphqlErrors).toEqual([]);
  expect(problems).toEqual([]);
  await page.context().close();
});

test('the explorer starts with the token the console stored, and it works', async () => {
  const { page, problems, graphqlErrors } = await open(`${t.url}/explorer/`, ADMIN_TOKEN);
  expect(JSON.parse(await headersEditor(page))).toEqual({ Authorization: `Bearer ${ADMIN_TOKEN}` });
  await waitForDocs(page);
  await run(page, '{ viewer { name role } }');
  const text = await waitForResponse(page, (r) => r.includes('viewer'));
  expect(JSON.parse(text)).toEqual({ data: { viewer: { name: 'admin', role: 'ADMIN' } } });
  expect(graphqlErrors).toEqual([]);
  expect(problems).toEqual([]);
  await page.context().close();
});

test('a stored token that no longer works is not used: the explorer starts clean instead of on an error', async () => {
  const member = await createMember(t, 'explorer-revoked');
  expectOk(await t.gql(`mutation($id: ID!) { revokeApiToken(id: $id) { id } }`, { id: member.tokenId }));
  const { page, problems } = await open(`${t.url}/explorer/`, member.token);
  expect((await headersEditor(page)).trim()).toBe('{}');
  await waitForDocs(page);
  expect(await response(page)).toBe('');
  expect(problems.filter((p) => !/401|Unauthorized/.test(p))).toEqual([]);
  await page.context().close();
});

test('a subscription in the explorer keeps every event it received, not only the last', async () => {
  const { page, problems } = await open(`${t.url}/explorer/`, ADMIN_TOKEN);
  await headersEditor(page);
  await waitForDocs(page);
  const before = t.server.services.changeFeed.openFeeds;
  await run(page, 'subscription { activeModelChanged(provider: "openrouter") { cursor version model { name } } }');
  const until = Date.now() + 20_000;
  while (t.server.services.changeFeed.openFeeds <= before && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
  expectOk(await activate(t, models[1].id));
  await waitForResponse(page, (r) => r.includes('"received": 1'));
  expectOk(await activate(t, models[0].id));
  expectOk(await activate(t, models[1].id));
  const text = await waitForResponse(page, (r) => r.includes('"received": 3'));
  const shown = JSON.parse(text) as { received: number; events: { '#': number; data: { activeModelChanged: { model: { name: string } } } }[] };
  expect(shown.events.map((e) => [e['#'], e.data.activeModelChanged.model.name])).toEqual([
    [3, 'beta'],
    [2, 'alpha'],
    [1, 'beta'],
  ]);
  expect(problems).toEqual([]);
  await page.context().close();
});
