/**
 * The contract every transport adapter passes: call `transportContract` from the adapter's test
 * with a factory of fresh, not yet started transports. Names of endpoints and types are unique per
 * test, so that a broker's leftovers from another test cannot interfere. Assertions wait for
 * deliveries (`eventually`) rather than trusting `publish` to resolve after them: a broker's
 * `publish` resolves when the message is queued.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Delivery, Transport } from '../../src/runtime/transport.js';
import { DeliverLater } from '../../src/runtime/transport.js';
import { deferred, envelope, eventually, tick } from './support.js';

export function transportContract(name: string, makeTransport: () => Promise<Transport>): void {
  describe(`${name} transport (contract)`, () => {
    let transport: Transport;
    let unique: (label: string) => string;

    beforeEach(async () => {
      transport = await makeTransport();
      const suffix = randomUUID().slice(0, 8);
      unique = (label) => `${label}-${suffix}`;
    });
    afterEach(async () => {
      await transport.stop();
    });

    /** Subscribes an endpoint that records what it receives. */
    async function recorder(endpoint: string, types: string[]): Promise<Delivery[]> {
      const received: Delivery[] = [];
      await transport.subscribe(endpoint, types, async (delivery) => {
        received.push(delivery);
      });
      return received;
    }

    it('says it is connected from start to stop, and not before or after', async () => {
      await recorder(unique('billing'), [unique('Ordered')]);
      expect(transport.connected).toBe(false);
      await transport.start();
      expect(transport.connected).toBe(true);
      await transport.stop();
      expect(transport.connected).toBe(false);
    });

    it('routes a message to every endpoint subscribed to its type, and to no other', async () => {
      const [ordered, paid] = [unique('Ordered'), unique('Paid')];
      const billing = await recorder(unique('billing'), [ordered]);
      const shipping = await recorder(unique('shipping'), [ordered, paid]);
      const ledger = await recorder(unique('ledger'), [paid]);
      await transport.start();

      const message = envelope(ordered, { orderId: 7 });
      await transport.publish(message);
      await eventually(() => expect([billing.length, shipping.length]).toEqual([1, 1]));
      expect(billing[0]).toMatchObject({ envelope: message, attempt: 1 });
      expect(shipping[0]).toMatchObject({ envelope: message, attempt: 1 });

      // A later message to the ledger proves it has had its chance to receive the first one.
      await transport.publish(envelope(paid));
      await eventually(() => expect(ledger).toHaveLength(1));
      expect(ledger.map((delivery) => delivery.envelope.type)).toEqual([paid]);
    });

    it('gives each endpoint its own copy of a message', async () => {
      const type = unique('Ordered');
      await transport.subscribe(unique('vandal'), [type], async (delivery) => {
        (delivery.envelope.payload as { orderId: number }).orderId = 0;
      });
      const reader = await recorder(unique('reader'), [type]);
      await transport.start();

      await transport.publish(envelope(type, { orderId: 7 }));
      await eventually(() => expect(reader).toHaveLength(1));
      expect(reader[0]!.envelope.payload).toEqual({ orderId: 7 });
    });

    it('sends to one endpoint only, with the delivery metadata it was given', async () => {
      const type = unique('Ordered');
      const [first, second] = [unique('first'), unique('second')];
      const firstReceived = await recorder(first, [type]);
      const secondReceived = await recorder(second, [type]);
      await transport.start();

      const message = envelope(type);
      const firstFailedAt = '2030-01-01T00:00:01.000Z';
      await transport.send(first, { envelope: message, attempt: 3, firstFailedAt });
      await eventually(() => expect(firstReceived).toHaveLength(1));
      expect(firstReceived[0]).toEqual({ envelope: message, attempt: 3, firstFailedAt });

      const marker = envelope(type);
      await transport.send(second, { envelope: marker, attempt: 1 });
      await eventually(() => expect(secondReceived).toHaveLength(1));
      expect(secondReceived[0]!.envelope.eventId).toBe(marker.eventId);
    });

    it('delivers a rejected delivery again, with the next attempt', async () => {
      const type = unique('Flaky');
      const attempts: number[] = [];
      await transport.subscribe(unique('flaky'), [type], async ({ attempt }) => {
        attempts.push(attempt);
        if (attempt < 3) throw new Error(`attempt ${attempt} fails`);
      });
      await transport.start();

      await transport.publish(envelope(type));
      await eventually(() => expect(attempts).toEqual([1, 2, 3]));
    });

    it('delivers a delivery its handler defers again, as the same attempt', async () => {
      const type = unique('Early');
      const attempts: number[] = [];
      await transport.subscribe(unique('patient'), [type], async ({ attempt }) => {
        attempts.push(attempt);
        if (attempts.length < 3) throw new DeliverLater('its cause has not been handled yet');
      });
      await transport.start();

      await transport.publish(envelope(type));
      await eventually(() => expect(attempts).toEqual([1, 1, 1]));
    });

    it('delivers every message at least once, concurrently up to the endpoint limit', async () => {
      const type = unique('Work');
      const seen = new Set<string>();
      let active = 0;
      let mostActive = 0;
      await transport.subscribe(
        unique('worker'),
        [type],
        async ({ envelope: message, attempt }) => {
          active += 1;
          mostActive = Math.max(mostActive, active);
          await tick(1);
          active -= 1;
          // Every fifth message fails once: it must still arrive.
          const index = (message.payload as { index: number }).index;
          if (index % 5 === 0 && attempt === 1) throw new Error('transient');
          seen.add(message.eventId);
        },
        { concurrency: 4 },
      );
      await transport.start();

      const messages = Array.from({ length: 40 }, (_, index) => envelope(type, { index }));
      await Promise.all(messages.map((message) => transport.publish(message)));
      await eventually(() => expect(seen.size).toBe(40));
      expect(mostActive).toBeGreaterThan(1);
      expect(mostActive).toBeLessThanOrEqual(4);
    });

    it('stop() waits for the deliveries in flight', async () => {
      const type = unique('Slow');
      const started = deferred();
      const release = deferred();
      let finished = false;
      await transport.subscribe(unique('slow'), [type], async () => {
        started.resolve();
        await release.promise;
        finished = true;
      });
      await transport.start();

      const published = transport.publish(envelope(type)).catch(() => undefined);
      await started.promise;
      let stopped = false;
      const stopping = transport.stop().then(() => (stopped = true));
      await tick(5);
      expect(stopped).toBe(false);

      release.resolve();
      await stopping;
      expect(finished).toBe(true);
      await published;
    });
  });
}
