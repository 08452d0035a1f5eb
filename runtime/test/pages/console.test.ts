/**
 * The operators' console in a real browser: sign-in with the operator token (kept in the tab's
 * session storage, sent as a bearer header), the tenants by state and by search, a tenant's
 * page with its state machine, lifecycle actions and the machine's refusals, and the dead
 * letters (made by `SAAS_FAULTS`) replayed from the console until the tenant is active. Saves a
 * screenshot of it in the temporary folder.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { defaultEdition, editions } from '../../src/catalog.js';
import { paymentTermsOf } from '../../src/product-definition.js';
import { commandAllowed, tenantCommands } from '../../src/saga/tenant-commands.js';
import type { TenantCommand } from '../../src/saga/tenant-commands.js';
import { tenantMachine } from '../../src/saga/tenant-machine.js';
import type { TenantState } from '../../src/saga/tenant-machine.js';
import type { Product } from '../product/harness.js';
import { adminToken, onboardingSteps, startProduct } from '../product/harness.js';
import type { OpenPage, Served } from './browser.js';
import {
  chromiumPath,
  expectAccessible,
  launchBrowser,
  openPage,
  serveProduct,
  whileTheClockRuns,
} from './browser.js';

const executablePath = chromiumPath();
// Outside the tree: a test run leaves no tracked file changed.
const screenshot = join(tmpdir(), 'saas-gen-console.png');
const firstStep = onboardingSteps.find((step) => step.on === 'TenantRegistered')!;
const maxDelay = Math.max(...onboardingSteps.map((step) => step.retry.maxDelayMs));
/** Every attempt of the first step fails: its message ends as a dead letter. */
const exhausting = `${firstStep.id}:transient:${firstStep.retry.attempts}`;
/** The console's lifecycle buttons, and the command each one sends. */
const lifecycleButtons: [string, TenantCommand][] = [
  ['Suspend', 'SuspendTenant'],
  ['Reinstate', 'ReinstateTenant'],
  ['Retry provisioning', 'RetryProvisioning'],
  ['Decommission', 'DecommissionTenant'],
];

interface ShownAction {
  readonly label: string | null;
  readonly offered: boolean;
  /** The text the button is described by: why it is not possible now. */
  readonly why: string | null;
}

/** The lifecycle buttons as the tenant's page shows them. */
const shownActions = (page: Page): Promise<ShownAction[]> =>
  page.locator('.actions button').evaluateAll((buttons) =>
    buttons.map((button) => {
      const described = button.getAttribute('aria-describedby');
      return {
        label: button.textContent,
        offered: button.getAttribute('aria-disabled') !== 'true',
        why: described ? (document.getElementById(described)?.textContent ?? '') : null,
      };
    }),
  );

/** The states the tenant machine makes a command's move from, as the page lists them. */
const fromStates = (command: TenantCommand) => {
  const states = [
    ...new Set(
      tenantMachine.transitions.filter((t) => t.on === tenantCommands[command]).map((t) => t.from),
    ),
  ];
  return states.length > 1 ? `${states.slice(0, -1).join(', ')} or ${states.at(-1)}` : states[0];
};

/**
 * The buttons a tenant in `state` should show: offered when the runtime's own rule allows the
 * command (the one the API asks before it queues it), otherwise unavailable, saying when it is.
 */
const expectedActions = (state: TenantState) =>
  lifecycleButtons.map(([label, command]) =>
    commandAllowed({ state, compensation: [] }, command)
      ? { label, offered: true, why: null }
      : {
          label,
          offered: false,
          why: `Only when the tenant is ${fromStates(command)}.`,
        },
  );

/** Makes the page believe it is hidden, or visible again: the console reads nothing while hidden. */
const setHidden = (page: Page, hidden: boolean) =>
  page.evaluate((value) => {
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => value });
    document.dispatchEvent(new Event('visibilitychange'));
  }, hidden);

