/**
 * The sign-up and activation pages in a real browser: the plans come from the catalogue, the
 * form refuses what the API would (and shows the API's own refusals on their fields), the
 * onboarding's progress is followed to Active, and the e-mailed link activates the owner.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page, Request } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { paymentTermsOf } from '../../src/product-definition.js';
import { editions, slugPattern } from '../../src/catalog.js';
import { workflows } from '../../src/saga/definitions.js';
import type { Served, OpenPage } from './browser.js';
import {
  chromiumPath,
  expectAccessible,
  launchBrowser,
  openPage,
  serveProduct,
  whileTheClockRuns,
} from './browser.js';
import { nextSlug } from '../product/harness.js';
import { mailText } from '../product/mail-support.js';

const executablePath = chromiumPath();
const onboardingWork = [...workflows.onboarding.steps, ...workflows.onboarding.reactions];
/** Whether the blueprint invites the owner and e-mails the invitation's code. */
const mailsActivation =
  onboardingWork.some((step) => step.emits === 'UserInvited') &&
  onboardingWork.some((step) => step.service === 'notification' && step.on === 'UserInvited');

describe.skipIf(!executablePath)('the sign-up and activation pages', () => {
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

  const open = async (path: string) => {
    const opened = await openPage(browser, `${served.url}${path}`);
    pages.push(opened);
    return opened.page;
  };

  async function fill(page: Page, values: Partial<Record<string, string>>) {
    for (const [id, value] of Object.entries(values)) await page.fill(`#${id}`, value ?? '');
  }

  it("shows the catalogue's editions as plans and checks the form as the API does", async () => {
    served = await serveProduct();
    const page = await open('/');
    const plans = page.locator('#plans > li');
    await expect.poll(() => plans.count()).toBe(Object.keys(editions).length);
    for (const edition of Object.values(editions))
      await expect.poll(() => page.locator('#plans').textContent()).toContain(edition.title);
    // Each plan lists its limits, a limit without a cap (`null` in the catalog) as Unlimited.
    const expected = Object.values(editions).map((edition) => ({
      id: edition.id,
      limits: Object.entries(edition.limits as Record<string, number | null>).map(([name, max]) => [
        name,
        max === null ? 'Unlimited' : String(max),
      ]),
    }));
    expect(
      expected.some(({ limits }) => limits.some(([, max]) => max === 'Unlimited')),
      'the catalogue has an unlimited limit to show',
    ).toBe(true);
    for (const { id, limits } of expected)
      expect(
        await page
          .locator(`#plans > li[aria-labelledby="plan-${id}"] .limits`)
          .evaluate((list) =>
            [...list.querySelectorAll('dt')].map((term) => [
              term.textContent,
              term.nextElementSibling?.textContent,
            ]),
          ),
        `the limits of ${id}`,
      ).toEqual(limits);
    await expectAccessible(page, 'the sign-up page');
    // The first Tab reaches the skip link, which takes the keyboard to the content.
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe(
      'Skip to the content',
    );
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('main');

    await page.click('#submit');
    for (const id of ['slug', 'name', 'owner-email', 'owner-name']) {
      expect(await page.textContent(`#${id}-error`)).toBe('This is required.');
      expect(await page.getAttribute(`#${id}`, 'aria-invalid')).toBe('true');
    }
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('slug');
    await expectAccessible(page, 'the sign-up page showing errors');

    await fill(page, { slug: 'Not A Slug!', name: 'Acme', 'owner-email': 'a@', 'owner-name': 'A' });
    await page.click('#submit');
    expect(await page.textContent('#slug-error')).toBe(
      `This does not match ${slugPattern.source}.`,
    );
    expect(await page.textContent('#owner-email-error')).toContain('e-mail address');
    expect(await page.textContent('#name-error')).toBe('');

    // The browser takes `owner@localhost` for an address; the API does not, and says where.
    const slug = nextSlug();
    await fill(page, { slug, 'owner-email': 'owner@localhost' });
    await page.click('#submit');
    await expect.poll(() => page.textContent('#owner-email-error')).toContain('e-mail');
    expect(await page.textContent('#slug-error')).toBe('');

    // A slug another tenant has: the API's 409, on the slug.
    await served.product.signUp({ slug });
    await fill(page, { 'owner-email': 'owner@example.com' });
    await page.click('#submit');
    await expect.poll(() => page.textContent('#slug-error')).toContain('another tenant');
  });

  it('follows the onboarding to Active, and the e-mailed link activates the owner', async () => {
    served = await serveProduct();
    const page = await open('/');
    const signUps: Request[] = [];
    page.on('request', (r) => void (r.method() === 'POST' && signUps.push(r)));
    const slug = nextSlug();
    await fill(page, {
      slug,
      name: `Tenant ${slug}`,
      'owner-email': `owner@${slug}.test`,
      'owner-name': 'Olga Owner',
    });
    // The last edition that is ready without a payment (a paid one waits: its own test).
    const last = Object.entries(editions)
      .filter(([, edition]) => paymentTermsOf(edition) !== 'paid')
      .at(-1)![0];
    await page.selectOption('#edition', last);
    await page.click('#submit');

    const status = page.locator('#progress-status');
    await whileTheClockRuns(served.product, async () =>
      ((await status.textContent()) ?? '').includes('is ready'),
    );
    const steps = await page.locator('#steps > li').allTextContents();
    expect(steps).toHaveLength(workflows.onboarding.steps.length);
    for (const step of steps) expect(step).toContain('Succeeded');
    await expectAccessible(page, 'the sign-up page following the progress');

    // One sign-up, with an idempotency key; the progress token was kept in memory only.
    expect(signUps.map((r) => new URL(r.url()).pathname)).toEqual(['/tenants']);
    expect(signUps[0]!.headers()['idempotency-key']).toMatch(/^[0-9a-f-]{36}$/);
    const tenant = (
      await served.product.inject({ method: 'GET', url: `/tenants?q=${slug}` })
    ).json().items[0] as { tenantId: string; edition: string; state: string };
    expect(tenant).toMatchObject({ edition: last, state: 'Active' });
    expect(await page.evaluate(() => sessionStorage.length + localStorage.length)).toBe(0);
    expect(await page.context().cookies()).toEqual([]);
    expect(page.url()).toBe(`${served.url}/`);

    if (!mailsActivation) return;
    const mail = served.product.mails().find((f) => f.startsWith(`${tenant.tenantId}-activation-`));
    expect(mail, 'an activation e-mail').toBeDefined();
    const text = mailText(readFileSync(join(served.product.dir, 'mail', mail!), 'utf8'));
    const link = /https?:\/\/\S+\/activate#tenant=[^&\s]+&code=\S+/.exec(text)?.[0];
    expect(link, 'the activation link').toBeDefined();
    const { pathname, hash } = new URL(link!);
    expect(new URLSearchParams(hash.slice(1)).get('tenant')).toBe(tenant.tenantId);

    const activation = await open(`${pathname}${hash}`);
    const result = activation.locator('#result');
    await expect.poll(() => result.textContent()).toContain('Your account is active');
    // The code left the address bar once read.
    expect(activation.url()).toBe(`${served.url}/activate`);
    await expectAccessible(activation, 'the activation page');

    const again = await open(`${pathname}${hash}`);
    await expect.poll(() => again.locator('#result').textContent()).toContain('already been used');

    const wrong = await open('/activate');
    await wrong.fill('#tenant', tenant.tenantId);
    await wrong.fill('#code', 'not-the-code-not-the-code');
    await wrong.click('#submit');
    await expect.poll(() => wrong.locator('#result').textContent()).toContain('not right');
    await expectAccessible(wrong, 'the activation page refusing a code');
  });

  const paidEdition = Object.entries(editions).find(
    ([, edition]) => paymentTermsOf(edition) === 'paid',
  )?.[0];

  it.skipIf(paidEdition === undefined)(
    'says a paid edition waits for its payment, links to it, and follows it to ready once paid',
    async () => {
      const checkout = 'https://pay.example.test/checkout?tenant={tenantId}';
      served = await serveProduct({ env: { CHECKOUT_URL: checkout } });
      const page = await open('/');
      const slug = nextSlug();
      await fill(page, {
        slug,
        name: `Tenant ${slug}`,
        'owner-email': `owner@${slug}.test`,
        'owner-name': 'Paula Payer',
      });
      await page.selectOption('#edition', paidEdition!);
      await page.click('#submit');

      const status = page.locator('#progress-status');
      await whileTheClockRuns(served.product, async () =>
        ((await status.textContent()) ?? '').includes('waits for your payment'),
      );
      const tenant = (
        await served.product.inject({ method: 'GET', url: `/tenants?q=${slug}` })
      ).json().items[0] as { tenantId: string; state: string };
      expect(tenant.state).toBe('Provisioning');
      const payment = page.locator('#payment');
      expect(await payment.isVisible()).toBe(true);
      expect(await payment.getAttribute('href')).toBe(
        checkout.replace('{tenantId}', tenant.tenantId),
      );
      // The page keeps saying so while it waits: the next reads do not turn it into a spinner.
      await served.product.elapse(1_000);
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      expect(await status.textContent()).toContain('waits for your payment');
      await expectAccessible(page, 'the sign-up page waiting for a payment');

      await served.product.pay(tenant.tenantId);
      await whileTheClockRuns(served.product, async () =>
        ((await status.textContent()) ?? '').includes('is ready'),
      );
      expect(await payment.isVisible()).toBe(false);
      for (const step of await page.locator('#steps > li').allTextContents())
        expect(step).toContain('Succeeded');
    },
  );
});
