/**
 * `POST /webhooks/billing` through the API: a delivery signed as Standard Webhooks suspends or
 * reinstates its tenant through the saga (as the blueprint's `lifecycle` says), a repeated `webhook-id` is applied once, and every
 * delivery that is unsigned, forged, stale or about no tenant publishes nothing. Requests are
 * signed here with node:crypto, following the standard, rather than with the library the product
 * verifies with, so that a mistake shared by both would still show.
 */
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { createApp } from '../../src/app.js';
import { lifecycle } from '../../src/saga/definitions.js';
import { activeTenant, expectProblem, expectUnchanged, snapshot } from './api-support.js';
import type { Product } from './harness.js';
import { fixture, startProduct } from './harness.js';
import { infrastructure } from './infrastructure.js';

/** Whether the blueprint's `lifecycle` moves a tenant on these messages (the reference one does). */
const suspends = lifecycle.suspendOn.includes('PaymentPastDue');
const reinstates = lifecycle.reinstateOn.includes('PaymentSettled');
/**
 * Whether a message of `type` reaches the test's tap: the in-process bus drops what no endpoint
 * receives before it is even written, and only the lifecycle makes the saga receive these.
 */
const heard = (type: string) =>
  Boolean(process.env.BUS_URL?.startsWith('amqp')) ||
  lifecycle.suspendOn.includes(type) ||
  lifecycle.reinstateOn.includes(type);

const secret = `whsec_${randomBytes(32).toString('base64')}`;

let p: Product;
afterEach(async () => {
  await p?.stop();
});

const start = (env: Record<string, string> = { BILLING_WEBHOOK_SECRET: secret }) =>
  startProduct({ env });

/** `v1,` and the base64 HMAC-SHA256, under the key `secret` encodes, of `<id>.<timestamp>.<body>`. */
function signature(id: string, timestamp: number, body: string, key = secret): string {
  const bytes = Buffer.from(key.slice('whsec_'.length), 'base64');
  const mac = createHmac('sha256', bytes).update(`${id}.${timestamp}.${body}`).digest('base64');
  return `v1,${mac}`;
}

interface Delivery {
  readonly id?: string;
  /** Unix seconds; the product's clock by default. */
  readonly timestamp?: number;
  /** Replaces the signature the other fields make. */
  readonly signature?: string;
  /** Headers to leave out. */
  readonly without?: readonly string[];
}

const nowSeconds = () => Math.floor(p.clock.now().getTime() / 1000);

/** Sends `body` as the provider would: its text, exactly as signed. */
function deliver(body: object | string, delivery: Delivery = {}) {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const id = delivery.id ?? `msg_${randomUUID()}`;
  const timestamp = delivery.timestamp ?? nowSeconds();
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': delivery.signature ?? signature(id, timestamp, text),
  };
  for (const name of delivery.without ?? []) delete headers[name];
  return p.inject({
    method: 'POST',
    url: '/webhooks/billing',
    headers,
    payload: text,
    token: null,
  });
}

const pastDue = (tenantId: string) => ({ type: 'payment.past_due', tenantId });
const settled = (tenantId: string) => ({ type: 'payment.settled', tenantId });

const messages = (type: string, tenantId: string) =>
  p.published.filter((m) => m.type === type && m.tenantId === tenantId);

const moves = async (tenantId: string, toState: string) =>
  (await p.timeline(tenantId)).filter((e) => e.toState === toState && e.fromState !== toState);

