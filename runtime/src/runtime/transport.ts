/**
 * The transport port: how messages move between endpoints. Every adapter (memory, rabbitmq)
 * passes the same contract suite in test/runtime/transport.contract.ts.
 */
import type { Envelope } from '../contracts/envelope.js';

/** A message handed to one endpoint, with its delivery metadata. */
export interface Delivery {
  readonly envelope: Envelope;
  /** 1 for the first delivery of this message to this endpoint, then 2, 3, … on retries. */
  readonly attempt: number;
  /** On a retry: when the first attempt failed (ISO), so a dead letter can say so. */
  readonly firstFailedAt?: string;
}

/**
 * Thrown by a delivery handler that cannot take a delivery yet (the message that caused it has
 * not been handled at this endpoint): the transport delivers it again a little later, as the same
 * attempt.
 */
export class DeliverLater extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DeliverLater';
  }
}

/** Resolving acknowledges the delivery; rejecting makes the transport deliver it again later. */
export type DeliveryHandler = (delivery: Delivery) => Promise<void>;

export interface SubscribeOptions {
  /** How many deliveries the endpoint handles at once. */
  readonly concurrency?: number;
}

/**
 * A message the transport dead-lettered on its own, which the store may never have heard of: a
 * broker moves a body it cannot parse, or a message whose deliveries kept failing (the store
 * down), to the endpoint's error queue. Times are ISO.
 */
export interface TransportDeadLetter {
  readonly endpoint: string;
  /** The body as the transport holds it: maybe not JSON, maybe not even text. */
  readonly body: Buffer;
  readonly errorType: string;
  readonly errorMessage: string;
  readonly attempts: number;
  readonly firstFailedAt: string;
  readonly lastFailedAt: string;
}

/**
 * The transport's names for where messages go, in the terms of OpenTelemetry's messaging
 * conventions (observability/tracing.ts names its spans and attributes with them).
 */
export interface MessagingNames {
  /** `messaging.system`: `rabbitmq` on the broker, `saas_gen.memory` for the in-process bus. */
  readonly system: string;
  /** Where `publish` sends every message: the broker's exchange. */
  readonly exchange: string;
  /** The queue an endpoint receives from. */
  queue(endpoint: string): string;
}

export interface Transport {
  readonly kind: 'memory' | 'rabbitmq';
  /** Where messages go, for tracing; a transport without it is traced by its `kind` only. */
  readonly messaging?: MessagingNames;
  /**
   * Declares an endpoint (a queue) that receives every published message of the listed types.
   * Called for every endpoint before `start`.
   */
  subscribe(
    endpoint: string,
    types: readonly string[],
    handler: DeliveryHandler,
    options?: SubscribeOptions,
  ): Promise<void>;
  /**
   * Publishes to every endpoint subscribed to the message's type. Resolves once the transport
   * has taken responsibility for it: durably queued (rabbitmq), or handled by every endpoint
   * (memory, which keeps nothing across a crash; the outbox re-publishes what it did not confirm).
   */
  publish(envelope: Envelope): Promise<void>;
  /**
   * Whether a published message of `type` can reach any endpoint. Only a transport that knows
   * every subscriber (the in-process bus, once started) can say no; a broker always says yes, as
   * other systems may bind queues of their own. The runtime writes no outbox row for a message
   * that can reach nobody.
   */
  receives(type: string): boolean;
  /** Delivers to one endpoint only: retries and dead-letter replays. */
  send(endpoint: string, delivery: Delivery): Promise<void>;
  start(): Promise<void>;
  /** Stops taking deliveries and waits for the ones in flight. */
  stop(): Promise<void>;
  /**
   * Resolves once nothing is queued for, or being handled by, this process's endpoints. For
   * `Runtime.flush` (tests): a broker delivers after `publish` has resolved.
   */
  idle(): Promise<void>;
  /** Whether messages can go through now (a broker transport: connected to the broker). */
  readonly connected: boolean;
  /**
   * Hands each message this process's endpoints dead-lettered in the transport itself to
   * `record`, and lets go of it only once `record` resolved; while `record` fails, the message
   * stays with the transport and comes again later. Call before `start`. Only a broker has such
   * messages: the in-process bus gives every failure back to the pipeline, which records it in
   * the store, so it does not implement this.
   */
  recordDeadLetters?(record: (letter: TransportDeadLetter) => Promise<void>): void;
}

/**
 * The transport, telling `seen` of every message published through it (tests, benchmarks). The
 * tap itself receives the `listens` types: messages of those types are published even when no
 * endpoint would take them.
 */
export function tapped(
  transport: Transport,
  seen: (envelope: Envelope) => void,
  listens: readonly string[] = [],
): Transport {
  return {
    kind: transport.kind,
    ...(transport.messaging ? { messaging: transport.messaging } : {}),
    subscribe: (endpoint, types, handler, options) =>
      transport.subscribe(endpoint, types, handler, options),
    publish: (envelope) => {
      seen(envelope);
      return transport.publish(envelope);
    },
    receives: (type) => listens.includes(type) || transport.receives(type),
    send: (endpoint, delivery) => transport.send(endpoint, delivery),
    start: () => transport.start(),
    stop: () => transport.stop(),
    idle: () => transport.idle(),
    get connected() {
      return transport.connected;
    },
    ...(transport.recordDeadLetters
      ? { recordDeadLetters: (record) => transport.recordDeadLetters!(record) }
      : {}),
  };
}
