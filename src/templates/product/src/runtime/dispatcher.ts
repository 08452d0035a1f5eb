/**
 * Moves committed outbox rows to the transport, then marks them dispatched. A row is marked only
 * after the transport took it, so a crash in between publishes it again on the next start
 * (consumers dedupe on `eventId`): at-least-once, never lost.
 *
 * It hands the transport at most `maxUnconfirmed` messages at a time. The in-process bus confirms
 * a message only once every endpoint has handled it, so without a bound a burst of work (10,000
 * sign-ups at once) would queue every message, its copies and its promises in the heap. Past the
 * bound a committed row simply stays in the outbox table, where it is as safe as it was, and is
 * read back oldest first as room frees: the backlog lives in the database, not in memory.
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
  /** Most rows one read of the outbox publishes (`maxUnconfirmed`). */
  readonly batchSize?: number;
  /** How long published rows wait to be marked together (10 ms). */
  readonly markDelayMs?: number;
  /**
   * Most messages handed to the transport and not yet confirmed by it (1000): what this process
   * holds in memory for the bus, however large the outbox grows.
   */
  readonly maxUnconfirmed?: number;
}

export class Dispatcher {
  readonly #options: DispatcherOptions;
  readonly #maxUnconfirmed: number;
  /**
   * Messages (by event id) this process is dispatching: the poller leaves their rows alone until
   * they are marked. By event id, so that a unit can claim its messages before the store has
   * told it their row ids (which may come with the commit).
   */
  readonly #inFlight = new Set<string>();
  #toMark: OutboxRecord[] = [];
  /** The read of the outbox under way: one at a time, so that no row is published twice at once. */
  #reading: Promise<Promise<number>[]> | undefined;
  /** Messages handed to `transport.publish` whose promise has not settled yet. */
  #unconfirmed = 0;
  /** Rows were left in the outbox for want of room: newer rows wait behind them. */
  #backlog = false;
  /** Counts the times rows were left behind, so that a read that raced with one reads again. */
  #leftBehind = 0;
  /** Counts refused publishes, so that a read stops handing over rows the transport refuses. */
  #refusals = 0;
  /**
   * The transport refused a message: the backlog waits for the next poll (`drain`) rather than
   * being read again as each refusal frees room, which would go round as fast as it refuses.
   */
  #paused = false;

  constructor(options: DispatcherOptions) {
    this.#options = options;
    this.#maxUnconfirmed = Math.max(1, options.maxUnconfirmed ?? 1000);
  }

  /** Called inside the transaction that writes the rows, so that no poll can see them unclaimed. */
  claim(envelopes: readonly Envelope[]): void {
    for (const envelope of envelopes) this.#inFlight.add(envelope.eventId);
  }

  /** The transaction rolled back: the rows do not exist. */
  release(envelopes: readonly Envelope[]): void {
    for (const envelope of envelopes) this.#inFlight.delete(envelope.eventId);
  }

  /**
   * Publishes claimed rows in the background, straight from the commit, when the transport has
   * room for them and no older rows wait; otherwise leaves them in the outbox, behind the others.
   */
  dispatch(records: readonly OutboxRecord[]): void {
    if (records.length === 0) return;
    if (this.#backlog || this.#room() < records.length) {
      this.release(records.map((record) => record.envelope));
      this.#leftBehind += 1;
      this.#backlog = true;
      this.#resume();
      return;
    }
    this.#options.background.run(
      () => this.#publish(records),
      (error) => this.#options.logger.error({ err: error }, 'outbox dispatch failed'),
    );
  }

  /** Messages handed to the transport and not confirmed yet (at most `maxUnconfirmed`). */
  get unconfirmed(): number {
    return this.#unconfirmed;
  }

  /**
   * Publishes rows left undispatched (by a crash, a transport that refused them, or for want of
   * room), oldest first, as many as the transport has room for; resolves to how many it
   * published once the transport confirmed them. The rest follow as room frees.
   */
  drain(): Promise<number> {
    this.#paused = false;
    return this.#drain();
  }

  async #drain(): Promise<number> {
    this.#reading ??= this.#read().finally(() => (this.#reading = undefined));
    let total = 0;
    for (const published of await Promise.all(await this.#reading)) total += published;
    return total;
  }

  /**
   * Reads the oldest undispatched rows and hands the ones nobody is dispatching to the transport,
   * until it has no room or the outbox no more rows; resolves to the publishes it started. The
   * rows in flight are the oldest, so each read asks for that many more than it wants.
   */
  async #read(): Promise<Promise<number>[]> {
    const batch = this.#options.batchSize ?? this.#maxUnconfirmed;
    const refusals = this.#refusals;
    const launched: Promise<number>[] = [];
    for (;;) {
      const room = this.#room();
      // Full: whatever is left is read once confirmations free room.
      if (room === 0 || this.#refusals !== refusals) return launched;
      const want = Math.min(batch, room);
      const leftBehind = this.#leftBehind;
      const limit = this.#inFlight.size + want;
      const pending = await this.#options.store.pendingOutbox(limit);
      const fresh = pending
        .filter((record) => !this.#inFlight.has(record.envelope.eventId))
        .slice(0, want);
      if (fresh.length > 0) {
        this.claim(fresh.map((record) => record.envelope));
        launched.push(this.#publish(fresh));
      }
      if (pending.length < limit) {
        // The outbox has nothing more, unless a commit left rows behind meanwhile.
        if (leftBehind === this.#leftBehind) {
          this.#backlog = false;
          return launched;
        }
      } else if (fresh.length === 0) {
        // Every row read is in flight (claimed by commits under way): read again as they settle.
        return launched;
      }
    }
  }

  #room(): number {
    return Math.max(0, this.#maxUnconfirmed - this.#unconfirmed);
  }

  /**
   * Reads the backlog again once three quarters of the room are free: a read asks for the rows in
   * flight as well (they are the oldest), so reading while few are in flight reads few twice, and
   * the quarter still queued keeps the endpoints busy meanwhile.
   */
  #resume(): void {
    if (!this.#backlog || this.#paused || this.#reading) return;
    if (this.#room() < Math.ceil((this.#maxUnconfirmed * 3) / 4)) return;
    this.#options.background.run(
      () => this.#drain(),
      (error) => this.#options.logger.error({ err: error }, 'outbox dispatch failed'),
    );
  }

  async #publish(records: readonly OutboxRecord[]): Promise<number> {
    this.#unconfirmed += records.length;
    const results = await Promise.allSettled(
      records.map((record) => this.#publishOne(record.envelope)),
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

  /** Room frees as each message is confirmed, not once its whole batch is. */
  async #publishOne(envelope: Envelope): Promise<void> {
    try {
      await this.#options.transport.publish(envelope);
    } catch (error) {
      this.#refusals += 1;
      this.#paused = true;
      throw error;
    } finally {
      this.#unconfirmed -= 1;
      this.#resume();
    }
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
      this.#resume();
    }
  }
}
