/**
 * What the RabbitMQ transport declares on the broker, idempotently, at every (re)connection:
 *
 * - `<prefix>events`, a durable topic exchange; every message is published to it with its type
 *   as the routing key;
 * - per endpoint, a durable queue `<prefix><endpoint>` bound to the types it receives, and
 *   `<queue>_error` for messages the transport cannot parse or give up on (a process that records
 *   dead letters consumes it into the store);
 * - per retry delay, a fanout exchange and a queue `<prefix>retry.<ms>ms` whose messages expire
 *   after that delay and are dead-lettered to the default exchange with the routing key they were
 *   published with: the endpoint queue they came from. Delays need no broker plugin, and a long
 *   delay never holds up a short one (each queue has one TTL, so expiry is first in, first out).
 *   One more, short, delay is for a message that came before its cause (`DeliverLater`).
 */
import type { Channel, Options } from 'amqplib';

export interface Route {
  readonly endpoint: string;
  readonly types: readonly string[];
}

export interface TopologyOptions {
  readonly prefix: string;
  readonly retryDelaysMs: readonly number[];
  /** The wait of a message that came before its cause: that cause is usually being handled. */
  readonly laterDelayMs: number;
  /** For tests: queues vanish this long after their last consumer left, exchanges with them. */
  readonly expiresMs?: number;
}

export class Topology {
  readonly exchange: string;
  readonly #options: TopologyOptions;

  constructor(options: TopologyOptions) {
    this.#options = options;
    this.exchange = `${options.prefix}events`;
  }

  queue(endpoint: string): string {
    return `${this.#options.prefix}${endpoint}`;
  }

  errorQueue(endpoint: string): string {
    return `${this.queue(endpoint)}_error`;
  }

  /** The exchange of the `retries`th retry (1 for the first): delays grow, the last repeats. */
  retryExchange(retries: number): string {
    const delays = this.#options.retryDelaysMs;
    return this.#retryName(delays[Math.min(Math.max(retries, 1), delays.length) - 1]!);
  }

  /** The exchange of a message to deliver again soon, as the same attempt (`DeliverLater`). */
  laterExchange(): string {
    return this.#retryName(this.#options.laterDelayMs);
  }

  /**
   * The queues `idle()` watches: the endpoints' own and the retry queues feeding them, and their
   * error queues when the process consumes those (`errorQueues`).
   */
  watchedQueues(endpoints: Iterable<string>, options: { errorQueues?: boolean } = {}): string[] {
    const names = [...endpoints];
    return [
      ...names.map((endpoint) => this.queue(endpoint)),
      ...(options.errorQueues ? names.map((endpoint) => this.errorQueue(endpoint)) : []),
      ...this.#delays().map((delay) => this.#retryName(delay)),
    ];
  }

  #delays(): number[] {
    return [...new Set([this.#options.laterDelayMs, ...this.#options.retryDelaysMs])];
  }

  async declare(channel: Channel, routes: Iterable<Route>): Promise<void> {
    const temporary = this.#options.expiresMs !== undefined;
    const exchangeOptions: Options.AssertExchange = { durable: true, autoDelete: temporary };
    const expiry = temporary ? { 'x-expires': this.#options.expiresMs } : {};
    await channel.assertExchange(this.exchange, 'topic', exchangeOptions);
    for (const delay of this.#delays()) {
      const name = this.#retryName(delay);
      await channel.assertExchange(name, 'fanout', exchangeOptions);
      await channel.assertQueue(name, {
        durable: true,
        arguments: { ...expiry, 'x-message-ttl': delay, 'x-dead-letter-exchange': '' },
      });
      await channel.bindQueue(name, name, '');
    }
    for (const { endpoint, types } of routes) {
      const queue = this.queue(endpoint);
      await channel.assertQueue(queue, { durable: true, arguments: expiry });
      await channel.assertQueue(this.errorQueue(endpoint), { durable: true, arguments: expiry });
      for (const type of new Set(types)) await channel.bindQueue(queue, this.exchange, type);
    }
  }

  #retryName(delayMs: number): string {
    return `${this.#options.prefix}retry.${delayMs}ms`;
  }
}
