/**
 * The API the product's pages use: the public catalogue, the sign-up's progress token, the
 * owner's activation with the e-mailed code, and the operators' counts, search, messages and
 * workflow runs of a tenant.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultEdition, editions, features, product, slugPattern } from '../../src/catalog.js';
import { ConfigError, loadConfig } from '../../src/config.js';
import { workflows } from '../../src/saga/definitions.js';
import { tenantStates, tenantTransitions } from '../../src/saga/tenant-machine.js';
import { workflowStates, workflowTransitions } from '../../src/saga/workflow-machine.js';
import { usersCollection } from '../../src/services/identity.js';
import type { User } from '../../src/services/identity.js';
import {
  activeTenant,
  expectProblem,
  expectUnchanged,
  snapshot,
  tenantToken,
} from './api-support.js';
import type { Product } from './harness.js';
import { nextSlug, productPerTest } from './harness.js';
import { infrastructure } from './infrastructure.js';
import { samplePayload } from './payloads.js';
import { mailText } from './mail-support.js';

const product_ = productPerTest();
const onboardingWork = [...workflows.onboarding.steps, ...workflows.onboarding.reactions];
/** Whether the blueprint invites the owner and e-mails the invitation's code. */
const mailsActivation =
  onboardingWork.some((step) => step.emits === 'UserInvited') &&
  onboardingWork.some((step) => step.service === 'notification' && step.on === 'UserInvited');
const domain = Object.values(workflows).filter((workflow) => workflow.kind === 'domain');
if (!mailsActivation)
  console.warn('face-api.test: the blueprint e-mails no activation code; activation tests skipped');

/** A public sign-up, as the page makes it: no token; its whole answer. */
async function signUp(p: Product, headers: Record<string, string> = {}, slug = nextSlug()) {
  const response = await p.inject({
    method: 'POST',
    url: '/tenants',
    token: null,
    headers,
    payload: { slug, name: `Tenant ${slug}`, owner: { email: `owner@${slug}.test`, name: 'O' } },
  });
  expect(response.statusCode, response.body).toBe(202);
  return response.json() as { tenantId: string; correlationId: string; progressToken: string };
}

/** The code and link of the tenant's activation e-mail. */
function activationMail(p: Product, tenantId: string) {
  const name = p.mails().find((file) => file.startsWith(`${tenantId}-activation-`));
  expect(name, 'an activation e-mail').toBeDefined();
  const text = mailText(readFileSync(join(p.dir, 'mail', name!), 'utf8'));
  const code = /activation code: (\S+)/.exec(text)?.[1];
  expect(code).toMatch(/^[A-Za-z0-9_-]{24}$/);
  return { code: code!, text };
}

const activate = (p: Product, payload: object, ip?: string) =>
  p.inject({
    method: 'POST',
    url: '/activation',
    token: null,
    payload,
    ...(ip ? { remoteAddress: ip } : {}),
  });

