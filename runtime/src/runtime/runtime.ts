/**
 * Runs the product's endpoints on a transport and a store. Every delivery goes through one
 * pipeline: validate → (inbox, handler, outbox, schedule) in one transaction → dispatch after
 * commit. Failures never reject a delivery: retries and dead letters are written to the store, so
 * a crash loses nothing and the transport only ever sees acknowledgements.
 */
import type { Envelope } from '../contracts/envelope.js';
import { Background } from './background.js';
import type { Clock } from './clock.js';
import { systemClock } from './clock.js';
import { isMessage, NotAMessage } from './dead-letters.js';
import { Dispatcher } from './dispatcher.js';
import type { Endpoint } from './handler.js';
import type { Logger } from './logger.js';
import { consoleLogger } from './logger.js';
import type { ScheduleOptions } from './outgoing.js';
import { Outgoing } from './outgoing.js';
import { Pipeline, retryingConflicts } from './pipeline.js';
import { Scheduler } from './scheduler.js';
import type { DeadLetter, Store, Tx } from './store.js';
import type { Delivery, Transport } from './transport.js';
import type { MessageValidator } from './validation.js';
import { createMessageValidator } from './validation.js';
import type { MessageCatalog } from './messages.js';
import type { DeliveryScope, RuntimeObserver } from './observer.js';

export interface RuntimeOptions {
  readonly transport: Transport;
  readonly store: Store;
  /** The product's messages: every one published or consumed is checked against them. */
  readonly messages: MessageCatalog;
  readonly clock?: Clock;
  /** Replaces the validator compiled from `messages`. */
  readonly validator?: MessageValidator;
  readonly logger?: Logger;
  /** How long inbox entries (the dedupe window) and dispatched outbox rows are kept. */
  readonly inboxRetentionMs?: number;
  /** Longest wait before the scheduler and the outbox poller look again. */
  readonly pollIntervalMs?: number;
  /** How long a claimed scheduled message stays hidden from other claimers. */
  readonly leaseMs?: number;
  /** Telemetry (traces, metrics): told about deliveries, commits, retries and dead letters. */
  readonly observer?: RuntimeObserver;
}

/** What a unit of work outside any handler sees (the HTTP API registering a tenant, say). */
export interface UnitContext {
  readonly tx: Tx;
  readonly now: Date;
  /** Queues a message, published after commit. Throws `InvalidMessage` if it fails its schema. */
  publish<E extends Envelope>(envelope: E): E;
  schedule<E extends Envelope>(envelope: E, options: ScheduleOptions): E;
}

const day = 24 * 60 * 60 * 1000;

export class Runtime {
  readonly #transport: Transport;
  readonly #store: Store;
  readonly #clock: Clock;
  readonly #messages: MessageCatalog;
  readonly #validator: MessageValidator;
  readonly #logger: Logger;
  readonly #retentionMs: number;
  readonly #pollIntervalMs: number;
  readonly #observer: RuntimeObserver;
  readonly #background = new Background();
  readonly #dispatcher: Dispatcher;
  readonly #scheduler: Scheduler;
  readonly #endpoints = new Map<string, Endpoint>();
  readonly #timers: ReturnType<typeof setInterval>[] = [];
  #state: 'new' | 'running' | 'stopped' = 'new';

