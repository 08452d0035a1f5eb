/**
 * Delivers scheduled messages (timeouts, retries, replays) when they fall due. A claimed row is
 * leased, not removed, and removed only once the transport took it: a crash between claim and
 * delivery delays the message by the lease, never loses it. Several schedulers (processes) may
 * share a store; the store gives each row to one claimer at a time.
 */
import type { Background } from './background.js';
import type { Clock } from './clock.js';
import type { Logger } from './logger.js';
import type { ScheduledRecord, Store } from './store.js';
import type { Transport } from './transport.js';

export interface SchedulerOptions {
  readonly store: Store;
  readonly transport: Transport;
  readonly clock: Clock;
  readonly background: Background;
  readonly logger: Logger;
  /** The longest the scheduler sleeps: it also picks up rows other processes scheduled. */
  readonly pollIntervalMs: number;
  readonly leaseMs: number;
  readonly batchSize?: number;
}

export class Scheduler {
  readonly #options: SchedulerOptions;
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** `Date.now()` when the timer fires, to tell whether a poke should bring it forward. */
  #timerAt = Infinity;
  #running = false;

  constructor(options: SchedulerOptions) {
    this.#options = options;
  }

  start(): void {
    this.#running = true;
    this.#wakeIn(0);
  }

  stop(): void {
    this.#running = false;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** Something was scheduled for `dueAt`: wake up by then. */
  poke(dueAt: Date | undefined): void {
    if (dueAt) this.#wakeIn(dueAt.getTime() - this.#options.clock.now().getTime());
  }

  /** Delivers everything due now, batch after batch; resolves when the transport took it all. */
  async runDue(): Promise<void> {
    const { store, clock, leaseMs, batchSize = 100 } = this.#options;
    for (;;) {
      const due = await store.claimDue(clock.now(), batchSize, leaseMs);
      if (due.length === 0) return;
      const results = await Promise.allSettled(due.map((record) => this.#deliver(record)));
      const delivered = due.filter((_, index) => results[index]!.status === 'fulfilled');
      if (delivered.length > 0) await store.completeScheduled(delivered.map((record) => record.id));
      // The transport refuses: the leases run out and the rows are claimed again later.
      if (delivered.length === 0 || due.length < batchSize) return;
    }
  }

  async #deliver(record: ScheduledRecord): Promise<void> {
    const { transport, logger } = this.#options;
    try {
      if (record.endpoint === null) return await transport.publish(record.envelope);
      const { envelope, attempt, firstFailedAt } = record;
      await transport.send(record.endpoint, { envelope, attempt, firstFailedAt });
    } catch (error) {
      logger.warn({ scheduledId: record.id, err: error }, 'scheduled delivery failed; will retry');
      throw error;
    }
  }

  #wakeIn(delayMs: number): void {
    if (!this.#running) return;
    const delay = Math.max(0, Math.min(delayMs, this.#options.pollIntervalMs));
    if (this.#timer && Date.now() + delay >= this.#timerAt) return;
    clearTimeout(this.#timer);
    this.#timerAt = Date.now() + delay;
    this.#timer = setTimeout(() => this.#tick(), delay);
    // The timer alone must not keep a process (or a test run) alive.
    this.#timer.unref();
  }

  #tick(): void {
    this.#timer = undefined;
    this.#timerAt = Infinity;
    const { background, logger, store, clock, pollIntervalMs } = this.#options;
    background.run(
      async () => {
        await this.runDue();
        const next = await store.nextDue();
        this.#wakeIn(next ? next.getTime() - clock.now().getTime() : pollIntervalMs);
      },
      (error) => {
        logger.error({ err: error }, 'scheduler tick failed');
        this.#wakeIn(pollIntervalMs);
      },
    );
  }
}
