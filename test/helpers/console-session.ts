import type { Browser } from 'playwright-core';
import { launchBrowser, type LaunchedBrowser } from './browser';
import { openConsolePage, signIn, type ConsolePage, type OpenOptions } from './console-page';
import { ADMIN_TOKEN, startTestServer, type TestServer } from './test-server';

export interface ConsoleSession {
  t: TestServer;
  browser: Browser;
  /** One signed-in admin page for the whole file: each test navigates within it. */
  admin: ConsolePage;
}

/**
 * A test file's console setup: a server seeded by `seed`, Chromium, and a signed-in admin page.
 * Registers the hooks: any console error or failed request fails the test it happened in, and
 * everything is closed after the file. The fields are set once the file's first beforeAll has run.
 */
export function useAdminConsole(seed: (t: TestServer) => Promise<void>, pageOptions: OpenOptions = {}): ConsoleSession {
  const session = {} as ConsoleSession;
  let launched: LaunchedBrowser | undefined;
  beforeAll(async () => {
    session.t = await startTestServer();
    await seed(session.t);
    launched = await launchBrowser();
    session.browser = launched.browser;
    session.admin = await openConsolePage(session.browser, pageOptions);
    await signIn(session.admin.page, session.t.url, ADMIN_TOKEN);
  });
  afterEach(() => {
    expect(session.admin.problems.splice(0)).toEqual([]);
  });
  afterAll(async () => {
    await session.admin?.close();
    await launched?.cleanup();
    await session.t?.close();
  });
  return session;
}
