/**
 * What happens to one delivery at one endpoint:
 *
 * 1. invalid message → dead letter at once; the handler never sees it;
 * 2. in one transaction: inbox entry (a duplicate stops here), the handler, its outgoing messages;
 *    a sink (an e-mail sender) runs outside any transaction instead, as its work is not the store's;
 *    a message whose cause this endpoint receives but has not handled yet goes back to the
 *    transport (`DeliverLater`), to come again after it;
 *    deliveries about one tenant at one endpoint take turns in this process: run side by side they
 *    would only collide on the same saga, or find the message that caused them uncommitted;
 * 3. a `ConcurrencyConflict` → the transaction runs again at once (not an attempt);
 *    a `PermanentError` → dead letter; any other error → a retry at the policy's delay, written to
 *    the schedule, until the attempts run out → dead letter with the whole envelope.
 *
 * The delivery resolves in every case but two (a `DeliverLater`, the store failing to record a
 * failure), so the transport's own redelivery is a last resort, not the retry mechanism.
 */
import type { Envelope, TenantId } from '../contracts/envelope.js';
import { causedBy } from '../contracts/envelope.js';
import { retryDelay } from '../saga/definition.js';
import type { Clock } from './clock.js';
import { deadLetterId } from './dead-letters.js';
import type { Endpoint, EndpointDefinition, HandlerContext } from './handler.js';
import { PermanentError } from './handler.js';
import type { Logger } from './logger.js';
import { messageFields } from './logger.js';
import type { KnownMessage, MessageCatalog, MessagePayloads, MessageType } from './messages.js';
import type { DeliveryScope, RuntimeObserver } from './observer.js';
import type { Outgoing, ScheduleOptions } from './outgoing.js';
import type { CauseQuery, DeadLetter, Store, Tx } from './store.js';
import { ConcurrencyConflict } from './store.js';
import type { Delivery } from './transport.js';
import { DeliverLater } from './transport.js';
import { Turns } from './turns.js';
import type { MessageValidator } from './validation.js';

/** Runs `work` in a transaction; `scope` is the delivery's, for the observer. */
export type UnitOfWork = <T>(
  work: (tx: Tx, outgoing: Outgoing, now: Date) => Promise<T>,
  scope?: DeliveryScope,
) => Promise<T>;

export interface PipelineOptions {
  readonly store: Store;
  readonly clock: Clock;
  readonly messages: MessageCatalog;
  readonly validator: MessageValidator;
  readonly logger: Logger;
  /** Runs a transaction whose outgoing messages are dispatched after commit. */
  readonly unit: UnitOfWork;
  /** Tells the scheduler that a retry is due at `dueAt`. */
  readonly scheduled: (dueAt: Date) => void;
  readonly observer?: RuntimeObserver;
}

interface PublishOptions {
  readonly tenantId?: TenantId;
}

const maxConflictRetries = 20;
/** How long a message may wait for its cause to be handled first (see `#causeToWaitFor`). */
const causalWaitMs = 5 * 60_000;

