/**
 * The RabbitMQ transport against a real broker (`BUS_URL=amqp://…`, see integration.ts): the
 * shared transport contract, then what only a broker shows — the error queue, returned sends,
 * a dropped connection. Names are prefixed per run, and the queues expire once unused.
 */
import type { AddressInfo, Socket } from 'node:net';
import { connect, createServer } from 'node:net';
import amqp from 'amqplib';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/runtime/logger.js';
import type { RabbitMqTransportOptions } from '../../src/runtime/rabbitmq-transport.js';
import { RabbitMqTransport } from '../../src/runtime/rabbitmq-transport.js';
import type { Delivery, TransportDeadLetter } from '../../src/runtime/transport.js';
import { runId, serviceUrl } from './integration.js';
import { envelope, eventually } from './support.js';
import { transportContract } from './transport.contract.js';

const url = serviceUrl('BUS_URL');
const prefix = `test-${runId()}.`;

const transports: RabbitMqTransport[] = [];
function transport(options: Partial<RabbitMqTransportOptions> = {}): RabbitMqTransport {
  const created = new RabbitMqTransport({
    url: url!,
    prefix,
    retryDelaysMs: [10, 40],
    laterDelayMs: 10,
    reconnectDelayMs: { initial: 20, max: 200 },
    expiresMs: 60_000,
    logger: silentLogger,
    ...options,
  });
  transports.push(created);
  return created;
}
afterEach(async () => {
  await Promise.all(transports.splice(0).map((created) => created.stop()));
});

/** A raw channel, to look at the broker the way an operator would. */
async function broker() {
  const connection = await amqp.connect(url!);
  const channel = await connection.createChannel();
  return { channel, close: () => connection.close() };
}
const raw = url ? await broker() : undefined;
afterAll(() => raw?.close());

