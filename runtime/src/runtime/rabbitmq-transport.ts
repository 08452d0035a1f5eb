/**
 * The broker transport (`BUS_URL=amqp://…`), on amqplib. Topology: rabbitmq-topology.ts.
 *
 * - `publish` and `send` resolve once the broker confirmed the message (a confirm channel,
 *   persistent messages): the outbox marks a row dispatched only when it is durably queued. While
 *   the connection is down they reject at once, so the outbox keeps the rows.
 * - Each endpoint consumes on a channel of its own with a prefetch of its concurrency, and acks a
 *   delivery only after its handler resolved; a crash before that makes the broker deliver it
 *   again (the runtime's inbox dedupes).
 * - A rejected delivery goes to a retry queue (delay growing with the attempt, which travels in
 *   the `x-attempt` header) and comes back; after `maxAttempts`, or when its body is not a JSON
 *   object, it goes to `<queue>_error` with the failure in headers. The runtime records its own
 *   retries and dead letters in the store, so this is the last resort (a database outage).
 * - With `recordDeadLetters`, the process also consumes its endpoints' `<queue>_error` queues and
 *   hands each message there to the recorder (the store, for `/dead-letters`), acking it only
 *   once the recorder resolved: a message the broker dead-lettered is never lost, nor invisible.
 * - A lost connection is re-established with backoff: topology declared again, consumers
 *   resubscribed. `stop` cancels the consumers and waits for the handlers in flight.
 */
import { randomUUID } from 'node:crypto';
import type { Channel, ChannelModel, ConfirmChannel, ConsumeMessage, Options } from 'amqplib';
import amqp from 'amqplib';
import type { Envelope } from '../contracts/envelope.js';
import type { Logger } from './logger.js';
import { consoleLogger } from './logger.js';
import type { Route } from './rabbitmq-topology.js';
import { Topology } from './rabbitmq-topology.js';
import type {
  Delivery,
  DeliveryHandler,
  MessagingNames,
  SubscribeOptions,
  Transport,
  TransportDeadLetter,
} from './transport.js';
import { DeliverLater } from './transport.js';

export class BrokerUnavailable extends Error {
  constructor(reason: string) {
    super(`the message broker is unavailable: ${reason}`);
    this.name = 'BrokerUnavailable';
  }
}

/**
 * amqplib could not use what the URL says (a query parameter that is not a number, say): it
 * throws a TypeError or RangeError from the handshake, where the network and the broker fail with
 * errors of their own. The message says so without amqplib's words, which may quote the URL; the
 * cause keeps them.
 */
export class BrokerUrlRefused extends Error {
  override name = 'BrokerUrlRefused';
  constructor(cause: unknown) {
    super(
      'is refused by the RabbitMQ client (amqplib) as it connects: check its form, amqp://user:password@host:port/vhost, and its query string',
      { cause },
    );
  }
}

export interface RabbitMqTransportOptions {
  readonly url: string;
  /** Prefixes every exchange and queue: several products (or test runs) can share a vhost. */
  readonly prefix?: string;
  /**
   * Endpoints to declare although this process does not consume them (`ROLE=api`), so that
   * what it publishes before any worker has started is queued, not dropped as unroutable.
   */
  readonly routes?: readonly Route[];
  /** Prefetch of an endpoint whose `subscribe` does not say. */
  readonly concurrency?: number;
  /** Delay before the first, second, … redelivery of a rejected delivery; the last one repeats. */
  readonly retryDelaysMs?: readonly number[];
  /** Delay before a message that came before its cause is delivered again (100 ms). */
  readonly laterDelayMs?: number;
  /** Deliveries of one message before it goes to `<queue>_error`. */
  readonly maxAttempts?: number;
  readonly reconnectDelayMs?: { readonly initial: number; readonly max: number };
  /** For tests: the topology removes itself this long after it was last used. */
  readonly expiresMs?: number;
  /** How long a message of `<queue>_error` waits before it is offered again, when recording it failed. */
  readonly recordRetryMs?: number;
  readonly logger?: Logger;
}

