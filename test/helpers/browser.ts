// Browser tests of the dashboard: Debian's Chromium driven headless by playwright-core, axe for accessibility, and
// screenshots under test/artifacts/screenshots (gitignored). Without /usr/bin/chromium the suites skip and say why.
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';

const CHROMIUM = '/usr/bin/chromium';
/** Bound of one browser flow or setup (several pages, dialogs and workflow steps on a shared 2-core machine); never a timing assert. */
export const BROWSER_FLOW_TIMEOUT_MS = 180_000;
/** Where screenshots go (CI keeps the folder out of git). */
export const SCREENSHOT_DIR = path.join(process.cwd(), 'test', 'artifacts', 'screenshots');

/** `describe` when Chromium is installed; otherwise `describe.skip`, with the reason printed once. */
export function describeWithBrowser(name: string, body: () => void): void {
  if (existsSync(CHROMIUM)) {
    describe(name, body);
    return;
  }
  process.stderr.write(`SKIPPED "${name}": ${CHROMIUM} is not installed (apt-get install -y chromium; .ci/run does it on CI)\n`);
  describe.skip(name, body);
}

/** Headless Chromium (no sandbox: CI runs as root). */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
}

/** Opens the dashboard in a new browser context and signs in with `apiKey`; resolves on the screen of `hash`. Close with page.context().close(). */
export async function signedInPage(browser: Browser, baseUrl: string, apiKey: string, hash = ''): Promise<Page> {
  const context = await browser.newContext({ locale: 'en-US', timezoneId: 'Asia/Tokyo', viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  await page.goto(`${baseUrl}/dashboard${hash}`);
  await page.getByLabel('Staff API key').fill(apiKey);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
  return page;
}

/** The serious and critical axe violations of the page as it is now (an empty list is the pass). */
export async function seriousViolations(page: Page): Promise<{ id: string; impact: string; targets: string[] }[]> {
  const result = await new AxeBuilder({ page }).analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ id: v.id, impact: String(v.impact), targets: v.nodes.map((n) => n.target.join(' ')) }));
}

/** Saves a full-page screenshot as test/artifacts/screenshots/<name>.png; returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** The base URL of a test stack's HTTP server. */
export function baseUrlOf(server: import('node:http').Server): string {
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('the test server is not listening on a TCP port');
  return `http://127.0.0.1:${address.port}`;
}