describe.skipIf(!url)('rabbitmq transport', () => {
  transportContract('rabbitmq', async () => transport());

  it('moves a message it cannot parse to <queue>_error, with the failure in headers', async () => {
    const received: Delivery[] = [];
    const consumer = transport();
    await consumer.subscribe('garbled', ['Garbled'], async (delivery) => {
      received.push(delivery);
    });
    await consumer.start();
    raw!.channel.publish(`${prefix}events`, 'Garbled', Buffer.from('{not json'));
    const error = await eventually(async () => {
      const message = await raw!.channel.get(`${prefix}garbled_error`, { noAck: true });
      expect(message).not.toBe(false);
      return message;
    });
    expect(received).toEqual([]);
    expect(error && error.content.toString()).toBe('{not json');
    expect(error && error.properties.headers).toMatchObject({
      'x-endpoint': 'garbled',
      'x-error-type': 'UnparsableMessage',
    });
  });

  it('gives up after maxAttempts and keeps the message in <queue>_error', async () => {
    const consumer = transport({ maxAttempts: 3 });
    const attempts: number[] = [];
    await consumer.subscribe('hopeless', ['Hopeless'], async ({ attempt }) => {
      attempts.push(attempt);
      throw new TypeError('never works');
    });
    await consumer.start();
    const message = envelope('Hopeless');
    await consumer.publish(message);
    const error = await eventually(async () => {
      const got = await raw!.channel.get(`${prefix}hopeless_error`, { noAck: true });
      expect(got).not.toBe(false);
      return got;
    });
    expect(attempts).toEqual([1, 2, 3]);
    expect(error && JSON.parse(error.content.toString())).toEqual(message);
    expect(error && error.properties.headers).toMatchObject({
      'x-attempt': 3,
      'x-error-type': 'TypeError',
      'x-error-message': 'never works',
    });
  });

  it('hands what lands in <queue>_error to its recorder, and acks it only once recorded', async () => {
    const consumer = transport({ recordRetryMs: 20 });
    const recorded: TransportDeadLetter[] = [];
    let calls = 0;
    consumer.recordDeadLetters(async (letter) => {
      calls += 1;
      if (calls === 1) throw new Error('the store is down');
      recorded.push(letter);
    });
    await consumer.subscribe('drained', ['Drained'], async () => undefined);
    await consumer.start();
    // Straight to the consumer's queue, as anyone on the broker could.
    raw!.channel.sendToQueue(`${prefix}drained`, Buffer.from('{not json'));
    await eventually(() => expect(recorded).toHaveLength(1));
    expect(calls, 'offered again after the first recording failed').toBe(2);
    expect(recorded[0]!.body.toString()).toBe('{not json');
    expect(recorded[0]).toMatchObject({
      endpoint: 'drained',
      errorType: 'UnparsableMessage',
      attempts: 1,
    });
    await consumer.idle();
    expect((await raw!.channel.checkQueue(`${prefix}drained_error`)).messageCount).toBe(0);
  });

  it('takes over what lay in <queue>_error before it started, with the failure its headers name', async () => {
    const queue = `${prefix}waiting_error`;
    await raw!.channel.assertQueue(queue, { durable: true, arguments: { 'x-expires': 60_000 } });
    const message = envelope('Waiting');
    raw!.channel.sendToQueue(queue, Buffer.from(JSON.stringify(message)), {
      headers: {
        'x-attempt': 25,
        'x-error-type': 'BrokerUnavailable',
        'x-error-message': 'the store did not answer',
        'x-first-failed-at': '2030-01-01T00:00:00.000Z',
        'x-failed-at': '2030-01-01T00:05:00.000Z',
        // Whatever a publisher claims, the letter belongs to the queue's endpoint.
        'x-endpoint': 'somewhere-else',
      },
    });
    const consumer = transport();
    const recorded: TransportDeadLetter[] = [];
    consumer.recordDeadLetters(async (letter) => {
      recorded.push(letter);
    });
    const received: Delivery[] = [];
    await consumer.subscribe('waiting', ['Waiting'], async (delivery) => {
      received.push(delivery);
    });
    await consumer.start();
    await consumer.idle();
    expect(recorded).toHaveLength(1);
    expect(JSON.parse(recorded[0]!.body.toString())).toEqual(message);
    expect(recorded[0]).toMatchObject({
      endpoint: 'waiting',
      errorType: 'BrokerUnavailable',
      errorMessage: 'the store did not answer',
      attempts: 25,
      firstFailedAt: '2030-01-01T00:00:00.000Z',
      lastFailedAt: '2030-01-01T00:05:00.000Z',
    });
    // A replay sends it to its queue again, as a first attempt.
    await consumer.send('waiting', { envelope: message, attempt: 1 });
    await eventually(() =>
      expect(received.map((d) => [d.envelope, d.attempt])).toEqual([[message, 1]]),
    );
  });

  it('records a message whose deliveries ran out, with the last failure', async () => {
    const consumer = transport({ maxAttempts: 2 });
    const recorded: TransportDeadLetter[] = [];
    consumer.recordDeadLetters(async (letter) => {
      recorded.push(letter);
    });
    await consumer.subscribe('exhausted', ['Exhausted'], async () => {
      throw new TypeError('the store is down');
    });
    await consumer.start();
    const message = envelope('Exhausted');
    await consumer.publish(message);
    await eventually(() => expect(recorded).toHaveLength(1));
    expect(JSON.parse(recorded[0]!.body.toString())).toEqual(message);
    expect(recorded[0]).toMatchObject({
      endpoint: 'exhausted',
      errorType: 'TypeError',
      errorMessage: 'the store is down',
      attempts: 2,
    });
    expect(Date.parse(recorded[0]!.firstFailedAt)).toBeLessThanOrEqual(
      Date.parse(recorded[0]!.lastFailedAt),
    );
  });

  it('fails a send to a queue nobody declared, so its scheduled row is kept', async () => {
    const sender = transport();
    await sender.start();
    await expect(
      sender.send(`nobody-${runId()}`, { envelope: envelope('Ping'), attempt: 1 }),
    ).rejects.toThrow('no queue named');
  });

  it('declares the routes it does not consume, so an api process publishes before any worker', async () => {
    const endpoint = `late-worker-${runId()}`;
    const api = transport({ routes: [{ endpoint, types: ['Early'] }] });
    await api.start();
    const message = envelope('Early');
    await api.publish(message);

    const received: Delivery[] = [];
    const worker = transport();
    await worker.subscribe(endpoint, ['Early'], async (delivery) => {
      received.push(delivery);
    });
    await worker.start();
    await eventually(() =>
      expect(received.map((d) => d.envelope.eventId)).toEqual([message.eventId]),
    );
  });

  it('reconnects after its connection dropped, and refuses publishes meanwhile', async () => {
    const proxy = await startProxy(new URL(url!));
    const received: string[] = [];
    const consumer = transport({ url: proxy.url, reconnectDelayMs: { initial: 50, max: 200 } });
    await consumer.subscribe('resilient', ['Resilient'], async ({ envelope: message }) => {
      received.push(message.eventId);
    });
    await consumer.start();
    expect(consumer.connected).toBe(true);
    await consumer.publish(envelope('Resilient'));
    await eventually(() => expect(received).toHaveLength(1));

    proxy.drop({ refuseMs: 500 });
    await eventually(() =>
      expect(consumer.publish(envelope('Resilient'))).rejects.toThrow('unavailable'),
    );
    expect(consumer.connected, 'what /health reports as the bus').toBe(false);
    // Back: topology declared again, consumer resubscribed, publishes confirmed.
    const after = envelope('Resilient');
    await eventually(() => consumer.publish(after), 10_000);
    await eventually(() => expect(received).toContain(after.eventId), 10_000);
    expect(consumer.connected).toBe(true);
    await consumer.stop();
    expect(consumer.connected).toBe(false);
    await proxy.close();
  });

  it('idle() waits until the queues are drained and nothing is in flight', async () => {
    const consumer = transport();
    let handled = 0;
    await consumer.subscribe(
      'idler',
      ['Idle'],
      async () => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        handled += 1;
      },
      { concurrency: 2 },
    );
    await consumer.start();
    await Promise.all(Array.from({ length: 30 }, () => consumer.publish(envelope('Idle'))));
    await consumer.idle();
    expect(handled).toBe(30);
  });
});

/**
 * A TCP proxy in front of the broker: `drop` cuts every connection through it, as a network
 * failure or a broker restart would, and refuses new ones for a while.
 */
async function startProxy(target: URL) {
  const sockets = new Set<Socket>();
  let refuseUntil = 0;
  const server = createServer((client) => {
    if (Date.now() < refuseUntil) return client.destroy();
    const upstream = connect(Number(target.port || 5672), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
    }
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const proxied = new URL(target);
  proxied.host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: proxied.toString(),
    drop({ refuseMs }: { refuseMs: number }) {
      refuseUntil = Date.now() + refuseMs;
      for (const socket of sockets) socket.destroy();
    },
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