describe(`billing webhooks (${infrastructure})`, () => {
  // What the blueprint's lifecycle makes of the payment events: every blueprint runs these tests.
  const whilePastDue = suspends ? 'Suspended' : 'Active';

  it("applies payment.past_due and payment.settled as the blueprint's lifecycle says", async () => {
    p = await start();
    const { tenantId } = await activeTenant(p);

    const due = await deliver({ ...pastDue(tenantId), invoiceId: 'in_1001' });
    expect(due.statusCode, due.body).toBe(202);
    expect(due.json()).toMatchObject({ tenantId, accepted: 'PaymentPastDue', replayed: false });
    await p.settle();
    expect((await p.tenant(tenantId)).state).toBe(whilePastDue);
    const published = messages('PaymentPastDue', tenantId);
    if (heard('PaymentPastDue'))
      expect(published).toEqual([
        expect.objectContaining({ eventId: due.json().eventId, payload: { invoiceId: 'in_1001' } }),
      ]);
    const suspensions = await moves(tenantId, 'Suspended');
    if (suspends)
      expect(suspensions).toEqual([
        expect.objectContaining({
          fromState: 'Active',
          causationId: due.json().eventId,
          detail: expect.objectContaining({ cause: 'PaymentPastDue' }),
        }),
      ]);
    else expect(suspensions).toEqual([]);

    const paid = await deliver(settled(tenantId));
    expect(paid.statusCode, paid.body).toBe(202);
    expect(paid.json()).toMatchObject({ accepted: 'PaymentSettled' });
    await p.settle();
    expect((await p.tenant(tenantId)).state).toBe(suspends && !reinstates ? 'Suspended' : 'Active');
    if (suspends && reinstates)
      expect(await moves(tenantId, 'Active')).toContainEqual(
        expect.objectContaining({
          fromState: 'Suspended',
          detail: expect.objectContaining({ cause: 'PaymentSettled' }),
        }),
      );
  });

  it('acknowledges a repeated webhook-id and applies it once', async () => {
    p = await start();
    const { tenantId } = await activeTenant(p);
    const id = `msg_${randomUUID()}`;
    const timestamp = nowSeconds();
    const first = await deliver(pastDue(tenantId), { id, timestamp });
    expect(first.statusCode, first.body).toBe(202);
    await p.settle();

    // The same request again, and the provider's retry a minute later, signed anew.
    const again = await deliver(pastDue(tenantId), { id, timestamp });
    p.clock.advance(60_000);
    const retry = await deliver(pastDue(tenantId), { id });
    for (const response of [again, retry]) {
      expect(response.statusCode, response.body).toBe(200);
      expect(response.json()).toEqual({ ...first.json(), replayed: true });
    }
    await p.settle();
    // Applied once: one message (where one can be seen), one move, and every answer names it.
    expect(messages('PaymentPastDue', tenantId)).toHaveLength(heard('PaymentPastDue') ? 1 : 0);
    expect(await moves(tenantId, 'Suspended')).toHaveLength(suspends ? 1 : 0);

    // Two copies at the same moment: one is applied, the other is told so.
    const twin = `msg_${randomUUID()}`;
    const twins = await Promise.all([
      deliver(settled(tenantId), { id: twin }),
      deliver(settled(tenantId), { id: twin }),
    ]);
    expect(twins.map((r) => r.statusCode).sort()).toEqual([200, 202]);
    await p.settle();
    expect(messages('PaymentSettled', tenantId)).toHaveLength(heard('PaymentSettled') ? 1 : 0);
    expect(twins[0]!.json().eventId).toBe(twins[1]!.json().eventId);

    // Another id is another delivery.
    expect((await deliver(pastDue(tenantId))).statusCode).toBe(202);
    await p.settle();
    expect(messages('PaymentPastDue', tenantId)).toHaveLength(heard('PaymentPastDue') ? 2 : 0);
  });

  it('refuses a bad signature with 401 and publishes nothing', async () => {
    p = await start();
    const { tenantId } = await activeTenant(p);
    const body = JSON.stringify(pastDue(tenantId));
    const id = 'msg_forged';
    const timestamp = nowSeconds();
    const other = `whsec_${randomBytes(32).toString('base64')}`;
    const before = await snapshot(p);
    for (const forged of [
      signature(id, timestamp, body, other),
      // Signed for another body, another id, another time.
      signature(id, timestamp, JSON.stringify(settled(tenantId))),
      signature('msg_other', timestamp, body),
      signature(id, timestamp - 1, body),
      // Only schemes this product does not know, or nothing that looks like a signature.
      signature(id, timestamp, body).replace('v1,', 'v2,'),
      'v1,',
      'garbage',
    ]) {
      const problem = expectProblem(await deliver(body, { id, timestamp, signature: forged }), 401);
      expect(problem.detail).toContain('no v1 signature in webhook-signature matches');
    }
    await expectUnchanged(p, before);
    expect((await p.tenant(tenantId)).state).toBe('Active');

    // The id was not spent by the forgeries: the genuine delivery is applied.
    expect((await deliver(body, { id, timestamp })).statusCode).toBe(202);
  });

  it('accepts a delivery with several signatures when one of them matches (secret rotation)', async () => {
    p = await start();
    const { tenantId } = await activeTenant(p);
    const body = JSON.stringify(pastDue(tenantId));
    const id = 'msg_rotating';
    const timestamp = nowSeconds();
    const old = signature(id, timestamp, body, `whsec_${randomBytes(32).toString('base64')}`);
    const response = await deliver(body, {
      id,
      timestamp,
      signature: `${old} ${signature(id, timestamp, body)}`,
    });
    expect(response.statusCode, response.body).toBe(202);
  });

  it('refuses a timestamp more than 5 minutes from the clock with 401', async () => {
    p = await start();
    const { tenantId } = await activeTenant(p);
    const before = await snapshot(p);
    const old = expectProblem(
      await deliver(pastDue(tenantId), { timestamp: nowSeconds() - 301 }),
      401,
    );
    expect(old.detail).toMatch(/webhook-timestamp is 301 seconds old/);
    const future = expectProblem(
      await deliver(pastDue(tenantId), { timestamp: nowSeconds() + 301 }),
      401,
    );
    expect(future.detail).toMatch(/webhook-timestamp is 301 seconds in the future/);
    expectProblem(await deliver(pastDue(tenantId), { timestamp: Number.NaN }), 401);
    await expectUnchanged(p, before);

    // Within the tolerance, either way, is accepted.
    expect((await deliver(pastDue(tenantId), { timestamp: nowSeconds() - 300 })).statusCode).toBe(
      202,
    );
    expect((await deliver(settled(tenantId), { timestamp: nowSeconds() + 300 })).statusCode).toBe(
      202,
    );
  });

  it('refuses a delivery without each of the three headers with 401, naming it', async () => {
    p = await start();
    const { tenantId } = await activeTenant(p);
    const before = await snapshot(p);
    for (const header of ['webhook-id', 'webhook-timestamp', 'webhook-signature']) {
      const problem = expectProblem(await deliver(pastDue(tenantId), { without: [header] }), 401);
      expect(problem.detail).toBe(`the request has no ${header} header (Standard Webhooks)`);
    }
    // Unsigned, the body is not even looked at: what it should hold is not told.
    const unsigned = await p.inject({
      method: 'POST',
      url: '/webhooks/billing',
      headers: { 'content-type': 'application/json' },
      payload: '{"type":"anything"}',
      token: null,
    });
    expect(expectProblem(unsigned, 401).errors).toBeUndefined();
    await expectUnchanged(p, before);
  });

  it('publishes nothing for an unknown tenant or an unknown event type', async () => {
    p = await start();
    const { tenantId } = await activeTenant(p);
    const before = await snapshot(p);
    const nobody = randomUUID();
    const missing = expectProblem(await deliver(pastDue(nobody)), 404);
    expect(missing.detail).toBe(`no tenant ${nobody}`);
    const unknown = expectProblem(await deliver({ type: 'payment.refunded', tenantId }), 400);
    expect(unknown.errors).toContainEqual(expect.objectContaining({ path: '/type' }));
    expectProblem(await deliver({ ...pastDue(tenantId), extra: true }), 400);
    expectProblem(await deliver('{"type":'), 400);
    await expectUnchanged(p, before);
    expect(messages('PaymentPastDue', nobody)).toEqual([]);
  });

  it('accepts what the standardwebhooks library signs, and keeps the 64 KiB body limit', async () => {
    p = await start();
    const { tenantId } = await activeTenant(p);
    const body = JSON.stringify(pastDue(tenantId));
    const id = 'msg_library';
    const signed = new Webhook(secret).sign(id, p.clock.now(), body);
    expect(signed).toBe(signature(id, nowSeconds(), body));
    expect((await deliver(body, { id, signature: signed })).statusCode).toBe(202);

    const large = JSON.stringify({ ...pastDue(tenantId), invoiceId: 'x'.repeat(70 * 1024) });
    expectProblem(await deliver(large), 413);
  });

  it('answers 503 when BILLING_WEBHOOK_SECRET is not set', async () => {
    p = await start({ BILLING_WEBHOOK_SECRET: '' });
    const { tenantId } = await activeTenant(p);
    const before = await snapshot(p);
    const problem = expectProblem(await deliver(pastDue(tenantId)), 503);
    expect(problem.detail).toBe('billing webhooks are not configured: set BILLING_WEBHOOK_SECRET');
    await expectUnchanged(p, before);
  });

  it('refuses to start with a secret that is not whsec_ and 24 bytes or more in base64', () => {
    for (const [value, words] of [
      ['hunter2', 'must be `whsec_` followed by the key in base64'],
      ['whsec_not base64!', 'must be `whsec_` followed by the key in base64'],
      [`whsec_${randomBytes(16).toString('base64')}`, 'holds a key of 16 bytes'],
    ] as const) {
      const config = loadConfig({
        DATABASE_URL: `file:${join(mkdtempSync(join(tmpdir(), 'webhooks-')), 'app.db')}`,
        ADMIN_TOKEN: 'a'.repeat(32),
        JWT_SECRET: 'b'.repeat(32),
        LOG_LEVEL: 'silent',
        BILLING_WEBHOOK_SECRET: value,
      });
      expect(() => createApp(config, fixture)).toThrow(ConfigError);
      expect(() => createApp(config, fixture)).toThrow(words);
    }
  });
});