describe('GET /catalog', () => {
  it("answers anyone with the blueprint's editions, onboarding, machines and workflows", async () => {
    const p = await product_();
    const response = await p.inject({ method: 'GET', url: '/catalog', token: null });
    expect(response.statusCode).toBe(200);
    const catalog = response.json();
    expect(catalog.product).toEqual({ name: product.name, title: product.title });
    expect(new RegExp(catalog.slugPattern, 'u').source).toBe(slugPattern.source);
    expect(catalog.defaultEdition).toBe(defaultEdition);
    expect(catalog.editions.map((edition: { id: string }) => edition.id)).toEqual(
      Object.keys(editions),
    );
    for (const edition of Object.values(editions)) {
      const shown = catalog.editions.find((e: { id: string }) => e.id === edition.id);
      expect(shown).toEqual({
        id: edition.id,
        title: edition.title,
        trialDays: edition.trialDays,
        price: edition.price,
        features: edition.features.map((id) => ({ id, title: features[id].title })),
        limits: edition.limits,
      });
    }
    const steps = (list: readonly (typeof workflows.onboarding.steps)[number][]) =>
      list.map(({ id, service, on, emits, compensate }) => ({
        id,
        service,
        on,
        emits,
        compensate,
      }));
    expect(catalog.onboarding).toEqual({
      id: workflows.onboarding.id,
      steps: steps(workflows.onboarding.steps),
      timeoutMs: workflows.onboarding.timeoutMs,
    });
    expect(catalog.tenantMachine).toEqual({
      states: [...tenantStates],
      initial: 'Registered',
      transitions: tenantTransitions.map(({ from, to, on }) => ({ from, to, on })),
    });
    expect(catalog.workflowMachine).toEqual({
      states: [...workflowStates],
      initial: 'Running',
      transitions: workflowTransitions.map(({ from, to, on }) => ({ from, to, on })),
    });
    expect(catalog.workflows).toEqual(
      domain.map((workflow) => ({
        id: workflow.id,
        startedBy: workflow.trigger,
        steps: steps(workflow.steps),
        timeoutMs: workflow.timeoutMs,
      })),
    );
  });
});

describe(`the progress token of a sign-up on ${infrastructure}`, () => {
  it("reads its own tenant's progress, failure included, and nothing else", async () => {
    const p = await product_();
    const mine = await signUp(p);
    const other = await signUp(p);
    const asSigner = (url: string, method: 'GET' | 'POST' = 'GET') =>
      p.inject({ method, url, token: mine.progressToken, payload: {} });

    const early = await asSigner(`/tenants/${mine.tenantId}`);
    expect(early.statusCode, early.body).toBe(200);
    expect(early.json()).toMatchObject({ tenantId: mine.tenantId, failure: null });
    await p.settle();
    expect((await asSigner(`/tenants/${mine.tenantId}`)).json()).toMatchObject({
      state: 'Active',
      failure: null,
    });

    expectProblem(await asSigner(`/tenants/${other.tenantId}`), 403);
    // Every other documented route, whatever it is: refused before anything ran.
    const document = (await p.inject({ method: 'GET', url: '/openapi.json', token: null })).json();
    const guarded = Object.entries(
      document.paths as Record<string, Record<string, { 'x-access': string }>>,
    ).flatMap(([path, methods]) =>
      Object.entries(methods)
        .filter(([, op]) => op['x-access'] !== 'public' && op['x-access'] !== 'progress')
        .map(([method]) => ({ method: method.toUpperCase() as 'GET' | 'POST', path })),
    );
    expect(guarded.length).toBeGreaterThan(15);
    const before = await snapshot(p);
    for (const { method, path } of guarded) {
      const url = path
        .replace('{id}', mine.tenantId)
        .replace(/\{[A-Za-z]+\}/g, '5f0c7c4e-8a4b-4c1e-9d7a-2b3c4d5e6f70');
      const refused = expectProblem(await asSigner(url, method), 403);
      expect(refused.detail, `${method} ${path}`).toContain('progress token');
    }
    await expectUnchanged(p, before);
    expect((await p.tenant(mine.tenantId)).state).toBe('Active');
  });

  it('expires after an hour, and an idempotent replay answers a fresh one', async () => {
    const p = await product_();
    const headers = { 'idempotency-key': `key-${nextSlug()}` };
    const slug = nextSlug();
    const first = await signUp(p, headers, slug);
    const [, claims] = first.progressToken.split('.');
    expect(JSON.parse(Buffer.from(claims!, 'base64url').toString())).toMatchObject({
      role: 'signup',
      tenantId: first.tenantId,
      iss: product.name,
      aud: product.name,
    });
    p.clock.advance(30 * 60_000);
    const replay = await signUp(p, headers, slug);
    expect(replay.tenantId).toBe(first.tenantId);
    expect(replay.progressToken).not.toBe(first.progressToken);

    p.clock.advance(31 * 60_000);
    const expired = await p.inject({
      method: 'GET',
      url: `/tenants/${first.tenantId}`,
      token: first.progressToken,
    });
    expect(expectProblem(expired, 401).detail).toBe('the token has expired');
    const fresh = await p.inject({
      method: 'GET',
      url: `/tenants/${first.tenantId}`,
      token: replay.progressToken,
    });
    expect(fresh.statusCode, fresh.body).toBe(200);
  });

  it('is refused once its tenant is decommissioned', async () => {
    const p = await product_();
    const { tenantId, progressToken } = await signUp(p);
    await p.settle();
    const closed = await p.inject({ method: 'POST', url: `/tenants/${tenantId}/decommission` });
    expect(closed.statusCode, closed.body).toBe(202);
    await p.settle();
    const refused = await p.inject({
      method: 'GET',
      url: `/tenants/${tenantId}`,
      token: progressToken,
    });
    expectProblem(refused, 401);
  });
});

