/**
 * The operators' dead-letter tools through the API: the list with each letter's envelope and
 * failure, filtered by tenant and type; replay of one, of a list, and the dry run; the refusal
 * to replay a message older than the inbox retention unless forced; deletion; a letter that no
 * other message can overwrite. On RabbitMQ, the messages the broker dead-lettered on its own
 * are in test/runtime/broker-dead-letters.integration.test.ts.
 */
import { describe, expect, it } from 'vitest';
import type { Envelope } from '../../src/contracts/envelope.js';
import { expectProblem } from './api-support.js';
import type { Product } from './harness.js';
import {
  adminToken,
  bearer,
  jwtSecret,
  nextSlug,
  onboardingSteps,
  productPerTest,
} from './harness.js';

const firstStep = onboardingSteps.find((step) => step.on === 'TenantRegistered')!;
const maxDelay = Math.max(...onboardingSteps.map((step) => step.retry.maxDelayMs));
/** Every attempt of the first step fails: its message ends as a dead letter. */
const exhausting = `${firstStep.id}:transient:${firstStep.retry.attempts}`;
const day = 86_400_000;

interface Letter {
  id: string;
  consumer: string;
  envelope: { eventId: string; type: string; tenantId: string; traceId: string; payload: unknown };
  errorType: string;
  errorMessage: string;
  attempts: number;
  firstFailedAt: string;
  lastFailedAt: string;
  replayable: boolean;
  source: 'runtime' | 'broker';
  body?: { encoding: string; data: string };
}

const firstConsumer = `${firstStep.service}.${firstStep.id}`;

/** Starts a product that is stopped after the test. */
const product = productPerTest();

/** Signs up `count` tenants whose first step fails every attempt, and waits for the letters. */
async function deadLettered(p: Product, count: number): Promise<string[]> {
  const tenants: string[] = [];
  for (let i = 0; i < count; i++) tenants.push((await p.signUp()).tenantId);
  await p.settle();
  await p.elapse(maxDelay * firstStep.retry.attempts);
  return tenants;
}

const list = async (p: Product, query = '') =>
  ((await p.inject({ method: 'GET', url: `/dead-letters${query}` })).json() as { items: Letter[] })
    .items;