interface Subscription {
  readonly endpoint: string;
  readonly queue: string;
  readonly handler: DeliveryHandler;
  readonly concurrency: number;
}

/** One connection and what lives on it; replaced as a whole when the connection is lost. */
interface Session {
  readonly connection: ChannelModel;
  readonly publisher: ConfirmChannel;
  readonly consumers: { channel: Channel; tag: string }[];
  /** Rejections of publishes awaiting their confirm, failed at once if the connection is lost. */
  readonly pending: Set<(error: Error) => void>;
  /** `send`s the broker returned as unroutable (reported before their confirm). */
  readonly returned: Set<string>;
  closing: boolean;
  closed: boolean;
}

const attemptHeader = 'x-attempt';
/** How many messages of one `<queue>_error` are being recorded at once. */
const errorQueuePrefetch = 8;
const firstFailedHeader = 'x-first-failed-at';
const sendIdHeader = 'x-send-id';

export class RabbitMqTransport implements Transport {
  readonly kind = 'rabbitmq' as const;
  readonly messaging: MessagingNames;
  readonly #options: RabbitMqTransportOptions;
  readonly #topology: Topology;
  readonly #logger: Logger;
  readonly #subscriptions = new Map<string, Subscription>();
  /** Every endpoint to declare: the subscribed ones and the `routes` option's. */
  readonly #routes = new Map<string, readonly string[]>();
  #state: 'new' | 'running' | 'stopped' = 'new';
  #session: Session | undefined;
  #reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  #inFlight = 0;
  /** Deliveries received so far: `idle` uses it to tell whether anything happened meanwhile. */
  #received = 0;
  #idleWaiters: (() => void)[] = [];
  /** Where messages of `<queue>_error` go (`recordDeadLetters`); unset, they stay on the broker. */
  #record: ((letter: TransportDeadLetter) => Promise<void>) | undefined;
  /** Waits before a failed recording is offered again; `stop` ends them at once. */
  readonly #pauses = new Set<() => void>();

