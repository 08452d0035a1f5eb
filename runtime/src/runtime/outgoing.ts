/**
 * The messages one unit of work sends. `publish` and `schedule` are synchronous for the handler
 * (they validate at once, so an invalid message fails the handler where it is built) and are
 * written to the outbox and the schedule when the handler is done, in the same transaction.
 */
import type { Envelope } from '../contracts/envelope.js';
import { PermanentError } from './handler.js';
import type { OutboxRecord, ScheduledRecord, Tx } from './store.js';
import type { MessageValidator } from './validation.js';

/** A message failed its schema. Retrying would build the same message, so it is permanent. */
export class InvalidMessage extends PermanentError {
  constructor(
    message: string,
    readonly errors: readonly string[],
  ) {
    super(message);
    this.name = 'InvalidMessage';
  }
}

export interface ScheduleOptions {
  readonly dueAt: Date;
  /** Scheduling again with the same id replaces the pending message (a reset timer). */
  readonly id?: string;
  /** Delivered to this endpoint only; to every subscriber when absent. */
  readonly endpoint?: string;
}

type NewScheduled = Omit<ScheduledRecord, 'id'> & { id?: string };

export class Outgoing {
  readonly #validator: MessageValidator;
  readonly #messages: Envelope[] = [];
  readonly #scheduled: NewScheduled[] = [];
  #written = false;
  /** When the earliest scheduled message is due, to wake the scheduler. */
  soonest: Date | undefined;

  constructor(validator: MessageValidator) {
    this.#validator = validator;
  }

  publish<E extends Envelope>(envelope: E): E {
    this.#check(envelope, 'publish');
    this.#messages.push(envelope);
    return envelope;
  }

  schedule<E extends Envelope>(envelope: E, options: ScheduleOptions): E {
    this.#check(envelope, 'schedule');
    this.#scheduled.push({
      ...(options.id === undefined ? {} : { id: options.id }),
      dueAt: options.dueAt.toISOString(),
      endpoint: options.endpoint ?? null,
      envelope,
      attempt: 1,
    });
    if (!this.soonest || options.dueAt < this.soonest) this.soonest = options.dueAt;
    return envelope;
  }

  /** Every message of the unit, published or scheduled, in the order they were queued. */
  get messages(): readonly Envelope[] {
    return [...this.#messages, ...this.#scheduled.map((record) => record.envelope)];
  }

  /**
   * Writes everything to `tx`, the messages to publish with its commit. Returns them, and their
   * outbox rows to dispatch, known once the transaction has committed (do not await `records`
   * inside it). A message that can reach no endpoint (`receives`) is not written: it would be
   * dropped anyway.
   */
  async write(
    tx: Tx,
    receives: (type: string) => boolean = () => true,
  ): Promise<{ readonly published: Envelope[]; readonly records: Promise<OutboxRecord[]> }> {
    this.#written = true;
    for (const record of this.#scheduled) await tx.schedule(record);
    const published = this.#messages.filter((envelope) => receives(envelope.type));
    return { published, records: tx.publishAfterCommit(published).committed };
  }

  #check(envelope: Envelope, verb: string): void {
    if (this.#written)
      throw new Error(`cannot ${verb} ${envelope.type}: its unit of work has ended`);
    const result = this.#validator(envelope);
    if (!result.ok) {
      throw new InvalidMessage(
        `${verb} ${envelope.type}: ${result.errors.join('; ')}`,
        result.errors,
      );
    }
  }
}