describe.skipIf(!executablePath)('the operator console', () => {
  let browser: Browser;
  let served: Served;
  const pages: OpenPage[] = [];

  beforeAll(async () => {
    browser = await launchBrowser(executablePath!);
  });
  afterAll(async () => {
    await browser?.close();
  });
  afterEach(async () => {
    for (const open of pages.splice(0)) {
      await open.context.close();
      expect(open.problems, 'no script error nor CSP violation').toEqual([]);
    }
    await served?.product.stop();
  });

  async function signedIn(): Promise<Page> {
    const opened = await openPage(browser, `${served.url}/console`);
    pages.push(opened);
    const { page } = opened;
    await page.fill('#token', adminToken);
    await page.click('#sign-in-form button[type=submit]');
    await page.locator('#view h1').waitFor();
    return page;
  }

  /** Waits, the product's clock running, until the tenant's page says it is in `state`. */
  const reaches = (product: Product, page: Page, state: string) =>
    whileTheClockRuns(
      product,
      async () =>
        (await page.locator('.machine-states [aria-current]').textContent())?.startsWith(state) ??
        false,
    );

  it('signs in, finds a tenant, suspends and reinstates it, and explains a refused move', async () => {
    served = await serveProduct();
    const { product } = served;
    const tenant = await product.signUp();
    const second = await product.signUp();
    for (const { tenantId } of [tenant, second])
      await whileTheClockRuns(
        product,
        async () => (await product.tenant(tenantId)).state === 'Active',
      );

    const opened = await openPage(browser, `${served.url}/console`);
    pages.push(opened);
    const { page } = opened;
    await expectAccessible(page, 'the console sign-in');
    await page.fill('#token', 'not-the-operator-token');
    await page.click('#sign-in-form button[type=submit]');
    await expect.poll(() => page.textContent('#token-error')).toContain('refused');
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);

    const authorizations: string[] = [];
    page.on('request', (r) => {
      const authorization = r.headers().authorization;
      if (authorization) authorizations.push(authorization);
    });
    await page.fill('#token', adminToken);
    await page.click('#sign-in-form button[type=submit]');
    await page.locator('#view h1').waitFor();
    expect(await page.evaluate(() => sessionStorage.getItem('operatorToken'))).toBe(adminToken);
    expect(await page.context().cookies()).toEqual([]);
    expect(page.url()).not.toContain(adminToken);

    // Counts by state, then a search that finds the one tenant.
    const active = page.locator('.counts a', { hasText: 'Active' });
    await expect.poll(() => active.textContent()).toBe('Active 2');
    await page.fill('#q', tenant.slug);
    await page.click('form[role=search] button');
    const rows = page.locator('#view tbody tr');
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.first().textContent()).toContain(tenant.slug);
    // The edition as the catalog names it, not its id.
    expect(await rows.first().locator('td').nth(2).textContent()).toBe(
      editions[defaultEdition].title,
    );
    await expectAccessible(page, 'the tenants view');

    await rows.first().locator('a').click();
    await expect.poll(() => page.textContent('#view h1')).toBe(`Tenant ${tenant.slug}`);
    await reaches(product, page, 'Active');
    const steps = page.locator('#steps-body tbody tr');
    expect(await steps.count()).toBe(onboardingSteps.length);
    for (const step of await steps.allTextContents()) expect(step).toContain('Succeeded');
    await expect.poll(() => page.locator('#messages-body li').count()).toBeGreaterThan(1);
    expect(await page.textContent('#messages-body')).toContain('TenantRegistered');
    expect(await page.locator('#timeline-body tbody tr').count()).toBeGreaterThan(0);

    const facts = page.locator('#view .facts');
    expect(await facts.locator('dt:text-is("Edition") + dd').textContent()).toBe(
      editions[defaultEdition].title,
    );
    expect(await page.textContent('#entitlements-body')).toContain(
      `Edition ${editions[defaultEdition].title}, `,
    );

    // Only the moves the tenant machine allows from the tenant's state are offered; the others
    // stay in place, unavailable, each saying when it would be possible.
    const outcome = page.locator('#action-outcome');
    await expect.poll(() => shownActions(page)).toEqual(expectedActions('Active'));
    await page.click('button:text-is("Suspend")');
    await expect.poll(() => outcome.textContent()).toContain('Suspend: accepted');
    await reaches(product, page, 'Suspended');
    await expect.poll(() => shownActions(page)).toEqual(expectedActions('Suspended'));
    await expectAccessible(page, 'a suspended tenant');
    await page.click('button:text-is("Reinstate")');
    await expect.poll(() => outcome.textContent()).toContain('Reinstate: accepted');
    await reaches(product, page, 'Active');
    await expect.poll(() => shownActions(page)).toEqual(expectedActions('Active'));

    // A move the state does not allow is still reached by the keyboard, and says why without
    // asking the API anything.
    const commands: string[] = [];
    page.on('request', (r) => void (r.method() === 'POST' && commands.push(r.url())));
    const reinstate = page.locator('button:text-is("Reinstate")');
    await reinstate.focus();
    await page.keyboard.press('Enter');
    await expect
      .poll(() => outcome.textContent())
      .toBe('Reinstate is not possible now. Only when the tenant is Suspended.');
    expect(commands).toEqual([]);
    await expectAccessible(page, "a tenant's view");
    await page.screenshot({ path: screenshot });

    // A move the page still offers but the tenant has left meanwhile (the page, hidden, did
    // not read it again): the API refuses it, and the page says why in the machine's own words.
    await setHidden(page, true);
    await product.inject({ method: 'POST', url: `/tenants/${tenant.tenantId}/suspend` });
    await whileTheClockRuns(
      product,
      async () => (await product.tenant(tenant.tenantId)).state === 'Suspended',
    );
    const refusal = (
      await product.inject({ method: 'POST', url: `/tenants/${tenant.tenantId}/suspend` })
    ).json() as { status: number; detail: string };
    expect(refusal.status).toBe(409);
    await page.click('button:text-is("Suspend")');
    await expect
      .poll(() => outcome.textContent())
      .toBe(`Suspend refused by the tenant state machine: ${refusal.detail}`);
    await setHidden(page, false);
    await expect.poll(() => shownActions(page)).toEqual(expectedActions('Suspended'));

    expect(authorizations.length).toBeGreaterThan(0);
    expect(new Set(authorizations)).toEqual(new Set([`Bearer ${adminToken}`]));
    await page.click('#sign-out');
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
    expect(await page.isVisible('#sign-in')).toBe(true);
    expect(await page.isVisible('#view')).toBe(false);
  });

  it('logs no error and gets no refusal from the sign-up page to a tenant in the console, its icon included', async () => {
    served = await serveProduct();
    const { product } = served;
    const tenant = await product.signUp();
    await whileTheClockRuns(
      product,
      async () => (await product.tenant(tenant.tenantId)).state === 'Active',
    );
    /** The icon the page links, once the browser has decoded it. */
    const linkedIcon = (page: Page) =>
      page.evaluate(async () => {
        const link = document.querySelector('link[rel="icon"]');
        if (!(link instanceof HTMLLinkElement)) return null;
        const image = new Image();
        image.src = link.href;
        await image.decode();
        return { path: new URL(link.href).pathname, width: image.naturalWidth };
      });
    /** Whether the browser has asked for an icon on its own, as it does for every page. */
    const askedForIcon = (opened: OpenPage) =>
      opened.answers.some(({ path }) => path.startsWith('/favicon.'));

    const signUp = await openPage(browser, `${served.url}/`, { strict: true });
    pages.push(signUp);
    await expect.poll(() => signUp.page.locator('#plans > li').count()).toBeGreaterThan(0);
    expect(await linkedIcon(signUp.page)).toEqual({ path: '/favicon.svg', width: 32 });
    await expect.poll(() => askedForIcon(signUp)).toBe(true);

    const operator = await openPage(browser, `${served.url}/console`, { strict: true });
    pages.push(operator);
    const { page } = operator;
    await page.fill('#token', adminToken);
    await page.click('#sign-in-form button[type=submit]');
    await expect.poll(() => page.locator('#view tbody tr').count()).toBe(1);
    await page.locator('#view tbody a').click();
    await reaches(product, page, 'Active');
    await expect.poll(() => page.locator('#messages-body li').count()).toBeGreaterThan(1);
    expect(await linkedIcon(page)).toEqual({ path: '/favicon.svg', width: 32 });
    await expect.poll(() => askedForIcon(operator)).toBe(true);

    for (const { problems } of [signUp, operator]) expect(problems).toEqual([]);
    expect(signUp.answers.length + operator.answers.length).toBeGreaterThan(10);
  });

  it('pages through the tenants by cursor, and shows a state with none', async () => {
    served = await serveProduct();
    const { product } = served;
    const pageSize = 20;
    for (let i = 0; i <= pageSize; i++) await product.signUp();
    const page = await signedIn();
    const rows = page.locator('#view tbody tr');
    await expect.poll(() => rows.count()).toBe(pageSize);
    const first = await rows.allTextContents();
    await page.click('button:text-is("Next page")');
    await expect.poll(() => rows.count()).toBe(1);
    expect(first).not.toContain((await rows.allTextContents())[0]);
    expect(await page.isVisible('button:text-is("Next page")')).toBe(false);
    await page.click('button:text-is("Previous page")');
    await expect.poll(() => rows.allTextContents()).toEqual(first);

    await page.click('.counts a:has-text("Decommissioned")');
    await expect.poll(() => page.textContent('#tenants-caption')).toContain('No tenants');
    expect(await page.textContent('.counts a[aria-current]')).toBe('Decommissioned 0');
  });

  it('reads a new view at once, while the view it replaced still waits for its answer', async () => {
    served = await serveProduct();
    const opened = await openPage(browser, `${served.url}/console`);
    pages.push(opened);
    const { page } = opened;
    // The tenants' reads answer late, as from a slow database; the dead letters' at once.
    await page.route(
      (url) => url.pathname.startsWith('/tenants'),
      async (route) => {
        await new Promise((resolve) => setTimeout(resolve, 4_000));
        await route.continue().catch(() => undefined);
      },
    );
    await page.fill('#token', adminToken);
    await page.click('#sign-in-form button[type=submit]');
    await page.locator('#view h1').waitFor();
    await page.click('#nav-dead-letters');
    await expect
      .poll(() => page.textContent('#view'), { timeout: 1_500 })
      .toContain('No dead letters.');
  });

  const editionOn = (terms: string) =>
    Object.entries(editions).find(([, edition]) => paymentTermsOf(edition) === terms)?.[0];
  const [paid, trial] = [editionOn('paid'), editionOn('trial')];
  const titleOf = (id: string) => (editions as Record<string, { title: string }>)[id]!.title;

  it.skipIf(paid === undefined || trial === undefined)(
    "shows each tenant's billing: a payment awaited, then paid up; a trial and its end",
    async () => {
      served = await serveProduct({
        env: { CHECKOUT_URL: 'https://pay.example.test/checkout?tenant={tenantId}' },
      });
      const { product } = served;
      const paying = await product.signUp({ edition: paid! });
      const trying = await product.signUp({ edition: trial! });
      await whileTheClockRuns(
        product,
        async () => (await product.tenant(trying.tenantId)).state === 'Active',
      );
      const page = await signedIn();
      const facts = page.locator('#view .facts');

      await page.goto(`${served.url}/console#/tenants/${paying.tenantId}`);
      const [paidTitle, trialTitle] = [titleOf(paid!), titleOf(trial!)];
      await expect.poll(() => facts.textContent()).toContain(`${paidTitle}: awaiting payment`);
      expect(await page.locator('.machine-states [aria-current]').textContent()).toMatch(
        /^Provisioning/,
      );
      // Provisioning, it can be none of the operator's moves.
      await expect.poll(() => shownActions(page)).toEqual(expectedActions('Provisioning'));
      expect((await shownActions(page)).every(({ offered }) => !offered)).toBe(true);
      await expectAccessible(page, 'a tenant awaiting payment');
      await product.pay(paying.tenantId);
      // The next read, within the console's 2 s.
      await expect
        .poll(() => facts.textContent(), { timeout: 5_000 })
        .toContain(`${paidTitle}: paid up`);
      await reaches(product, page, 'Active');

      await page.goto(`${served.url}/console#/tenants/${trying.tenantId}`);
      await expect.poll(() => facts.textContent()).toContain(`${trialTitle}: trial; trial ends`);

      // An upgrade to the paid edition waits for its payment: the page names both editions.
      const change = await product.inject({
        method: 'PUT',
        url: `/tenants/${trying.tenantId}/edition`,
        payload: { edition: paid },
      });
      expect(change.statusCode, change.body).toBe(202);
      await expect
        .poll(() => facts.textContent(), { timeout: 5_000 })
        .toContain(`change to ${paidTitle} awaits payment until`);
      expect(await facts.locator('dt:text-is("Edition") + dd').textContent()).toBe(trialTitle);
      await expectAccessible(page, 'a tenant whose edition change awaits payment');
    },
  );

  it('reads the API every 2 s while the tab is visible, and not while it is hidden', async () => {
    served = await serveProduct();
    const page = await signedIn();
    const reads: number[] = [];
    page.on('request', (r) => void (r.url().includes('/tenants/counts') && reads.push(Date.now())));
    await expect.poll(() => reads.length, { timeout: 5_000 }).toBeGreaterThanOrEqual(2);

    await setHidden(page, true);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const whileHidden = reads.length;
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect(reads.length).toBe(whileHidden);
    // Visible again: read at once, not at the next tick.
    const shown = Date.now();
    await setHidden(page, false);
    await expect.poll(() => reads.at(-1)! >= shown, { timeout: 1_000 }).toBe(true);
  });

  it('replays a dead letter from the console and the tenant becomes active', async () => {
    const broken = await startProduct({ faults: exhausting });
    const [stuck, other] = [await broken.signUp(), await broken.signUp()];
    try {
      await broken.settle();
      await broken.elapse(maxDelay * firstStep.retry.attempts);
    } finally {
      await broken.stop();
    }
    // The operator fixes the cause (here: restarts without the fault), then replays.
    served = await serveProduct({ dir: broken.dir, clock: broken.clock });
    const { product } = served;

    const page = await signedIn();
    page.on('dialog', (dialog) => void dialog.accept());
    await page.click('#nav-dead-letters');
    const letters = page.locator('.dead-letter');
    await expect.poll(() => letters.count()).toBe(2);
    await expectAccessible(page, 'the dead letters view');

    await page.fill('#filter-tenant', stuck.tenantId);
    await page.click('form[aria-label="Filter dead letters"] button');
    await expect.poll(() => letters.count()).toBe(1);
    const letter = letters.first();
    expect(await letter.textContent()).toContain(stuck.tenantId);
    await letter.locator('summary').click();
    expect(await letter.locator('pre').textContent()).toContain(`"type": "${firstStep.on}"`);

    const outcome = page.locator('#dead-letter-outcome');
    await letter.locator('button', { hasText: 'Dry run' }).click();
    await expect.poll(() => outcome.textContent()).toContain('would be sent');
    expect(await letters.count()).toBe(1);
    await letter.locator('.select').check();
    await page.click('button:text-is("Replay the selected")');
    await expect.poll(() => outcome.textContent()).toContain('sent to its consumer again');
    await expect.poll(() => page.locator('.dead-letter').count()).toBe(0);

    await page.goto(`${served.url}/console#/tenants/${stuck.tenantId}`);
    await whileTheClockRuns(
      product,
      async () =>
        (await page.locator('.machine-states [aria-current]').textContent())?.startsWith(
          'Active',
        ) ?? false,
    );
    expect((await product.tenant(stuck.tenantId)).state).toBe('Active');

    // The other tenant's letter is deleted: it stays dead, and its tenant does not move on.
    await page.goto(`${served.url}/console#/dead-letters?tenantId=${other.tenantId}`);
    await expect.poll(() => page.locator('.dead-letter').count()).toBe(1);
    await page.click('.dead-letter button:text-is("Delete")');
    await expect.poll(() => page.textContent('#dead-letter-outcome')).toContain('Deleted');
    await expect.poll(() => page.locator('.dead-letter').count()).toBe(0);
    expect((await product.tenant(other.tenantId)).state).not.toBe('Active');
  });
});
