/**
 * The product's public edges: sign-up under a flood, idempotency keys that expire, slugs a failed
 * sign-up gives back, activation codes kept out of storage, owner-only data files, e-mail that a
 * message on the bus cannot aim outside its folder, and configuration errors that keep secrets.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { startEnvelope } from '../../src/contracts/envelope.js';
import type { TenantId } from '../../src/contracts/envelope.js';
import { activationCodes } from '../../src/services/activation.js';
import { usersCollection } from '../../src/services/identity.js';
import type { User } from '../../src/services/identity.js';
import { expectProblem } from './api-support.js';
import { infrastructure } from './infrastructure.js';
import { workflows } from '../../src/saga/definitions.js';
import { jwtSecret, nextSlug, onboardingSteps, productPerTest } from './harness.js';
import { mailText } from './mail-support.js';

const product = productPerTest();
const onboardingWork = [...workflows.onboarding.steps, ...workflows.onboarding.reactions];
/** Whether the blueprint invites the owner, and whether an e-mail takes the invitation's code. */
const invites = onboardingWork.some((step) => step.emits === 'UserInvited');
const mailsActivation = onboardingWork.some(
  (step) => step.service === 'notification' && step.on === 'UserInvited',
);
const onSqlite = !process.env.DATABASE_URL?.startsWith('postgres');

const signUpBody = (slug = nextSlug()) => ({
  slug,
  name: `Tenant ${slug}`,
  owner: { email: `owner@${slug}.test`, name: 'Owner' },
});

describe(`sign-up on ${infrastructure}`, () => {
  it('answers a flood from one client with 429 and Retry-After, and creates nothing for it', async () => {
    const p = await product({ env: { SIGNUP_RATE_LIMIT: '3' } });
    const answers = [];
    for (let i = 0; i < 8; i++)
      answers.push(
        await p.inject({ method: 'POST', url: '/tenants', payload: signUpBody(), token: null }),
      );
    expect(answers.map((answer) => answer.statusCode)).toEqual([
      202, 202, 202, 429, 429, 429, 429, 429,
    ]);
    const refused = expectProblem(answers[3]!, 429);
    expect(refused.detail).toMatch(/3 times a minute/);
    expect(Number(answers[3]!.headers['retry-after'])).toBeGreaterThan(0);
    await p.settle();
    const tenants = (await p.inject({ method: 'GET', url: '/tenants' })).json() as {
      items: unknown[];
    };
    expect(tenants.items).toHaveLength(3);
    expect(p.published.filter((message) => message.type === 'TenantRegistered')).toHaveLength(3);
  });

  it('forgets an Idempotency-Key after IDEMPOTENCY_KEY_TTL_HOURS', async () => {
    const p = await product({ env: { IDEMPOTENCY_KEY_TTL_HOURS: '1' } });
    const send = (body: object) =>
      p.inject({
        method: 'POST',
        url: '/tenants',
        payload: body,
        headers: { 'idempotency-key': 'signup-1' },
        token: null,
      });
    const first = await send(signUpBody());
    expect(first.statusCode).toBe(202);
    expectProblem(await send(signUpBody()), 422);
    p.clock.advance(61 * 60_000);
    const later = await send(signUpBody());
    expect(later.statusCode, later.body).toBe(202);
    expect(later.json().tenantId).not.toBe(first.json().tenantId);
  });

  it('gives the slug back when the tenant is decommissioned before it was ever Active', async () => {
    const failing = onboardingSteps[0]!.id;
    const p = await product({ faults: `${failing}:fail` });
    const { tenantId, slug } = await p.signUp();
    await p.settle();
    expect((await p.tenant(tenantId)).state).toBe('ProvisioningFailed');
    const again = () =>
      p.inject({ method: 'POST', url: '/tenants', payload: signUpBody(slug), token: null });
    expectProblem(await again(), 409);
    expect(
      (await p.inject({ method: 'POST', url: `/tenants/${tenantId}/decommission`, payload: {} }))
        .statusCode,
    ).toBe(202);
    await p.settle();
    expect((await p.tenant(tenantId)).state).toBe('Decommissioned');
    expect((await p.timeline(tenantId)).map((entry) => entry.action)).toContain('slugReleased');
    expect((await again()).statusCode).toBe(202);
  });

  it('keeps the slug of a tenant that was Active', async () => {
    const p = await product();
    const { tenantId, slug } = await p.signUp();
    await p.settle();
    expect((await p.tenant(tenantId)).state).toBe('Active');
    await p.inject({ method: 'POST', url: `/tenants/${tenantId}/decommission`, payload: {} });
    await p.settle();
    expect((await p.tenant(tenantId)).state).toBe('Decommissioned');
    expectProblem(
      await p.inject({ method: 'POST', url: '/tenants', payload: signUpBody(slug), token: null }),
      409,
    );
  });
});