  constructor(options: RuntimeOptions) {
    this.#transport = options.transport;
    this.#store = options.store;
    this.#clock = options.clock ?? systemClock;
    this.#messages = options.messages;
    this.#validator = options.validator ?? createMessageValidator(options.messages);
    this.#logger = options.logger ?? consoleLogger;
    this.#retentionMs = options.inboxRetentionMs ?? 7 * day;
    this.#pollIntervalMs = options.pollIntervalMs ?? 1000;
    this.#observer = options.observer ?? {};
    const shared = {
      store: this.#store,
      transport: this.#transport,
      background: this.#background,
      logger: this.#logger,
    };
    this.#dispatcher = new Dispatcher(shared);
    this.#scheduler = new Scheduler({
      ...shared,
      clock: this.#clock,
      pollIntervalMs: this.#pollIntervalMs,
      leaseMs: options.leaseMs ?? 30_000,
    });
  }

  /** Started and not stopped: taking deliveries (readiness of the bus side of `/health`). */
  get running(): boolean {
    return this.#state === 'running';
  }

  register(endpoint: Endpoint): void {
    if (this.#state !== 'new') throw new Error(`register ${endpoint.name} before start()`);
    if (this.#endpoints.has(endpoint.name))
      throw new Error(`endpoint ${endpoint.name} is registered twice`);
    this.#endpoints.set(endpoint.name, endpoint);
  }

  async start(): Promise<void> {
    if (this.#state !== 'new') throw new Error('the runtime was already started');
    const pipeline = new Pipeline({
      store: this.#store,
      clock: this.#clock,
      messages: this.#messages,
      validator: this.#validator,
      logger: this.#logger,
      unit: (work, scope) => this.#unit(work, scope),
      scheduled: (dueAt) => this.#scheduler.poke(dueAt),
      observer: this.#observer,
    });
    const observed = this.#observer.delivery?.bind(this.#observer);
    for (const endpoint of this.#endpoints.values()) {
      const deliver = (delivery: Delivery) => pipeline.deliver(endpoint, delivery);
      await this.#transport.subscribe(
        endpoint.name,
        endpoint.types,
        observed
          ? (delivery) =>
              observed(endpoint.name, delivery, (scope) =>
                pipeline.deliver(endpoint, delivery, scope),
              )
          : deliver,
        endpoint.concurrency === undefined ? {} : { concurrency: endpoint.concurrency },
      );
    }
    await this.#transport.start();
    this.#state = 'running';
    this.#scheduler.start();
    // Rows a crash left undispatched go out now; the interval catches whatever a refusal left.
    this.#drainOutbox();
    this.#every(this.#pollIntervalMs, () => this.#drainOutbox());
    this.#every(60 * 60 * 1000, () =>
      this.#background.run(() => this.prune(), this.#onError('prune')),
    );
  }

  /** Stops taking deliveries, waits for the ones in flight and for dispatching to settle. */
  async stop(): Promise<void> {
    if (this.#state !== 'running') return;
    this.#state = 'stopped';
    for (const timer of this.#timers) clearInterval(timer);
    this.#scheduler.stop();
    await this.#transport.stop();
    // Publishes still pending now fail fast; their rows stay in the outbox for the next start.
    await this.#background.idle();
  }

  /** Runs `work` in one transaction; what it publishes or schedules is dispatched after commit. */
  execute<T>(work: (ctx: UnitContext) => Promise<T>): Promise<T> {
    return retryingConflicts(() =>
      this.#unit((tx, outgoing, now) =>
        work({
          tx,
          now,
          publish: (envelope) => outgoing.publish(envelope),
          schedule: (envelope, options) => outgoing.schedule(envelope, options),
        }),
      ),
    );
  }

  /**
   * Takes a dead letter back and sends its message to its endpoint again, as a first attempt.
   * Both happen in one transaction (through the schedule, due now): a crash cannot lose it. A
   * letter that holds no message (a body from the broker that is not JSON) is kept: `NotAMessage`.
   */
  async replayDeadLetter(id: string): Promise<DeadLetter | undefined> {
    const now = this.#clock.now();
    const letter = await this.#store.transaction(async (tx) => {
      const removed = await tx.removeDeadLetter(id);
      if (removed) {
        const { endpoint, envelope } = removed;
        // Throwing rolls the removal back: the letter stays, for an operator to read or delete.
        if (!isMessage(envelope)) throw new NotAMessage(id);
        await tx.schedule({
          id: `replay:${id}`,
          dueAt: now.toISOString(),
          endpoint,
          envelope,
          attempt: 1,
        });
      }
      return removed;
    });
    if (letter) this.#scheduler.poke(now);
    return letter;
  }

  /**
   * Deletes inbox entries and dispatched outbox rows older than the retention, and the windows of
   * rate limits and throttles that have closed.
   */
  async prune(): Promise<{ inbox: number; outbox: number; windows: number }> {
    const now = this.#clock.now();
    const { inbox, outbox } = await this.#store.prune(new Date(now.getTime() - this.#retentionMs));
    return { inbox, outbox, windows: await this.#store.pruneWindows(now) };
  }

  /**
   * For tests: delivers everything due at the clock's now and waits until nothing is in flight
   * and nothing is left to dispatch, so that `clock.advance(ms); await runtime.flush()` replaces
   * sleeping.
   */
  async flush(): Promise<void> {
    if (this.#state !== 'running') throw new Error('flush() needs a started runtime');
    for (let round = 0; round < 1000; round += 1) {
      await this.#scheduler.runDue();
      const published = await this.#dispatcher.drain();
      // A broker delivers after `publish` resolved, and its handlers dispatch more in the
      // background: wait until the transport and the background are quiet at the same time.
      do {
        await this.#background.idle();
        await this.#transport.idle();
      } while (this.#background.busy);
      const next = await this.#store.nextDue();
      if (next !== undefined && next <= this.#clock.now()) continue;
      if ((await this.#store.pendingOutbox(1)).length === 0) return;
      // Rows are left that a drain found and could not publish: waiting will not help.
      if (round > 0 && published === 0) throw new Error('flush(): the transport refuses messages');
    }
    throw new Error('flush() did not settle: something keeps scheduling work due now');
  }

  /** One transaction with an outbox: the unit of work of the pipeline and of `execute`. */
  async #unit<T>(
    work: (tx: Tx, outgoing: Outgoing, now: Date) => Promise<T>,
    scope?: DeliveryScope,
  ): Promise<T> {
    const outgoing = new Outgoing(this.#validator);
    const now = this.#clock.now();
    let written: Awaited<ReturnType<Outgoing['write']>> | undefined;
    try {
      const result = await this.#store.transaction(async (tx) => {
        const value = await work(tx, outgoing, now);
        written = await outgoing.write(tx, (type) => this.#transport.receives(type));
        this.#dispatcher.claim(written.published);
        return value;
      });
      const records = written ? await written.records : [];
      this.#observer.committed?.(outgoing.messages, scope);
      this.#dispatcher.dispatch(records);
      this.#scheduler.poke(outgoing.soonest);
      return result;
    } catch (error) {
      if (written) this.#dispatcher.release(written.published);
      throw error;
    }
  }

  #drainOutbox(): void {
    this.#background.run(() => this.#dispatcher.drain(), this.#onError('outbox poll'));
  }

  #every(ms: number, run: () => void): void {
    const timer = setInterval(run, ms);
    timer.unref();
    this.#timers.push(timer);
  }

  #onError(task: string): (error: unknown) => void {
    return (error) => this.#logger.error({ err: error }, `${task} failed`);
  }
}
