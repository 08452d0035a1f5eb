/**
 * Who the public routes' limits count: the client behind a trusted proxy (`TRUST_PROXY`), never
 * an address a client writes itself; and where they are counted: in the store, so that every api
 * process on one database shares them.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { expectProblem } from './api-support.js';
import { infrastructure } from './infrastructure.js';
import { ManualClock } from '../../src/runtime/clock.js';
import { workflows } from '../../src/saga/definitions.js';
import { nextSlug, productPerTest } from './harness.js';
import type { Product } from './harness.js';

const product = productPerTest();

const signUpBody = (slug = nextSlug()) => ({
  slug,
  name: `Tenant ${slug}`,
  owner: { email: `owner@${slug}.test`, name: 'Owner' },
});

/** A sign-up that passed a proxy which wrote `forwardedFor` (inject's peer is 127.0.0.1). */
const signUpVia = (p: Product, forwardedFor: string) =>
  p.inject({
    method: 'POST',
    url: '/tenants',
    payload: signUpBody(),
    token: null,
    headers: { 'x-forwarded-for': forwardedFor },
  });

describe(`TRUST_PROXY on ${infrastructure}`, () => {
  it.each(['1', '127.0.0.0/8'])(
    'with TRUST_PROXY=%s, counts each client behind the proxy in a bucket of its own',
    async (trust) => {
      const p = await product({ env: { SIGNUP_RATE_LIMIT: '2', TRUST_PROXY: trust } });
      const first = [];
      for (let i = 0; i < 3; i++) first.push((await signUpVia(p, '203.0.113.1')).statusCode);
      expect(first).toEqual([202, 202, 429]);
      expect((await signUpVia(p, '203.0.113.2')).statusCode).toBe(202);
      // A client that prepends an address of its choosing is still the address the proxy saw.
      expectProblem(await signUpVia(p, '198.51.100.7, 203.0.113.1'), 429);
    },
  );

  it('without it, a forged X-Forwarded-For does not get a client out of its bucket', async () => {
    const p = await product({ env: { SIGNUP_RATE_LIMIT: '2' } });
    const answers = [];
    for (const forged of ['203.0.113.1', '203.0.113.2', '203.0.113.3'])
      answers.push((await signUpVia(p, forged)).statusCode);
    expect(answers).toEqual([202, 202, 429]);
  });
});

const onPostgres = Boolean(process.env.DATABASE_URL?.startsWith('postgres'));

// A SQLite file is one process's (two stores on it in one process wait for each other's locks).
describe.skipIf(!onPostgres)(`rate limits across api processes on ${infrastructure}`, () => {
  /** Two api processes on one database: one folder is one PostgreSQL schema. */
  const replicas = async () => {
    const dir = mkdtempSync(join(tmpdir(), 'replicas-'));
    const clock = new ManualClock();
    const env = { SIGNUP_RATE_LIMIT: '3' };
    return [await product({ dir, clock, env }), await product({ dir, clock, env })] as const;
  };

  it('reaches the sign-up limit across both together', async () => {
    const [a, b] = await replicas();
    const signUp = (p: Product) =>
      p.inject({ method: 'POST', url: '/tenants', payload: signUpBody(), token: null });
    const answers = [];
    for (const p of [a, b, a, b, a]) answers.push((await signUp(p)).statusCode);
    expect(answers).toEqual([202, 202, 202, 429, 429]);
    expect(Number((await signUp(b)).headers['retry-after'])).toBeGreaterThan(0);
    // The window is the store's: once it closes, both take sign-ups again.
    a.clock.advance(60_000);
    expect((await signUp(b)).statusCode).toBe(202);
  });

  it('reaches the activation limit across both together', async () => {
    const [a, b] = await replicas();
    const guess = (p: Product) =>
      p.inject({
        method: 'POST',
        url: '/activation',
        payload: { tenantId: randomUUID(), code: 'not-the-code' },
        token: null,
      });
    const answers = [];
    for (const p of [a, b, a, b]) answers.push((await guess(p)).statusCode);
    expect(answers).toEqual([400, 400, 400, 429]);
    // Each route counts apart: the guesses spent none of the sign-ups.
    expect(
      (await a.inject({ method: 'POST', url: '/tenants', payload: signUpBody(), token: null }))
        .statusCode,
    ).toBe(202);
  });
});