/** Runs `work` again on a `ConcurrencyConflict`, a bounded number of times, with jitter. */
export async function retryingConflicts<T>(work: () => Promise<T>): Promise<T> {
  for (let conflicts = 0; ; conflicts += 1) {
    try {
      return await work();
    } catch (error) {
      if (!(error instanceof ConcurrencyConflict) || conflicts >= maxConflictRetries) throw error;
      // Jittered, so that the writers that collided do not collide again.
      const delay = Math.random() * Math.min(conflicts + 1, 10);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

/** An invalid message may not even be an object. */
function eventIdOf(envelope: unknown): string | undefined {
  const eventId: unknown = (envelope as Partial<Envelope> | null)?.eventId;
  return typeof eventId === 'string' ? eventId : undefined;
}

const describe = (error: unknown) =>
  error instanceof Error
    ? { errorType: error.name, errorMessage: error.message }
    : { errorType: 'Error', errorMessage: String(error) };

export class Pipeline {
  readonly #options: PipelineOptions;
  readonly #turns = new Turns();

  constructor(options: PipelineOptions) {
    this.#options = options;
  }

  /** `scope` is the delivery's as the observer follows it, passed on to the handler and hooks. */
  async deliver(endpoint: Endpoint, delivery: Delivery, scope?: DeliveryScope): Promise<void> {
    const checked = this.#options.validator(delivery.envelope);
    if (!checked.ok) {
      const failure = { errorType: 'InvalidMessage', errorMessage: checked.errors.join('; ') };
      return this.#deadLetter(endpoint, delivery, failure, scope);
    }
    try {
      if (endpoint.kind === 'sink') await endpoint.send(checked.message, delivery.attempt);
      else {
        const { message } = checked;
        await this.#turns.run(`${endpoint.name}\n${message.tenantId}`, () =>
          retryingConflicts(() => this.#apply(endpoint, message, delivery.attempt, scope)),
        );
      }
    } catch (error) {
      if (error instanceof DeliverLater) throw error; // not a failure: the transport retries
      await this.#failed(endpoint, delivery, error, scope);
    }
  }

  #apply(
    endpoint: EndpointDefinition,
    message: KnownMessage,
    attempt: number,
    scope: DeliveryScope | undefined,
  ): Promise<void> {
    const { versions } = this.#options.messages;
    return this.#options.unit(async (tx, outgoing, now) => {
      const receipt = await tx.receive(
        endpoint.name,
        message.eventId,
        this.#causeToWaitFor(endpoint, message, now),
      );
      // Already applied: the first delivery's effects are committed, this one changes nothing.
      if (receipt === 'duplicate') {
        this.#options.observer?.duplicate?.(endpoint.name, message, scope);
        return;
      }
      if (receipt === 'awaits-cause') {
        const { type, eventId, causationId } = message;
        throw new DeliverLater(`${type} ${eventId} waits for its cause ${causationId}`);
      }
      const ctx: HandlerContext = {
        message,
        attempt,
        endpoint: endpoint.name,
        now,
        tx,
        ...(scope ? { scope } : {}),
        publish<T extends MessageType>(
          type: T,
          payload: MessagePayloads[T],
          options?: PublishOptions,
        ) {
          const tenantId = options?.tenantId ?? message.tenantId;
          const version = versions[type];
          return outgoing.publish(
            causedBy(message, { type, payload, tenantId, version, occurredAt: now }),
          );
        },
        schedule<T extends MessageType>(
          type: T,
          payload: MessagePayloads[T],
          options: ScheduleOptions,
        ) {
          const version = versions[type];
          return outgoing.schedule(
            causedBy(message, { type, payload, version, occurredAt: now }),
            options,
          );
        },
      };
      await endpoint.handle(ctx);
    }, scope);
  }

  /**
   * A broker may bring a message before the one that caused it (they come through different
   * queues): an identity step's `UserInvited` before the saga has its `TenantRegistered`. When
   * this endpoint receives the cause too, it handles the cause first. For a while only, so that
   * a cause lost for good cannot hold its effects back forever.
   */
  #causeToWaitFor(
    endpoint: EndpointDefinition,
    message: KnownMessage,
    now: Date,
  ): CauseQuery | undefined {
    const { eventId, causationId } = message;
    if (causationId === eventId) return undefined;
    if (now.getTime() - Date.parse(message.occurredAt) > causalWaitMs) return undefined;
    return { eventId: causationId, types: endpoint.types };
  }

  async #failed(
    endpoint: Endpoint,
    delivery: Delivery,
    error: unknown,
    scope: DeliveryScope | undefined,
  ): Promise<void> {
    const { envelope, attempt } = delivery;
    const now = this.#options.clock.now();
    const firstFailedAt = delivery.firstFailedAt ?? now.toISOString();
    const failure = describe(error);
    if (error instanceof PermanentError || attempt >= endpoint.retry.attempts) {
      return this.#deadLetter(endpoint, delivery, { ...failure, firstFailedAt }, scope);
    }
    const dueAt = new Date(now.getTime() + retryDelay(endpoint.retry, attempt));
    // One id per attempt: a duplicate of this failure schedules the same retry, not another one.
    const id = `retry:${endpoint.name}:${envelope.eventId}:${attempt + 1}`;
    await this.#options.store.transaction((tx) =>
      tx.schedule({
        id,
        dueAt: dueAt.toISOString(),
        endpoint: endpoint.name,
        envelope,
        attempt: attempt + 1,
        firstFailedAt,
      }),
    );
    this.#options.scheduled(dueAt);
    this.#options.observer?.retrying?.(endpoint.name, envelope, attempt, failure, scope);
    this.#options.logger.warn(
      {
        ...messageFields(envelope),
        endpoint: endpoint.name,
        eventId: envelope.eventId,
        type: envelope.type,
        attempt,
        ...failure,
      },
      `delivery failed; attempt ${attempt + 1} at ${dueAt.toISOString()}`,
    );
  }

  async #deadLetter(
    endpoint: Endpoint,
    delivery: Delivery,
    failure: { errorType: string; errorMessage: string; firstFailedAt?: string },
    scope: DeliveryScope | undefined,
  ): Promise<void> {
    const now = this.#options.clock.now().toISOString();
    const letter: DeadLetter = {
      // From the content, not the eventId it claims: another message cannot take its place.
      id: deadLetterId(endpoint.name, { json: delivery.envelope }),
      endpoint: endpoint.name,
      envelope: delivery.envelope,
      errorType: failure.errorType,
      errorMessage: failure.errorMessage,
      attempts: delivery.attempt,
      firstFailedAt: failure.firstFailedAt ?? now,
      lastFailedAt: now,
    };
    await this.#options.store.transaction((tx) => tx.addDeadLetter(letter));
    this.#options.observer?.deadLettered?.(letter, scope);
    this.#options.logger.error(
      {
        ...messageFields(delivery.envelope),
        endpoint: endpoint.name,
        deadLetterId: letter.id,
        eventId: eventIdOf(delivery.envelope),
        ...failure,
      },
      'message dead-lettered',
    );
  }
}