  constructor(options: RabbitMqTransportOptions) {
    this.#options = options;
    this.#logger = options.logger ?? consoleLogger;
    this.#topology = new Topology({
      prefix: options.prefix ?? '',
      retryDelaysMs: options.retryDelaysMs ?? [1000, 5000, 30_000, 120_000, 600_000],
      laterDelayMs: options.laterDelayMs ?? 100,
      ...(options.expiresMs === undefined ? {} : { expiresMs: options.expiresMs }),
    });
    const topology = this.#topology;
    this.messaging = {
      system: 'rabbitmq',
      exchange: topology.exchange,
      queue: (endpoint) => topology.queue(endpoint),
    };
  }

  async subscribe(
    endpoint: string,
    types: readonly string[],
    handler: DeliveryHandler,
    options: SubscribeOptions = {},
  ): Promise<void> {
    if (this.#state !== 'new') throw new Error(`subscribe ${endpoint} before start()`);
    if (this.#subscriptions.has(endpoint))
      throw new Error(`endpoint ${endpoint} is already subscribed`);
    const concurrency = Math.max(1, options.concurrency ?? this.#options.concurrency ?? 16);
    const queue = this.#topology.queue(endpoint);
    this.#subscriptions.set(endpoint, { endpoint, queue, handler, concurrency });
    this.#routes.set(endpoint, types);
  }

  recordDeadLetters(record: (letter: TransportDeadLetter) => Promise<void>): void {
    if (this.#state !== 'new') throw new Error('recordDeadLetters before start()');
    this.#record = record;
  }

  async publish(envelope: Envelope): Promise<void> {
    this.#checkRunning();
    await this.#publish(this.#topology.exchange, envelope.type, body(envelope), {
      messageId: envelope.eventId,
      type: envelope.type,
      headers: { [attemptHeader]: 1 },
    });
  }

  async send(endpoint: string, delivery: Delivery): Promise<void> {
    this.#checkRunning();
    const { envelope, attempt, firstFailedAt } = delivery;
    await this.#publish('', this.#topology.queue(endpoint), body(envelope), {
      messageId: envelope.eventId,
      type: envelope.type,
      headers: {
        [attemptHeader]: attempt,
        ...(firstFailedAt === undefined ? {} : { [firstFailedHeader]: firstFailedAt }),
      },
      // A queue nobody declared would drop the message: have it returned, and fail the send.
      mandatory: true,
    });
  }

  async start(): Promise<void> {
    if (this.#state !== 'new') throw new Error('the transport was already started');
    for (const route of this.#options.routes ?? [])
      if (!this.#routes.has(route.endpoint)) this.#routes.set(route.endpoint, route.types);
    this.#state = 'running';
    try {
      await this.#connect();
    } catch (error) {
      this.#state = 'stopped';
      throw error;
    }
  }

  async stop(): Promise<void> {
    if (this.#state === 'stopped') return;
    this.#state = 'stopped';
    clearTimeout(this.#reconnectTimer);
    const session = this.#session;
    if (session) {
      session.closing = true;
      // No new deliveries; the ones in flight still ack on their channels, so close after them.
      await Promise.all(
        session.consumers.map(({ channel, tag }) => channel.cancel(tag).catch(() => undefined)),
      );
    }
    for (const end of [...this.#pauses]) end();
    await this.#whenNothingInFlight();
    if (session) await session.connection.close().catch(() => undefined);
    this.#session = undefined;
  }

  /**
   * Resolves once nothing is queued for or handled by this process's endpoints, seen twice in a
   * row: `Runtime.flush` needs it because a broker delivers after `publish` has resolved.
   */
  /** Other systems may bind queues of their own to the exchange: every message may reach one. */
  receives(): boolean {
    return true;
  }

  get connected(): boolean {
    return this.#state === 'running' && this.#session !== undefined && !this.#session.closed;
  }

  async idle(): Promise<void> {
    const queues = this.#topology.watchedQueues(this.#subscriptions.keys(), {
      errorQueues: this.#record !== undefined,
    });
    let quiet = 0;
    while (quiet < 2 && this.#state === 'running') {
      await this.#whenNothingInFlight();
      const received = this.#received;
      const session = this.#session;
      let ready = 1;
      if (session) {
        const counts = await Promise.all(
          queues.map((queue) => session.publisher.checkQueue(queue).catch(() => undefined)),
        );
        ready = counts.reduce((sum, count) => sum + (count ? count.messageCount : 1), 0);
      }
      quiet = ready === 0 && this.#inFlight === 0 && received === this.#received ? quiet + 1 : 0;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  async #publish(
    exchange: string,
    routingKey: string,
    content: Buffer,
    options: Options.Publish,
  ): Promise<void> {
    // While stopping, handlers in flight may still forward their failures: the session decides.
    const session = this.#session;
    if (!session || session.closed) throw new BrokerUnavailable('not connected');
    const sendId = options.mandatory ? randomUUID() : undefined;
    const headers = { ...options.headers, ...(sendId ? { [sendIdHeader]: sendId } : {}) };
    await new Promise<void>((resolve, reject) => {
      session.pending.add(reject);
      const settle = (error: unknown) => {
        session.pending.delete(reject);
        if (error) return reject(error instanceof Error ? error : new Error(String(error)));
        if (sendId && session.returned.delete(sendId))
          return reject(new Error(`no queue named ${routingKey}: nobody declared it`));
        resolve();
      };
      try {
        session.publisher.publish(
          exchange,
          routingKey,
          content,
          { ...options, headers, persistent: true, contentType: 'application/json' },
          settle,
        );
      } catch (error) {
        settle(error);
      }
    });
  }

  async #connect(): Promise<void> {
    const connection = await amqp.connect(this.#options.url).catch((error: unknown) => {
      throw error instanceof TypeError || error instanceof RangeError
        ? new BrokerUrlRefused(error)
        : error;
    });
    let session: Session | undefined;
    try {
      const publisher = await connection.createConfirmChannel();
      const current: Session = {
        connection,
        publisher,
        consumers: [],
        pending: new Set(),
        returned: new Set(),
        closing: false,
        closed: false,
      };
      session = current;
      connection.on('error', (error: unknown) =>
        this.#logger.warn({ err: error }, 'message broker connection error'),
      );
      connection.on('close', () => this.#lost(current));
      this.#watch(current, publisher);
      publisher.on('return', (message: ConsumeMessage) => {
        const id: unknown = message.properties.headers?.[sendIdHeader];
        if (typeof id === 'string') current.returned.add(id);
      });
      await this.#topology.declare(
        publisher,
        [...this.#routes].map(([endpoint, types]) => ({ endpoint, types })),
      );
      // The first deliveries come while the other consumers start, and their handlers publish
      // at once: the session must be in place before any consumer is.
      this.#session = current;
      for (const subscription of this.#subscriptions.values())
        await this.#consume(current, subscription);
      if (this.#record) await this.#consumeErrorQueues(current, this.#record);
    } catch (error) {
      if (session && this.#session === session) this.#session = undefined;
      await connection.close().catch(() => undefined);
      throw error;
    }
    if (this.#state !== 'running') {
      // Stopped while connecting.
      if (this.#session === session) this.#session = undefined;
      await connection.close().catch(() => undefined);
    }
  }

  async #consume(session: Session, subscription: Subscription): Promise<void> {
    const channel = await session.connection.createChannel();
    this.#watch(session, channel);
    await channel.prefetch(subscription.concurrency);
    const { consumerTag } = await channel.consume(subscription.queue, (message) => {
      if (message) void this.#deliver(channel, subscription, message);
      // The broker cancelled the consumer (its queue was deleted): start over, declaring it again.
      else void session.connection.close().catch(() => undefined);
    });
    session.consumers.push({ channel, tag: consumerTag });
  }

  /** Consumes the subscribed endpoints' `<queue>_error` queues, on a channel of their own. */
  async #consumeErrorQueues(
    session: Session,
    record: (letter: TransportDeadLetter) => Promise<void>,
  ): Promise<void> {
    if (this.#subscriptions.size === 0) return;
    const channel = await session.connection.createChannel();
    this.#watch(session, channel);
    await channel.prefetch(errorQueuePrefetch);
    for (const { endpoint } of this.#subscriptions.values()) {
      const queue = this.#topology.errorQueue(endpoint);
      const { consumerTag } = await channel.consume(queue, (message) => {
        if (message) void this.#takeOver(channel, endpoint, message, record);
        else void session.connection.close().catch(() => undefined);
      });
      session.consumers.push({ channel, tag: consumerTag });
    }
  }

  /**
   * Records one message of `<queue>_error`, then acks it. If recording fails (the store is still
   * down), the message goes back to its queue after `recordRetryMs`, to be offered again.
   */
  async #takeOver(
    channel: Channel,
    endpoint: string,
    message: ConsumeMessage,
    record: (letter: TransportDeadLetter) => Promise<void>,
  ): Promise<void> {
    this.#inFlight += 1;
    this.#received += 1;
    try {
      await record(errorQueueLetter(endpoint, message, this.#topology.errorQueue(endpoint)));
      ack(channel, message);
    } catch (error) {
      this.#logger.warn(
        { err: error, endpoint },
        'could not record a message of its error queue; it stays there and comes again',
      );
      await this.#pause(this.#options.recordRetryMs ?? 1000);
      try {
        channel.nack(message, false, true);
      } catch {
        // The channel is gone: the broker requeues what was not acked.
      }
    } finally {
      this.#inFlight -= 1;
      if (this.#inFlight === 0) for (const resolve of this.#idleWaiters.splice(0)) resolve();
    }
  }

  /** Waits `ms`, or less if the transport stops meanwhile. */
  #pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const end = () => {
        clearTimeout(timer);
        this.#pauses.delete(end);
        resolve();
      };
      const timer = setTimeout(end, ms);
      this.#pauses.add(end);
    });
  }

  /** A channel the broker closed (an error on it) takes the connection down: one way to recover. */
  #watch(session: Session, channel: Channel): void {
    channel.on('error', (error: unknown) =>
      this.#logger.warn({ err: error }, 'message broker channel error'),
    );
    channel.on('close', () => {
      if (!session.closing && !session.closed)
        void session.connection.close().catch(() => undefined);
    });
  }

  async #deliver(
    channel: Channel,
    subscription: Subscription,
    message: ConsumeMessage,
  ): Promise<void> {
    this.#inFlight += 1;
    this.#received += 1;
    try {
      const headers = message.properties.headers ?? {};
      const attempt = positiveInteger(headers[attemptHeader]) ?? 1;
      const first: unknown = headers[firstFailedHeader];
      const firstFailedAt = typeof first === 'string' ? first : undefined;
      const envelope = parse(message.content);
      if (!envelope) {
        const failure = { errorType: 'UnparsableMessage', errorMessage: 'not a JSON object' };
        return await this.#settle(channel, message, () =>
          this.#toErrorQueue(subscription, message, attempt, failure),
        );
      }
      try {
        await subscription.handler({
          envelope,
          attempt,
          ...(firstFailedAt === undefined ? {} : { firstFailedAt }),
        });
        ack(channel, message);
      } catch (error) {
        await this.#settle(channel, message, () => {
          if (error instanceof DeliverLater) {
            const later = this.#topology.laterExchange();
            return this.#retry(subscription, message, { attempt, firstFailedAt, via: later });
          }
          if (attempt >= (this.#options.maxAttempts ?? 25))
            return this.#toErrorQueue(subscription, message, attempt, describe(error));
          const failedAt = firstFailedAt ?? new Date().toISOString();
          const via = this.#topology.retryExchange(attempt);
          return this.#retry(subscription, message, {
            attempt: attempt + 1,
            firstFailedAt: failedAt,
            via,
          });
        });
      }
    } finally {
      this.#inFlight -= 1;
      if (this.#inFlight === 0) for (const resolve of this.#idleWaiters.splice(0)) resolve();
    }
  }

  /** Acks once `forward` put the message where it goes next; puts it back if that failed. */
  async #settle(channel: Channel, message: ConsumeMessage, forward: () => Promise<void>) {
    try {
      await forward();
      ack(channel, message);
    } catch (error) {
      this.#logger.warn({ err: error }, 'could not forward a failed delivery; it is requeued');
      try {
        channel.nack(message, false, true);
      } catch {
        // The channel is gone: the broker requeues what was not acked.
      }
    }
  }

  /** Redelivers through the retry queue behind exchange `via`, as `attempt`. */
  #retry(
    subscription: Subscription,
    message: ConsumeMessage,
    next: { attempt: number; firstFailedAt: string | undefined; via: string },
  ) {
    return this.#publish(next.via, subscription.queue, message.content, {
      ...forwarded(message),
      headers: {
        [attemptHeader]: next.attempt,
        ...(next.firstFailedAt === undefined ? {} : { [firstFailedHeader]: next.firstFailedAt }),
      },
    });
  }

  #toErrorQueue(
    subscription: Subscription,
    message: ConsumeMessage,
    attempt: number,
    failure: { errorType: string; errorMessage: string },
  ) {
    const { endpoint } = subscription;
    return this.#publish('', this.#topology.errorQueue(endpoint), message.content, {
      ...forwarded(message),
      headers: {
        ...message.properties.headers,
        [attemptHeader]: attempt,
        'x-endpoint': endpoint,
        'x-error-type': failure.errorType,
        'x-error-message': failure.errorMessage,
        'x-failed-at': new Date().toISOString(),
      },
    });
  }

  #lost(session: Session): void {
    if (session.closed) return;
    session.closed = true;
    const error = new BrokerUnavailable('the connection was lost');
    for (const reject of session.pending) reject(error);
    session.pending.clear();
    if (this.#session === session) this.#session = undefined;
    if (this.#state !== 'running' || session.closing) return;
    this.#logger.warn({}, 'message broker connection lost; reconnecting');
    this.#reconnect(0);
  }

  #reconnect(failures: number): void {
    if (this.#state !== 'running' || this.#reconnectTimer) return;
    const { initial, max } = this.#options.reconnectDelayMs ?? { initial: 100, max: 5000 };
    const delay = Math.min(initial * 2 ** failures, max);
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = undefined;
      this.#connect().then(
        () => this.#logger.info({ failures }, 'message broker connection re-established'),
        (error: unknown) => {
          this.#logger.warn(
            { err: error, failures: failures + 1 },
            'message broker reconnect failed',
          );
          this.#reconnect(failures + 1);
        },
      );
    }, delay);
  }

  #checkRunning(): void {
    if (this.#state !== 'running') throw new BrokerUnavailable('the transport is not running');
  }

  #whenNothingInFlight(): Promise<void> {
    if (this.#inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }
}