describe('dead letters', () => {
  it('lists each letter with its whole envelope and failure, filtered by tenant and type', async () => {
    const p = await product({ faults: exhausting });
    const [a, b] = await deadLettered(p, 2);
    const letters = await list(p);
    expect(letters).toHaveLength(2);
    const letter = letters.find((l) => l.envelope.tenantId === a)!;
    expect(letter).toMatchObject({
      consumer: `${firstStep.service}.${firstStep.id}`,
      errorType: 'TransientFault',
      attempts: firstStep.retry.attempts,
      replayable: true,
      envelope: { type: firstStep.on, tenantId: a },
    });
    expect(letter.errorMessage).toContain(firstStep.id);
    expect(letter.envelope).toEqual(p.published.find((m) => m.eventId === letter.envelope.eventId));
    expect(Date.parse(letter.firstFailedAt)).toBeLessThan(Date.parse(letter.lastFailedAt));

    expect((await list(p, `?tenantId=${a}`)).map((l) => l.id)).toEqual([letter.id]);
    expect((await list(p, `?tenantId=${b}`)).map((l) => l.envelope.tenantId)).toEqual([b]);
    expect(await list(p, `?type=${firstStep.on}`)).toHaveLength(2);
    expect(await list(p, '?type=NoSuchMessage')).toEqual([]);
    const one = await p.inject({ method: 'GET', url: `/dead-letters/${letter.id}` });
    expect(one.json()).toEqual(letter);
    expectProblem(
      await p.inject({ method: 'GET', url: '/dead-letters/00000000-0000-4000-8000-000000000000' }),
      404,
    );
  });

  it('replays one letter, then the rest of an explicit list, after a dry run that changes nothing', async () => {
    const broken = await product({ faults: exhausting });
    const tenants = await deadLettered(broken, 3);
    await broken.stop();
    // The operator fixes the cause (here: restarts without the fault), then replays.
    const p = await product({ dir: broken.dir, clock: broken.clock });
    const letters = await list(p);
    const [first, ...rest] = letters.map((l) => l.id) as [string, ...string[]];
    const one = await p.inject({ method: 'POST', url: `/dead-letters/${first}/replay` });
    expect(one.statusCode, one.body).toBe(202);
    expect(one.json()).toEqual({ id: first, outcome: 'replayed' });
    await p.settle();
    const replayedTenant = letters[0]!.envelope.tenantId;
    expect((await p.tenant(replayedTenant)).state).toBe('Active');
    expectProblem(await p.inject({ method: 'POST', url: `/dead-letters/${first}/replay` }), 404);

    const unknown = '00000000-0000-4000-8000-000000000000';
    const dry = await p.inject({
      method: 'POST',
      url: '/dead-letters/replay',
      payload: { ids: [...rest, unknown], dryRun: true },
    });
    expect(dry.json()).toEqual({
      dryRun: true,
      results: [
        ...rest.map((id) => ({ id, outcome: 'wouldReplay' })),
        { id: unknown, outcome: 'notFound' },
      ],
    });
    await p.settle();
    expect((await list(p)).map((l) => l.id).sort()).toEqual([...rest].sort());

    const bulk = await p.inject({
      method: 'POST',
      url: '/dead-letters/replay',
      payload: { ids: rest },
    });
    expect(bulk.json()).toEqual({
      dryRun: false,
      results: rest.map((id) => ({ id, outcome: 'replayed' })),
    });
    await p.settle();
    expect(await list(p)).toEqual([]);
    for (const tenantId of tenants) expect((await p.tenant(tenantId)).state).toBe('Active');
  });

  it('refuses to replay a message older than the inbox retention unless forced', async () => {
    const p = await product({ faults: exhausting, env: { INBOX_RETENTION_DAYS: '1' } });
    await deadLettered(p, 2);
    p.clock.advance(2 * day);
    const [old, older] = (await list(p)).map((l) => l.id) as [string, string];
    expect((await list(p)).every((l) => !l.replayable)).toBe(true);

    const refused = expectProblem(
      await p.inject({ method: 'POST', url: `/dead-letters/${old}/replay` }),
      409,
    );
    expect(refused.detail).toContain('force=true');
    const bulk = await p.inject({
      method: 'POST',
      url: '/dead-letters/replay',
      payload: { ids: [old, older] },
    });
    expect(bulk.json()).toMatchObject({
      results: [
        { id: old, outcome: 'tooOld' },
        { id: older, outcome: 'tooOld' },
      ],
    });
    expect(await list(p)).toHaveLength(2);

    const forced = await p.inject({
      method: 'POST',
      url: `/dead-letters/${old}/replay?force=true`,
    });
    expect(forced.statusCode, forced.body).toBe(202);
    const forcedBulk = await p.inject({
      method: 'POST',
      url: '/dead-letters/replay?force=true',
      payload: { ids: [older], dryRun: true },
    });
    expect(forcedBulk.json()).toMatchObject({ results: [{ id: older, outcome: 'wouldReplay' }] });
    expect((await list(p)).map((l) => l.id)).toEqual([older]);
  });

  it('keeps a malformed message that reuses a real eventId apart from the real one', async () => {
    const p = await product({ faults: exhausting });
    await deadLettered(p, 1);
    const [real] = await list(p);
    // Someone else publishes a message under the same eventId, which fails validation.
    const forged = { ...real!.envelope, payload: 'not the payload' } as unknown as Envelope;
    await p.app.transport.send(firstConsumer, { envelope: forged, attempt: 1 });
    await p.settle();
    const letters = await list(p);
    expect(letters).toHaveLength(2);
    expect(letters.find((l) => l.id === real!.id)).toEqual(real);
    expect(letters.find((l) => l.id !== real!.id)).toMatchObject({
      consumer: firstConsumer,
      errorType: 'InvalidMessage',
      envelope: forged,
    });
  });

  it('keeps one letter for one message, however often it fails at its consumer', async () => {
    const p = await product({ faults: exhausting });
    await deadLettered(p, 1);
    const [letter] = await list(p);
    p.clock.advance(60_000);
    // The same message once more, on its last attempt (a second publisher, a redelivery).
    const { envelope } = letter!;
    const last = firstStep.retry.attempts;
    await p.app.transport.send(firstConsumer, { envelope: envelope as Envelope, attempt: last });
    await p.settle();
    const [again, ...others] = await list(p);
    expect(others).toEqual([]);
    expect(again).toEqual({ ...letter, lastFailedAt: p.clock.now().toISOString() });
    // A replay that fails again is the same letter once more.
    await p.inject({ method: 'POST', url: `/dead-letters/${letter!.id}/replay` });
    await p.elapse(maxDelay * firstStep.retry.attempts);
    expect((await list(p)).map((l) => [l.id, l.attempts])).toEqual([[letter!.id, last]]);
  });

  it('deletes a letter without replaying it', async () => {
    const p = await product({ faults: exhausting });
    await deadLettered(p, 2);
    const [gone, kept] = await list(p);
    const deleted = await p.inject({ method: 'DELETE', url: `/dead-letters/${gone!.id}` });
    expect(deleted.statusCode, deleted.body).toBe(204);
    expect((await list(p)).map((l) => l.id)).toEqual([kept!.id]);
    expectProblem(await p.inject({ method: 'DELETE', url: `/dead-letters/${gone!.id}` }), 404);
    expectProblem(
      await p.inject({ method: 'DELETE', url: `/dead-letters/${kept!.id}`, token: null }),
      401,
    );
    // Gone for good: nothing sends it again.
    await p.elapse(maxDelay * firstStep.retry.attempts);
    expect((await list(p)).map((l) => l.id)).toEqual([kept!.id]);
    // Its step never ran to success (the onboarding may have timed out meanwhile, or not: the
    // blueprint's timeout decides).
    expect((await p.tenant(gone!.envelope.tenantId)).steps[firstStep.id]).not.toBe('Succeeded');
  });

  it('refuses a malformed replay list', async () => {
    const p = await product();
    for (const payload of [{ ids: [] }, { ids: ['not-a-uuid'] }, { ids: [], extra: true }, {}])
      expectProblem(await p.inject({ method: 'POST', url: '/dead-letters/replay', payload }), 400);
  });
});