describe(`e-mails to one address on ${infrastructure}`, () => {
  const onboardingWork = [...workflows.onboarding.steps, ...workflows.onboarding.reactions];
  const mailsActivation = onboardingWork.some(
    (step) => step.service === 'notification' && step.on === 'UserInvited',
  );

  it('refuses sign-ups naming one owner e-mail past SIGNUP_EMAIL_LIMIT an hour, from any client, however written: 429, nothing created', async () => {
    const p = await product({ env: { SIGNUP_EMAIL_LIMIT: '2', TRUST_PROXY: '1' } });
    const signUp = (email: string, client: string) =>
      p.inject({
        method: 'POST',
        url: '/tenants',
        payload: { ...signUpBody(), owner: { email, name: 'Victim' } },
        token: null,
        headers: { 'x-forwarded-for': client },
      });
    const answers = [];
    for (const [index, email] of [
      'victim@example.test',
      'Victim@Example.TEST',
      'VICTIM@example.test',
    ].entries())
      answers.push(await signUp(email, `203.0.113.${index + 1}`));
    expect(answers.map((answer) => answer.statusCode)).toEqual([202, 202, 429]);
    const refused = expectProblem(answers[2]!, 429);
    expect(refused.detail).toMatch(/2 sign-ups an hour/);
    const retryAfter = Number(answers[2]!.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(3600);
    await p.settle();
    expect(p.published.filter((message) => message.type === 'TenantRegistered')).toHaveLength(2);
    const tenants = (await p.inject({ method: 'GET', url: '/tenants' })).json() as {
      items: unknown[];
    };
    expect(tenants.items).toHaveLength(2);
    // Another address is not held back, and this one is again after the hour.
    expect((await signUp('someone-else@example.test', '203.0.113.4')).statusCode).toBe(202);
    p.clock.advance(3_600_000);
    expect((await signUp('victim@example.test', '203.0.113.5')).statusCode).toBe(202);
  });

  it.runIf(mailsActivation)(
    'sends one address no more than ACTIVATION_EMAIL_LIMIT activation e-mails an hour, and every onboarding goes on',
    async () => {
      const p = await product({
        env: { ACTIVATION_EMAIL_LIMIT: '2' },
        listens: ['NotificationSent'],
      });
      const tenants = [];
      for (const email of ['victim@example.test', 'Victim@Example.test', 'victim@EXAMPLE.test'])
        tenants.push(await p.signUp({ owner: { email, name: 'Victim' } }));
      await p.settle();
      expect(p.mails().filter((name) => name.includes('-activation-'))).toHaveLength(2);
      const channels = p.published
        .filter((message) => message.type === 'NotificationSent')
        .map((message) => (message.payload as { channel: string }).channel);
      expect(channels.filter((channel) => channel === 'throttled')).toHaveLength(1);
      for (const { tenantId } of tenants) expect((await p.tenant(tenantId)).state).toBe('Active');
    },
  );
});

describe('TRUST_PROXY configuration', () => {
  it('takes what Fastify takes: true, false, hops, addresses and CIDR ranges', () => {
    const trust = (value?: string) =>
      loadConfig(value === undefined ? {} : { TRUST_PROXY: value }).trustProxy;
    expect(trust()).toBe(false);
    expect(trust('false')).toBe(false);
    expect(trust('true')).toBe(true);
    expect(trust('2')).toBe(2);
    expect(trust('10.0.0.0/8, 127.0.0.1,::1,fd00::/8,loopback')).toEqual([
      '10.0.0.0/8',
      '127.0.0.1',
      '::1',
      'fd00::/8',
      'loopback',
    ]);
  });

  it('refuses anything else, naming the variable and never showing the value', () => {
    for (const value of ['yes', '10.0.0.0/33', '10.0.0.1,proxy.internal.example', '-1', '1.5']) {
      let error: unknown;
      try {
        loadConfig({ TRUST_PROXY: value });
      } catch (thrown) {
        error = thrown;
      }
      expect(error, value).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toMatch(/^TRUST_PROXY must be/);
      expect((error as Error).message).not.toContain(value);
    }
  });
});