const body = (envelope: Envelope): Buffer => Buffer.from(JSON.stringify(envelope));

function parse(content: Buffer): Envelope | undefined {
  try {
    const value: unknown = JSON.parse(content.toString('utf8'));
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Envelope)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A message of `<queue>_error` as a dead letter, its failure read from the headers the transport
 * wrote there. Anyone who can publish may have put it there, so the headers are checked: the
 * endpoint is the queue's, and a missing or malformed header gets a value that says so.
 */
function errorQueueLetter(
  endpoint: string,
  message: ConsumeMessage,
  queue: string,
): TransportDeadLetter {
  const headers = message.properties.headers ?? {};
  const lastFailedAt = isoTime(headers['x-failed-at']) ?? new Date().toISOString();
  return {
    endpoint,
    body: message.content,
    errorType: headerText(headers['x-error-type'], 200) ?? 'DeadLettered',
    errorMessage:
      headerText(headers['x-error-message'], 10_000) ?? `found in ${queue} with no failure named`,
    // An integer column: a forged header must not make the letter impossible to record.
    attempts: Math.min(positiveInteger(headers[attemptHeader]) ?? 1, 2 ** 31 - 1),
    firstFailedAt: isoTime(headers[firstFailedHeader]) ?? lastFailedAt,
    lastFailedAt,
  };
}

function headerText(value: unknown, maxLength: number): string | undefined {
  const text = Buffer.isBuffer(value) ? value.toString('utf8') : value;
  return typeof text === 'string' && text !== '' ? text.slice(0, maxLength) : undefined;
}

function isoTime(value: unknown): string | undefined {
  const text = headerText(value, 100);
  const at = text === undefined ? NaN : Date.parse(text);
  return Number.isNaN(at) ? undefined : new Date(at).toISOString();
}

function positiveInteger(value: unknown): number | undefined {
  const number = typeof value === 'string' ? Number(value) : value;
  return typeof number === 'number' && Number.isInteger(number) && number > 0 ? number : undefined;
}

const forwarded = (message: ConsumeMessage): Options.Publish => ({
  ...(message.properties.messageId ? { messageId: message.properties.messageId } : {}),
  ...(message.properties.type ? { type: message.properties.type } : {}),
});

const describe = (error: unknown) =>
  error instanceof Error
    ? { errorType: error.name, errorMessage: error.message }
    : { errorType: 'Error', errorMessage: String(error) };

function ack(channel: Channel, message: ConsumeMessage): void {
  try {
    channel.ack(message);
  } catch {
    // The channel is gone with its connection: the broker requeues the message, the inbox
    // dedupes its second delivery.
  }
}
