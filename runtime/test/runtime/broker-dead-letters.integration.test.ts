/**
 * On RabbitMQ: the messages the broker dead-lettered on its own (`<queue>_error`: a body that is
 * no message, a message whose attempts ran out there) are listed in `/dead-letters` and replayed
 * like the runtime's own. Needs `BUS_URL=amqp://…` (and uses `DATABASE_URL` when it names
 * PostgreSQL); skipped, loudly, without it.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import amqp from 'amqplib';
import type { InjectOptions } from 'fastify';
import { describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { ManualClock } from '../../src/runtime/clock.js';
import { silentLogger } from '../../src/runtime/logger.js';
import { RabbitMqTransport } from '../../src/runtime/rabbitmq-transport.js';
import { expectProblem } from '../product/api-support.js';
import {
  adminToken,
  bearer,
  fixture,
  jwtSecret,
  nextSlug,
  onboardingSteps,
} from '../product/harness.js';
import { infrastructureFor } from '../product/infrastructure.js';
import { runId, serviceUrl } from './integration.js';

const firstStep = onboardingSteps.find((step) => step.on === 'TenantRegistered')!;
/** Every attempt of the first step fails: its message ends as a dead letter. */
const maxDelay = Math.max(...onboardingSteps.map((step) => step.retry.maxDelayMs));
const exhausting = `${firstStep.id}:transient:${firstStep.retry.attempts}`;
const firstConsumer = `${firstStep.service}.${firstStep.id}`;

interface Letter {
  id: string;
  consumer: string;
  envelope: {
    eventId: string;
    type: string;
    tenantId: string;
    traceId: string;
    payload: unknown;
  } | null;
  attempts: number;
  replayable: boolean;
  source: 'runtime' | 'broker';
  body?: { encoding: string; data: string };
}

const busUrl = serviceUrl('BUS_URL');

/**
 * The product on RabbitMQ under a queue prefix this test knows, so that it can reach the queues
 * with amqplib as anyone on the broker could; restarted on the same folder, it finds its store
 * and its queues again.
 */
async function onRabbitMq(dir: string, clock: ManualClock, prefix: string, faults = '') {
  const config = loadConfig({
    DATABASE_URL: `file:${join(dir, 'app.db')}`,
    MAIL_DIR: join(dir, 'mail'),
    LOG_LEVEL: 'silent',
    SAAS_FAULTS: faults,
    ADMIN_TOKEN: adminToken,
    JWT_SECRET: jwtSecret,
  });
  const { store } = await infrastructureFor(dir, clock);
  const transport = new RabbitMqTransport({
    url: busUrl!,
    prefix,
    retryDelaysMs: [50, 200],
    reconnectDelayMs: { initial: 50, max: 1000 },
    expiresMs: 60_000,
    logger: silentLogger,
  });
  const app: App = createApp(config, { ...fixture, clock, transport, ...(store ? { store } : {}) });
  await app.store.migrate();
  await app.runtime.start();
  return {
    app,
    inject: (request: InjectOptions) =>
      app.server.inject({ ...request, headers: { ...request.headers, ...bearer(adminToken) } }),
    letters: async () =>
      (
        (await app.server.inject({ url: '/dead-letters', headers: bearer(adminToken) })).json() as {
          items: Letter[];
        }
      ).items,
  };
}

describe.skipIf(!busUrl)('dead letters the broker kept (RabbitMQ)', () => {
  it('lists them, refuses to replay a body that is no message, and replays one that is', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'product-'));
    const clock = new ManualClock();
    const prefix = `test-${runId()}-dead.`;
    const broken = await onRabbitMq(dir, clock, prefix, exhausting);
    let fixed: Awaited<ReturnType<typeof onRabbitMq>> | undefined;
    const connection = await amqp.connect(busUrl!);
    try {
      const signUp = await broken.app.server.inject({
        method: 'POST',
        url: '/tenants',
        payload: { slug: nextSlug(), name: 'Broker', owner: { email: 'o@broker.test', name: 'O' } },
      });
      const { tenantId } = signUp.json() as { tenantId: string };
      await broken.app.runtime.flush();
      for (let n = 0; n < firstStep.retry.attempts; n++) {
        clock.advance(maxDelay);
        await broken.app.runtime.flush();
      }
      const [recorded] = await broken.letters();
      expect(recorded).toMatchObject({ source: 'runtime', envelope: { tenantId } });
      await broken.app.runtime.stop();

      // Restarted without the fault. The message is now in <queue>_error only, as if the store
      // had been down when its consumer gave up on it; the store has no letter of it.
      fixed = await onRabbitMq(dir, clock, prefix);
      const deleted = await fixed.inject({
        method: 'DELETE',
        url: `/dead-letters/${recorded!.id}`,
      });
      expect(deleted.statusCode).toBe(204);
      const channel = await connection.createConfirmChannel();
      const queue = `${prefix}${firstConsumer}`;
      channel.sendToQueue(`${queue}_error`, Buffer.from(JSON.stringify(recorded!.envelope)), {
        persistent: true,
        headers: {
          'x-attempt': 25,
          'x-error-type': 'BrokerUnavailable',
          'x-error-message': 'the store did not answer',
          'x-failed-at': clock.now().toISOString(),
        },
      });
      // And a body that is not even JSON, straight to the consumer's queue.
      channel.sendToQueue(queue, Buffer.from('{not json'), { persistent: true });
      await channel.waitForConfirms();
      await fixed.app.runtime.flush();

      const letters = await fixed.letters();
      const fromBroker = letters.find((l) => l.envelope !== null)!;
      const garbled = letters.find((l) => l.envelope === null)!;
      expect(letters).toHaveLength(2);
      // The same message gets the same letter, whoever recorded it.
      expect(fromBroker).toMatchObject({
        id: recorded!.id,
        consumer: firstConsumer,
        source: 'broker',
        envelope: recorded!.envelope,
        errorType: 'BrokerUnavailable',
        errorMessage: 'the store did not answer',
        attempts: 25,
        replayable: true,
      });
      expect(garbled).toMatchObject({
        consumer: firstConsumer,
        source: 'broker',
        errorType: 'UnparsableMessage',
        body: { encoding: 'utf8', data: '{not json' },
        replayable: false,
      });
      const checks = await channel.checkQueue(`${queue}_error`);
      expect(checks.messageCount, 'acked once recorded').toBe(0);

      const refused = expectProblem(
        await fixed.inject({ method: 'POST', url: `/dead-letters/${garbled.id}/replay` }),
        409,
      );
      expect(refused.title).toBe('Not a message');
      const bulk = await fixed.inject({
        method: 'POST',
        url: '/dead-letters/replay',
        payload: { ids: [garbled.id] },
      });
      expect(bulk.json()).toEqual({
        dryRun: false,
        results: [{ id: garbled.id, outcome: 'notAMessage' }],
      });

      const replayed = await fixed.inject({
        method: 'POST',
        url: `/dead-letters/${fromBroker.id}/replay`,
      });
      expect(replayed.statusCode, replayed.body).toBe(202);
      await fixed.app.runtime.flush();
      const tenant = await fixed.inject({ method: 'GET', url: `/tenants/${tenantId}` });
      expect((tenant.json() as { state: string }).state).toBe('Active');

      expect(
        (await fixed.inject({ method: 'DELETE', url: `/dead-letters/${garbled.id}` })).statusCode,
      ).toBe(204);
      expect(await fixed.letters()).toEqual([]);
    } finally {
      await connection.close();
      await broken.app.stop();
      await fixed?.app.stop();
    }
  });
});