describe(`secrets at rest on ${infrastructure}`, () => {
  it('keeps the activation code out of every message, the saga and the store: only the e-mail has it', async () => {
    const p = await product();
    const { tenantId } = await p.signUp();
    await p.settle();
    const invitation = p.published.find((message) => message.type === 'UserInvited');
    expect(Boolean(invitation), 'the owner is invited as the blueprint says').toBe(invites);
    // The invitation carries its id, never a code.
    if (invitation)
      expect(Object.keys(invitation.payload as object).sort()).toEqual([
        'email',
        'invitationId',
        'name',
        'userId',
      ]);
    const [mail] = p.mails().filter((name) => name.includes('-activation-'));
    expect(Boolean(mail), 'an activation e-mail, when a notification step takes UserInvited').toBe(
      mailsActivation,
    );
    if (!mail) return;
    const text = mailText(readFileSync(join(p.dir, 'mail', mail!), 'utf8'));
    const code = /activation code: (\S+)/.exec(text)?.[1];
    expect(code).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(text).toContain(`/activate#tenant=${tenantId}&code=${code}`);

    const owner = await p.app.store.getRecord<User>(usersCollection, tenantId, 'owner');
    expect(activationCodes(jwtSecret).matches(code!, tenantId, owner!.data.invitationId)).toBe(
      true,
    );
    expect(JSON.stringify(p.published)).not.toContain(code);
    expect(JSON.stringify(await p.saga(tenantId))).not.toContain(code);
    expect(JSON.stringify(owner)).not.toContain(code);
    expect(JSON.stringify(await p.timeline(tenantId))).not.toContain(code);
    if (onSqlite) {
      // Every byte the store wrote, its write-ahead log included.
      for (const file of readdirSync(p.dir).filter((name) => name.startsWith('app.db')))
        expect(readFileSync(join(p.dir, file)).includes(code!), file).toBe(false);
    }
  });

  it('creates the mail folder and its e-mails, and on SQLite the database, owner-only', async () => {
    const p = await product();
    await p.signUp();
    await p.settle();
    const paths = [join(p.dir, 'mail'), ...p.mails().map((mail) => join(p.dir, 'mail', mail))];
    if (onSqlite) paths.push(join(p.dir, 'app.db'));
    expect(paths.length).toBeGreaterThan(1);
    for (const path of paths) expect(statSync(path).mode & 0o077, path).toBe(0);
  });
});

describe(`e-mail from the bus on ${infrastructure}`, () => {
  it('refuses a SendEmail whose mail id is a path or whose subject adds a header: dead-lettered, nothing written', async () => {
    const p = await product();
    const { tenantId } = await p.signUp();
    await p.settle();
    const before = p.mails();
    const outside = readdirSync(dirname(p.dir)).sort();
    for (const payload of [
      { mailId: '../../escaped', to: 'x@example.com', subject: 'Hi', text: 'x' },
      { mailId: 'fine-id', to: 'x@example.com', subject: 'Hi\r\nBcc: a@example.com', text: 'x' },
    ]) {
      await p.app.transport.publish(
        startEnvelope({
          type: 'SendEmail',
          tenantId: tenantId as TenantId,
          occurredAt: p.clock.now(),
          payload,
        }),
      );
    }
    await p.elapse(60_000);
    expect(p.mails()).toEqual(before);
    expect(readdirSync(dirname(p.dir)).sort()).toEqual(outside);
    const letters = (
      await p.inject({ method: 'GET', url: '/dead-letters?type=SendEmail' })
    ).json() as {
      items: unknown[];
    };
    expect(letters.items).toHaveLength(2);
  });
});

describe(`the pages' icon on ${infrastructure}`, () => {
  it('answers /favicon.ico and the icon every page links with an SVG, to anyone', async () => {
    const p = await product();
    const icons = [];
    for (const url of ['/favicon.ico', '/favicon.svg']) {
      const response = await p.inject({ method: 'GET', url, token: null });
      expect(response.statusCode, url).toBe(200);
      expect(response.headers['content-type'], url).toMatch(/^image\/svg\+xml/);
      expect(response.body, url).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[^>]*>/);
      icons.push(response.body);
    }
    expect(icons[1]).toBe(icons[0]);
    for (const page of ['/', '/activate', '/console']) {
      const html = (await p.inject({ method: 'GET', url: page, token: null })).body;
      const href = /<link rel="icon" href="([^"]+)" type="image\/svg\+xml"/.exec(html)?.[1];
      expect(href, `the icon ${page} links`).toBeDefined();
      const linked = await p.inject({ method: 'GET', url: href!, token: null });
      expect(linked.statusCode, `${page} links ${href}`).toBe(200);
      expect(linked.body).toBe(icons[0]);
    }
  });
});

describe('configuration', () => {
  it('never shows the password of a DATABASE_URL or BUS_URL it refuses', () => {
    for (const env of [
      { DATABASE_URL: 'mysql://app:s3cret-pw@db:3306/app' },
      { BUS_URL: 'kafka://app:s3cret-pw@mq:9092' },
    ]) {
      let message = '';
      try {
        loadConfig(env);
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).toMatch(/^(DATABASE|BUS)_URL .*must be/);
      expect(message).not.toContain('s3cret-pw');
    }
  });

  it.each(['api', 'worker'])('refuses ROLE=%s on the in-process bus, saying why', (role) => {
    expect(() => loadConfig({ ROLE: role })).toThrow(ConfigError);
    expect(() => loadConfig({ ROLE: role, BUS_URL: 'memory://' })).toThrow(
      /BUS_URL=memory:\/\/ reaches this process only/,
    );
    expect(loadConfig({ ROLE: role, BUS_URL: 'amqp://mq' }).role).toBe(role);
  });
});
