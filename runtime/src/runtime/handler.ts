/**
 * What message handlers see. The runtime (runtime.ts) calls a handler inside one store
 * transaction: the inbox entry of the message, every state change the handler makes through
 * `tx`, and every message it publishes or schedules commit together, and the messages are
 * dispatched after commit.
 */
import type { Envelope, TenantId } from '../contracts/envelope.js';
import type { RetryPolicy } from '../saga/definition.js';
import type { KnownMessage, MessagePayloads, MessageType } from './messages.js';
import type { DeliveryScope } from './observer.js';
import type { Tx } from './store.js';

export interface HandlerContext<M extends Envelope = KnownMessage> {
  /** Validated against the catalog (validation.ts) before any handler sees it. */
  readonly message: M;
  /** 1 for the first delivery to this endpoint. */
  readonly attempt: number;
  readonly endpoint: string;
  readonly now: Date;
  readonly tx: Tx;
  /** The delivery as the observer follows it (spans, metrics); none without an observer. */
  readonly scope?: DeliveryScope;
  /** Queues a message caused by the one being handled (same correlation and trace). */
  publish<T extends MessageType>(
    type: T,
    payload: MessagePayloads[T],
    options?: { readonly tenantId?: TenantId },
  ): Envelope<T, MessagePayloads[T]>;
  /** Queues a message caused by this one, delivered at `dueAt` (to `endpoint` only, if given). */
  schedule<T extends MessageType>(
    type: T,
    payload: MessagePayloads[T],
    options: { readonly dueAt: Date; readonly id?: string; readonly endpoint?: string },
  ): Envelope<T, MessagePayloads[T]>;
}

export type MessageHandler = (ctx: HandlerContext) => Promise<void>;

export interface EndpointDefinition {
  readonly kind?: 'unit';
  /** Unique; names the queue, the inbox scope and the dead letters. */
  readonly name: string;
  /** Message types the endpoint receives. */
  readonly types: readonly string[];
  readonly handle: MessageHandler;
  readonly retry: RetryPolicy;
  readonly concurrency?: number;
}

/**
 * An endpoint whose work lies outside the store, such as sending an e-mail: it runs in no
 * transaction, so that a slow mail server or disk holds up no other message, and it publishes
 * nothing. What it does must be idempotent by itself: it keeps no inbox entry, so a message
 * delivered twice is sent twice (to the same file name, or with the same Message-ID). Its
 * failures are retried and dead-lettered like any endpoint's.
 */
export interface SinkDefinition {
  readonly kind: 'sink';
  readonly name: string;
  readonly types: readonly string[];
  readonly send: (message: KnownMessage, attempt: number) => Promise<void>;
  readonly retry: RetryPolicy;
  readonly concurrency?: number;
}

/** Whatever the runtime delivers messages to. */
export type Endpoint = EndpointDefinition | SinkDefinition;

/** A failure that retrying cannot fix: the message is dead-lettered at once. */
export class PermanentError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'PermanentError';
  }
}