describe.skipIf(!mailsActivation)(`POST /activation on ${infrastructure}`, () => {
  it('activates the owner once with the e-mailed code, and publishes UserActivated', async () => {
    const p = await product_({ listens: ['UserActivated'] });
    const { tenantId, correlationId } = await signUp(p);
    await p.settle();
    const { code, text } = activationMail(p, tenantId);
    expect(text).toContain(`/activate#tenant=${tenantId}&code=${code}`);
    const invited = await p.app.store.getRecord<User>(usersCollection, tenantId, 'owner');
    expect(invited?.data.status).toBe('Invited');

    const response = await activate(p, { tenantId, code });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toEqual({ tenantId, userId: invited!.data.userId, status: 'Active' });
    await p.settle();
    const owner = await p.app.store.getRecord<User>(usersCollection, tenantId, 'owner');
    expect(owner?.data).toEqual({ ...invited!.data, status: 'Active' });
    const activated = p.published.filter((message) => message.type === 'UserActivated');
    expect(activated).toHaveLength(1);
    expect(activated[0]).toMatchObject({
      tenantId,
      correlationId,
      payload: { userId: invited!.data.userId, email: invited!.data.email },
    });

    const again = expectProblem(await activate(p, { tenantId, code }), 409);
    expect(again.title).toBe('Already activated');
    await p.settle();
    expect(p.published.filter((message) => message.type === 'UserActivated')).toHaveLength(1);
  });

  it('answers a wrong code and an unknown tenant alike with 400, and changes nothing', async () => {
    const p = await product_();
    const { tenantId } = await signUp(p);
    const { tenantId: otherTenant } = await signUp(p);
    await p.settle();
    const { code } = activationMail(p, tenantId);
    const wrong = expectProblem(await activate(p, { tenantId, code: 'x'.repeat(24) }), 400);
    const unknown = expectProblem(
      await activate(p, { tenantId: '00000000-0000-4000-8000-000000000000', code }),
      400,
    );
    const anotherTenants = expectProblem(await activate(p, { tenantId: otherTenant, code }), 400);
    expect(unknown).toEqual(wrong);
    expect(anotherTenants).toEqual(wrong);
    const invalid = expectProblem(await activate(p, { tenantId: 'nope', code }), 400);
    expect(invalid.errors?.[0]).toMatchObject({ in: 'body', path: '/tenantId' });
    expectProblem(await activate(p, { tenantId }), 400);
    const owner = await p.app.store.getRecord<User>(usersCollection, tenantId, 'owner');
    expect(owner?.data.status).toBe('Invited');
    expect(p.published.some((message) => message.type === 'UserActivated')).toBe(false);
    // The right code still works afterwards.
    expect((await activate(p, { tenantId, code })).statusCode).toBe(200);
  });

  it('answers 410 once the invitation is older than ACTIVATION_TTL_HOURS', async () => {
    const p = await product_({ env: { ACTIVATION_TTL_HOURS: '2' } });
    const { tenantId } = await signUp(p);
    await p.settle();
    const { code } = activationMail(p, tenantId);
    p.clock.advance(2 * 3_600_000);
    const gone = expectProblem(await activate(p, { tenantId, code }), 410);
    expect(gone.title).toBe('Invitation expired');
    const owner = await p.app.store.getRecord<User>(usersCollection, tenantId, 'owner');
    expect(owner?.data.status).toBe('Invited');
    expect(p.published.some((message) => message.type === 'UserActivated')).toBe(false);
  });

  it('is rate-limited per client address like the sign-up', async () => {
    const p = await product_({ env: { SIGNUP_RATE_LIMIT: '2' } });
    const { tenantId } = await signUp(p);
    await p.settle();
    const guess = { tenantId, code: 'y'.repeat(24) };
    expect((await activate(p, guess, '10.0.0.1')).statusCode).toBe(400);
    expect((await activate(p, guess, '10.0.0.1')).statusCode).toBe(400);
    const limited = expectProblem(await activate(p, guess, '10.0.0.1'), 429);
    expect(limited.detail).toContain('2 times a minute');
    // Another client is not held back by the first one's guesses.
    const { code } = activationMail(p, tenantId);
    expect((await activate(p, { tenantId, code }, '10.0.0.2')).statusCode).toBe(200);
  });
});

