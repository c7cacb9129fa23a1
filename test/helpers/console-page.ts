import { copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';

/** Every test screenshot goes here (gitignored); the main ones are also copied into docs/console/. */
export const ARTIFACTS_DIR = path.resolve(__dirname, '../../test-artifacts/console');
export const DOCS_DIR = path.resolve(__dirname, '../../docs/console');
/** CONSOLE_DOCS=1 refreshes docs/console/*.png from this run (see docs/console.md). */
const WRITE_DOCS = process.env.CONSOLE_DOCS === '1';

export interface ConsolePage {
  page: Page;
  /** Console errors, page errors, failed requests and HTTP errors seen so far. */
  problems: string[];
  /** Saves test-artifacts/console/<name>.png (and docs/console/<name>.png when `docs` and CONSOLE_DOCS=1). */
  shot(name: string, options?: { docs?: boolean; fullPage?: boolean }): Promise<string>;
  close(): Promise<void>;
}

export interface OpenOptions {
  width?: number;
  height?: number;
  /** The browser's language (navigator.language and Accept-Language), e.g. "fa-IR". */
  locale?: string;
  /** Browser permissions, e.g. ['clipboard-read', 'clipboard-write']. */
  permissions?: string[];
  /** Runs in the page before its own scripts. */
  init?: () => void;
}

/** A fresh browser context and page that records anything that went wrong in it. */
export async function openConsolePage(browser: Browser, options: OpenOptions = {}): Promise<ConsolePage> {
  const context = await browser.newContext({
    viewport: { width: options.width ?? 1280, height: options.height ?? 900 },
    locale: options.locale ?? 'en-US',
    timezoneId: 'Asia/Tehran',
    permissions: options.permissions,
  });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.method()} ${r.url()} ${r.failure()?.errorText ?? ''}`));
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.request().method()} ${r.url()}`);
  });
  if (options.init) await page.addInitScript(options.init);
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  return {
    page,
    problems,
    async shot(name, { docs = false, fullPage = true } = {}) {
      const file = path.join(ARTIFACTS_DIR, `${name}.png`);
      await page.screenshot({ path: file, fullPage });
      if (docs && WRITE_DOCS) {
        mkdirSync(DOCS_DIR, { recursive: true });
        copyFileSync(file, path.join(DOCS_DIR, `${name}.png`));
      }
      return file;
    },
    close: () => context.close(),
  };
}

/** Signs in with a token and waits for the console (and its live feed) to be up. */
export async function signIn(page: Page, baseUrl: string, token: string, hash = ''): Promise<void> {
  await page.goto(`${baseUrl}/admin/${hash}`);
  await page.fill('#token', token);
  await page.click('#sign-in');
  await page.locator('#nav').waitFor();
  await page.locator('#live-status[data-state="live"]').waitFor();
}

/** The console's open dialog. */
export const openDialog = (page: Page): Locator => page.locator('dialog[open]');

/** Goes to a view by its nav link and waits until it shows. */
export async function goToView(page: Page, view: string): Promise<void> {
  await page.locator(`#nav a[data-view="${view}"]`).click();
  await page.locator(`#view-${view}:not([hidden])`).waitFor();
}

/** Submits the open dialog and waits until it has closed. */
export async function submitDialog(page: Page): Promise<void> {
  await openDialog(page).locator('button[type=submit]').click();
  await openDialog(page).waitFor({ state: 'detached' });
}

/** Polls until the locator's text contains `text` (no fixed sleeps: returns as soon as it does). */
export async function expectText(locator: Locator, text: string | RegExp, timeoutMs = 10_000): Promise<string> {
  const until = Date.now() + timeoutMs;
  let last: string | null = null;
  while (Date.now() < until) {
    last = await locator
      .first()
      .textContent()
      .catch(() => null);
    if (last !== null && (typeof text === 'string' ? last.includes(text) : text.test(last))) return last;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`expected ${String(text)}, still "${last}"`);
}

/**
 * What sticks out sideways: the page's horizontal scroll, and each visible element whose box
 * crosses the viewport's left or right edge (clipped content counts too, not only scrolling).
 */
export async function horizontalOverflow(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    const root = document.documentElement;
    if (root.scrollWidth > root.clientWidth) out.push(`page scrolls: ${root.scrollWidth} > ${root.clientWidth}`);
    const width = root.clientWidth;
    for (const el of Array.from(document.body.querySelectorAll<HTMLElement>('*'))) {
      if (el.closest('.visually-hidden, .skip-link, dialog:not([open]), [hidden]')) continue;
      const box = el.getBoundingClientRect();
      if (box.width === 0 || box.height === 0) continue;
      if (box.right > width + 1 || box.left < -1) {
        out.push(`${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}.${el.className} [${Math.round(box.left)}, ${Math.round(box.right)}]`);
      }
    }
    return out.slice(0, 10);
  });
}
