/**
 * Moves committed outbox rows to the transport, then marks them dispatched. A row is marked only
 * after the transport took it, so a crash in between publishes it again on the next start
 * (consumers dedupe on `eventId`): at-least-once, never lost.
 */
import type { Envelope } from '../contracts/envelope.js';
import type { Background } from './background.js';
import type { Logger } from './logger.js';
import type { OutboxRecord, Store } from './store.js';
import type { Transport } from './transport.js';

export interface DispatcherOptions {
  readonly store: Store;
  readonly transport: Transport;
  readonly background: Background;
  readonly logger: Logger;
  readonly batchSize?: number;
  /** How long published rows wait to be marked together (10 ms). */
  readonly markDelayMs?: number;
}

export class Dispatcher {
  readonly #options: DispatcherOptions;
  /**
   * Messages (by event id) this process is dispatching: the poller leaves their rows alone until
   * they are marked. By event id, so that a unit can claim its messages before the store has
   * told it their row ids (which may come with the commit).
   */
  readonly #inFlight = new Set<string>();
  #toMark: OutboxRecord[] = [];
  #draining: Promise<number> | undefined;

  constructor(options: DispatcherOptions) {
    this.#options = options;
  }

  /** Called inside the transaction that writes the rows, so that no poll can see them unclaimed. */
  claim(envelopes: readonly Envelope[]): void {
    for (const envelope of envelopes) this.#inFlight.add(envelope.eventId);
  }

  /** The transaction rolled back: the rows do not exist. */
  release(envelopes: readonly Envelope[]): void {
    for (const envelope of envelopes) this.#inFlight.delete(envelope.eventId);
  }

  /** Publishes claimed rows in the background. */
  dispatch(records: readonly OutboxRecord[]): void {
    if (records.length === 0) return;
    this.#options.background.run(
      () => this.#publish(records),
      (error) => this.#options.logger.error({ err: error }, 'outbox dispatch failed'),
    );
  }

  /**
   * Publishes every row left undispatched (by a crash, or a transport that refused it), oldest
   * first; resolves to how many it published. One drain at a time, so that this process never
   * publishes a row twice at once.
   */
  drain(): Promise<number> {
    this.#draining ??= this.#drainOnce().finally(() => (this.#draining = undefined));
    return this.#draining;
  }

  async #drainOnce(): Promise<number> {
    const batch = this.#options.batchSize ?? 100;
    let total = 0;
    for (;;) {
      const pending = await this.#options.store.pendingOutbox(batch);
      const fresh = pending.filter((record) => !this.#inFlight.has(record.envelope.eventId));
      if (fresh.length === 0) return total;
      this.claim(fresh.map((record) => record.envelope));
      const published = await this.#publish(fresh);
      total += published;
      // The transport refuses (stopped, broker down): try again at the next poll.
      if (published === 0 || pending.length < batch) return total;
    }
  }

  async #publish(records: readonly OutboxRecord[]): Promise<number> {
    const results = await Promise.allSettled(
      records.map((record) => this.#options.transport.publish(record.envelope)),
    );
    const published: OutboxRecord[] = [];
    for (const [index, result] of results.entries()) {
      const record = records[index]!;
      if (result.status === 'fulfilled') {
        published.push(record);
        continue;
      }
      this.#inFlight.delete(record.envelope.eventId);
      this.#options.logger.warn(
        { eventId: record.envelope.eventId, type: record.envelope.type, err: result.reason },
        'publish failed; the outbox keeps the message',
      );
    }
    if (published.length > 0) await this.#mark(published);
    return published.length;
  }

  /**
   * Marks in batches: one write for everything published within `markDelayMs` (a broker's
   * confirms arrive one by one). Until then the rows stay claimed here; a crash in between
   * publishes them again, which consumers dedupe.
   */
  async #mark(records: readonly OutboxRecord[]): Promise<void> {
    const first = this.#toMark.length === 0;
    this.#toMark.push(...records);
    if (!first) return;
    await new Promise((resolve) => setTimeout(resolve, this.#options.markDelayMs ?? 10));
    const batch = this.#toMark;
    this.#toMark = [];
    try {
      await this.#options.store.markDispatched(batch.map((record) => record.id));
    } finally {
      for (const record of batch) this.#inFlight.delete(record.envelope.eventId);
    }
  }
}
