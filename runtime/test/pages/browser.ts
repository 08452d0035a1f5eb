/**
 * What the page tests share: the system's Chromium driven by playwright-core (which never
 * downloads a browser), the product listening on a free port, pages that fail the test on any
 * script error or Content-Security-Policy violation, and an axe-core accessibility scan.
 *
 * Without a browser the page tests skip, loudly; under `CI=true` they fail instead, as the
 * integration tests do (test/runtime/integration.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AxeResults } from 'axe-core';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import { expect } from 'vitest';
import type { Product, ProductOptions } from '../product/harness.js';
import { startProduct } from '../product/harness.js';

/** `CHROMIUM_PATH`, else Debian's and Ubuntu's Chromium. */
export function chromiumPath(env = process.env): string | undefined {
  const candidates = [env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'];
  const found = candidates.find((path): path is string => !!path && existsSync(path));
  if (found) return found;
  const why = 'no Chromium at /usr/bin/chromium (apt-get install chromium, or set CHROMIUM_PATH)';
  if (env.CI === 'true')
    throw new Error(`CI=true runs the page tests, which need a browser: ${why}`);
  console.warn(`⚠ SKIPPING the page tests: ${why} (CI=true makes this an error)`);
  return undefined;
}

/**
 * Chromium without anything that reaches the network on its own; playwright gives it a fresh,
 * empty profile directory of its own.
 */
export function launchBrowser(executablePath: string): Promise<Browser> {
  return chromium.launch({
    executablePath,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export interface Served {
  readonly product: Product;
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
}

/** The whole product, as in the product tests, but listening on a free port for the browser. */
export async function serveProduct(options: ProductOptions = {}): Promise<Served> {
  const product = await startProduct(options);
  const url = await product.app.server.listen({ port: 0, host: '127.0.0.1' });
  return { product, url };
}

export interface OpenPage {
  readonly page: Page;
  readonly context: BrowserContext;
  /** Script errors, failed loads and CSP violations seen so far: a test ends with none. */
  readonly problems: string[];
  /** The path and status of every answer the page received, in order. */
  readonly answers: { readonly path: string; readonly status: number }[];
}

/**
 * A page in a context of its own (its own storage), watched for errors. `strict`: for a session
 * that provokes no refusal, so that every error the console logs and every answer of 400 or more
 * (the browser's own requests, such as its icon, included) is a problem too.
 */
export async function openPage(
  browser: Browser,
  url: string,
  { strict = false } = {},
): Promise<OpenPage> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`script error: ${error.message}`));
  page.on('console', (message) => {
    // The browser logs the API's refusals the pages provoke on purpose (4xx); anything else
    // logged as an error, CSP violations first, is a defect.
    if (message.type() === 'error' && (strict || !/status of 4\d\d/.test(message.text())))
      problems.push(`console: ${message.text()}`);
  });
  const answers: { path: string; status: number }[] = [];
  page.on('response', (response) => {
    const status = response.status();
    answers.push({ path: new URL(response.url()).pathname, status });
    if (strict && status >= 400)
      problems.push(`answered ${status}: ${response.request().method()} ${response.url()}`);
  });
  page.on('requestfailed', (request) =>
    problems.push(`request failed: ${request.url()} ${request.failure()?.errorText ?? ''}`),
  );
  await page.goto(url);
  return { page, context, problems, answers };
}

const axeSource = readFileSync(
  createRequire(import.meta.url).resolve('axe-core/axe.min.js'),
  'utf8',
);

/**
 * Runs axe-core on the page as it is now and fails on any serious or critical violation. The
 * script is evaluated by the driver, which the page's CSP (rightly) does not let a script tag do.
 */
export async function expectAccessible(page: Page, what: string): Promise<void> {
  await page.evaluate(axeSource);
  const results = await page.evaluate(() =>
    (window as unknown as { axe: { run(): Promise<AxeResults> } }).axe.run(),
  );
  const grave = results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `${v.impact} ${v.id}: ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
    );
  expect(grave, `accessibility of ${what}`).toEqual([]);
  // The scan checked something: a page with no rules passing would be an empty page.
  expect(results.passes.length, `axe checked ${what}`).toBeGreaterThan(10);
}

/**
 * Waits, in real time, until `check` holds, moving the product's manual clock on meanwhile so
 * that its retries and steps run while the page polls.
 */
export async function whileTheClockRuns(
  product: Product,
  check: () => Promise<boolean>,
  { stepMs = 1_000, timeoutMs = 20_000 } = {},
): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    await product.elapse(stepMs);
    if (await check()) return;
    if (Date.now() > end) throw new Error(`not so after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
