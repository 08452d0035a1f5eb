/**
 * A crash mid-onboarding loses nothing: what was accepted and committed completes after a
 * restart, and nothing is done twice.
 */
import { describe, expect, it } from 'vitest';
import type { Envelope } from '../../src/contracts/envelope.js';
import { MemoryTransport } from '../../src/runtime/memory-transport.js';
import { subscriptionsCollection } from '../../src/services/billing.js';
import { workflows } from '../../src/saga/definitions.js';
import { startProduct } from './harness.js';

const onboarding = workflows.onboarding;
/** E-mails one onboarding sends: one per notification step or reaction. */
const notifications = [...onboarding.steps, ...onboarding.reactions].filter(
  (step) => step.service === 'notification',
).length;

describe('restart mid-onboarding', () => {
  it('completes every accepted sign-up after the bus went away half-way, each step once', async () => {
    const first = await startProduct();
    // From the 40th publish on, the transport refuses everything, as a dying process would:
    // what was committed stays in the outbox.
    let publishes = 0;
    const transport = first.app.transport as MemoryTransport;
    const publish = transport.publish.bind(transport);
    transport.publish = (envelope: Envelope) =>
      ++publishes < 40 ? publish(envelope) : Promise.reject(new Error('process died'));
    const signUps = await Promise.all(Array.from({ length: 30 }, () => first.signUp()));
    await first.settle().catch(() => undefined);
    const states = await Promise.all(
      signUps.map(async ({ tenantId }) => (await first.saga(tenantId))?.state),
    );
    expect(states.filter((state) => state === 'Active').length).toBeLessThan(signUps.length);
    await first.stop();

    const second = await startProduct({ dir: first.dir, clock: first.clock });
    await second.settle();
    for (const { tenantId } of signUps) {
      expect((await second.tenant(tenantId)).state).toBe('Active');
      expect(await second.app.store.listRecords(subscriptionsCollection, tenantId)).toHaveLength(1);
    }
    // One e-mail per notification step and tenant: the second process sent none again.
    for (const { tenantId } of signUps) {
      expect(second.mails().filter((name) => name.startsWith(`${tenantId}-`))).toHaveLength(
        notifications,
      );
    }
    await second.stop();
  });
});
