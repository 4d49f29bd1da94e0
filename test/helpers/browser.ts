/**
 * Headless Debian Chromium driven by playwright-core, for the report and upload-page tests.
 * Every console message of level error, every page error and every request that leaves for
 * anything but the allowed origin is recorded, so a test can assert there were none.
 * `browserSkipReason()` says why the browser tests cannot run here (printed, not hidden).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { REPO } from '../tshark-fixture.js';

export const CHROMIUM = process.env.WIREWHY_CHROMIUM ?? '/usr/bin/chromium';
/** Screenshots are kept here as test artifacts (ignored by git). */
export const ARTIFACTS = join(REPO, 'test-artifacts');

export function browserSkipReason(): string | null {
  if (!existsSync(CHROMIUM)) return `no Chromium at ${CHROMIUM} (apt-get install chromium, or set WIREWHY_CHROMIUM)`;
  return null;
}

export interface Session {
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** Console errors and uncaught page errors. */
  errors: string[];
  /** URLs requested outside the allowed origin (or any URL at all when none is allowed). */
  foreignRequests: string[];
  close(): Promise<void>;
}

/**
 * Opens a page in a fresh browser (playwright gives every launch its own temporary profile;
 * it refuses --user-data-dir in launch()). `allow` says which requests are the test's own:
 * an origin (the test server; data:, blob: and about: URLs are local too), or the exact set of
 * documents the test opens itself (then nothing else may load, not even a data: URL).
 */
export async function openBrowser(allow: string | ReadonlySet<string>): Promise<Session> {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const context = await browser.newContext({ acceptDownloads: true });
  const page = await context.newPage();
  const errors: string[] = [];
  const foreignRequests: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  context.on('request', (r) => {
    const url = r.url();
    if (url.startsWith('about:')) return;
    if (typeof allow === 'string') {
      if (url.startsWith(allow) || url.startsWith('data:') || url.startsWith('blob:')) return;
    } else if (allow.has(url)) return;
    foreignRequests.push(url);
  });
  return { browser, context, page, errors, foreignRequests, close: () => browser.close() };
}

export function artifactPath(name: string): string {
  mkdirSync(ARTIFACTS, { recursive: true });
  return join(ARTIFACTS, name);
}