describe('ACTIVATION_TTL_HOURS', () => {
  it('defaults to 72 hours and must be a positive number of hours', () => {
    expect(loadConfig({}).activationTtlMs).toBe(72 * 3_600_000);
    expect(loadConfig({ ACTIVATION_TTL_HOURS: '0.5' }).activationTtlMs).toBe(1_800_000);
    for (const bad of ['0', '-1', 'soon'])
      expect(() => loadConfig({ ACTIVATION_TTL_HOURS: bad })).toThrow(ConfigError);
  });
});

describe(`the operators' views of tenants on ${infrastructure}`, () => {
  it('counts the tenants in every state of the tenant machine, zeros included', async () => {
    const p = await product_();
    const before = (await p.inject({ method: 'GET', url: '/tenants/counts' })).json();
    expect(Object.keys(before).sort()).toEqual([...tenantStates].sort());
    await activeTenant(p);
    const { tenantId } = await activeTenant(p);
    await p.inject({ method: 'POST', url: `/tenants/${tenantId}/suspend` });
    await p.settle();
    const response = await p.inject({ method: 'GET', url: '/tenants/counts' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      ...Object.fromEntries(tenantStates.map((state) => [state, before[state]])),
      Active: before.Active + 1,
      Suspended: before.Suspended + 1,
    });
    const token = await tenantToken(p, tenantId);
    expectProblem(await p.inject({ method: 'GET', url: '/tenants/counts', token }), 403);
  });

  it('finds tenants by a part of their slug or name, in any case', async () => {
    const p = await product_();
    const zebra = await p.signUp({ name: 'Zebra Crossing Ltd' });
    const other = await p.signUp({ name: 'Okapi Works' });
    await p.settle();
    const search = async (q: string, extra = '') => {
      const response = await p.inject({
        method: 'GET',
        url: `/tenants?q=${encodeURIComponent(q)}${extra}`,
      });
      expect(response.statusCode, response.body).toBe(200);
      return (response.json() as { items: { tenantId: string }[] }).items.map((t) => t.tenantId);
    };
    expect(await search('zEBRA cross')).toEqual([zebra.tenantId]);
    expect(await search(other.slug.toUpperCase())).toEqual([other.tenantId]);
    expect(await search('zebra', '&state=Active')).toEqual([zebra.tenantId]);
    expect(await search('zebra', '&state=Suspended')).toEqual([]);
    expect(await search('no tenant is called this')).toEqual([]);
    expectProblem(await p.inject({ method: 'GET', url: '/tenants?q=' }), 400);
  });

  it("lists a tenant's messages in commit order, a causation tree rooted at TenantRegistered", async () => {
    const p = await product_();
    const { tenantId, correlationId } = await activeTenant(p);
    await activeTenant(p);
    const response = await p.inject({ method: 'GET', url: `/tenants/${tenantId}/messages` });
    expect(response.statusCode, response.body).toBe(200);
    const { items } = response.json() as {
      items: { eventId: string; type: string; causationId: string; tenantId: string }[];
    };
    expect(items[0]).toMatchObject({ type: 'TenantRegistered', correlationId });
    expect(items.every((item) => item.tenantId === tenantId)).toBe(true);
    const ids = new Set(items.map((item) => item.eventId));
    expect(ids.size).toBe(items.length);
    const roots = items.filter(
      (item) => item.causationId === item.eventId || !ids.has(item.causationId),
    );
    expect(roots.map((root) => root.type)).toEqual(['TenantRegistered']);
    // Each message comes after the one that caused it.
    const position = new Map(items.map((item, index) => [item.eventId, index]));
    for (const item of items.slice(1))
      expect(position.get(item.causationId)!).toBeLessThan(position.get(item.eventId)!);
    // Every step's event is there.
    for (const step of workflows.onboarding.steps)
      if (step.emits) expect(items.map((item) => item.type)).toContain(step.emits);
    const published = new Set<string>(p.published.map((message) => message.eventId));
    expect(items.every((item) => published.has(item.eventId))).toBe(true);

    const newest = await p.inject({ method: 'GET', url: `/tenants/${tenantId}/messages?limit=2` });
    expect((newest.json() as { items: unknown[] }).items).toEqual(items.slice(-2));
    const token = await tenantToken(p, tenantId);
    expectProblem(
      await p.inject({ method: 'GET', url: `/tenants/${tenantId}/messages`, token }),
      403,
    );
    expectProblem(
      await p.inject({
        method: 'GET',
        url: '/tenants/00000000-0000-4000-8000-000000000000/messages',
      }),
      404,
    );
  });

  it.skipIf(domain.length === 0)("lists a tenant's workflow runs", async () => {
    const p = await product_();
    const { tenantId } = await activeTenant(p);
    const { tenantId: otherTenant } = await activeTenant(p);
    const empty = await p.inject({ method: 'GET', url: `/tenants/${tenantId}/workflows` });
    expect(empty.json()).toEqual({ items: [] });
    const workflow = domain[0]!;
    const started: string[] = [];
    for (let run = 0; run < 2; run += 1) {
      const response = await p.inject({
        method: 'POST',
        url: `/tenants/${tenantId}/workflows/${workflow.id}`,
        payload: samplePayload(workflow.trigger),
      });
      expect(response.statusCode, response.body).toBe(202);
      started.push((response.json() as { workflowId: string }).workflowId);
      p.clock.advance(1000);
    }
    await p.settle();
    const token = await tenantToken(p, tenantId);
    const response = await p.inject({
      method: 'GET',
      url: `/tenants/${tenantId}/workflows`,
      token,
    });
    expect(response.statusCode, response.body).toBe(200);
    const { items } = response.json() as {
      items: { workflowId: string; workflow: string; state: string; startedAt: string }[];
    };
    expect(items.map((item) => item.workflowId)).toEqual(started);
    for (const item of items) {
      const one = await p.inject({
        method: 'GET',
        url: `/tenants/${tenantId}/workflows/${item.workflowId}`,
      });
      expect(item).toEqual(one.json());
      expect(item.workflow).toBe(workflow.id);
      expect(item.state).toBe('Completed');
    }
    const others = await p.inject({ method: 'GET', url: `/tenants/${otherTenant}/workflows` });
    expect(others.json()).toEqual({ items: [] });
    expectProblem(
      await p.inject({ method: 'GET', url: `/tenants/${otherTenant}/workflows`, token }),
      403,
    );
  });
});
