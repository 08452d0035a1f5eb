/**
 * The store port: everything the product keeps, as one role per thing kept. Every adapter
 * (sqlite, postgres) passes the same contract suite, one part per role
 * (test/runtime/store.contract.ts).
 *
 * A unit of work changes state in a `transaction`, through the roles of its `Tx`: the saga's new
 * state, the inbox entry of the message that caused it, the messages it sends, scheduled messages
 * and audit entries commit together or not at all. Outside a transaction, the `Store`'s roles
 * serve the outbox's relay, the scheduler, the API's queries and maintenance; they never see
 * what an open transaction wrote.
 */
import type { Envelope } from '../contracts/envelope.js';

/** Saved state of one saga or workflow instance. */
export interface SagaRecord<State = unknown> {
  readonly type: string;
  readonly id: string;
  readonly tenantId: string;
  readonly state: State;
  /** Incremented on every save; a save with a stale version fails with `ConcurrencyConflict`. */
  readonly version: number;
  readonly updatedAt: string;
}

export class ConcurrencyConflict extends Error {
  constructor(
    readonly type: string,
    readonly id: string,
  ) {
    super(`${type} ${id} was changed concurrently`);
    this.name = 'ConcurrencyConflict';
  }
}

/** A `SagaQuery.cursor` that no page of this store handed out. */
export class InvalidCursor extends Error {
  constructor(readonly cursor: string) {
    super(`invalid cursor ${JSON.stringify(cursor)}`);
    this.name = 'InvalidCursor';
  }
}

/** The opaque cursor of a page that ended at saga `id`. */
export const encodeCursor = (id: string): string =>
  Buffer.from(JSON.stringify([id])).toString('base64url');

/** The saga id a cursor from `encodeCursor` names; `InvalidCursor` for anything else. */
export function decodeCursor(cursor: string): string {
  try {
    const [id] = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as unknown[];
    if (typeof id === 'string') return id;
  } catch {
    // reported below
  }
  throw new InvalidCursor(cursor);
}

export interface OutboxRecord {
  readonly id: number;
  readonly envelope: Envelope;
}

export interface ScheduledRecord {
  readonly id: string;
  readonly dueAt: string;
  /** The endpoint to deliver to; `null` to publish to every subscriber. */
  readonly endpoint: string | null;
  readonly envelope: Envelope;
  readonly attempt: number;
  /** On a scheduled retry: when the first attempt failed (ISO). */
  readonly firstFailedAt?: string;
}

export interface AuditEntry {
  readonly id: string;
  readonly tenantId: string;
  readonly correlationId: string;
  /** The message that caused the entry. */
  readonly causationId: string;
  readonly action: string;
  readonly fromState: string | null;
  readonly toState: string | null;
  readonly detail: Record<string, unknown>;
  readonly at: string;
}

/**
 * A message an endpoint gave up on, kept for an operator. Its id comes from its endpoint and its
 * content (dead-letters.ts), so another message can never take its place.
 */
export interface DeadLetter {
  readonly id: string;
  readonly endpoint: string;
  /**
   * The message as it arrived. One that failed validation may be any JSON value; one the broker
   * dead-lettered whose body is not JSON is `null`, its bytes in `body`. `isMessage`
   * (dead-letters.ts) tells whether it can be sent again.
   */
  readonly envelope: Envelope;
  readonly errorType: string;
  readonly errorMessage: string;
  /** The attempts of its latest failure. */
  readonly attempts: number;
  readonly firstFailedAt: string;
  readonly lastFailedAt: string;
  /** `broker`: found in the endpoint's `<queue>_error`, where the transport put it on its own. */
  readonly source?: 'broker';
  /** A body from the broker that is not JSON, byte for byte, in base64. */
  readonly body?: string;
}

/** A document of a service, scoped to a tenant (`tenant_id` on every row under pooled isolation). */
export interface RecordDoc<Data = Record<string, unknown>> {
  readonly collection: string;
  readonly tenantId: string;
  readonly id: string;
  readonly data: Data;
}

/** The message that caused a delivery, and the types the receiving endpoint takes. */
export interface CauseQuery {
  readonly eventId: string;
  readonly types: readonly string[];
}

/** A delivery's entry in the inbox: a duplicate, new but early (its cause is still to come), new. */
export type Receipt = 'duplicate' | 'awaits-cause' | 'new';

// The roles of a transaction. Each write commits or rolls back with the transaction it was made in.

/** Saga and workflow instances, saved optimistically. */
export interface SagaRepository {
  loadSaga<State>(type: string, id: string): Promise<SagaRecord<State> | undefined>;
  /**
   * Inserts (expectedVersion 0) or updates a saga. A stale version is a `ConcurrencyConflict`,
   * thrown by this call or by a later one of the transaction, at the latest by `transaction`
   * itself: either way the transaction commits nothing.
   */
  saveSaga<State>(
    record: Omit<SagaRecord<State>, 'version' | 'updatedAt'>,
    expectedVersion: number,
  ): Promise<void>;
}

/** Which messages each endpoint has taken: what makes a redelivered message change nothing. */
export interface Inbox {
  /**
   * Takes the delivery of message `eventId` to `endpoint` into the inbox, and tells what it is:
   * - `duplicate`: the endpoint has taken this message before; nothing is written.
   * - `awaits-cause`: new, but early. A broker may deliver a message before the one that caused
   *   it, `cause`, which went out through the outbox as one of `cause.types` (those the endpoint
   *   takes) and which the endpoint has neither taken nor dead-lettered yet. The caller rolls
   *   back and has the message delivered again later.
   * - `new`: taken; the rest of the transaction is its handling.
   */
  receive(endpoint: string, eventId: string, cause?: CauseQuery): Promise<Receipt>;
}

/** Messages queued by a transaction, and the outbox rows they got. */
export interface QueuedMessages {
  /**
   * Their outbox rows (for `OutboxRelay.markDispatched`), in the order they were queued. It
   * settles once the transaction has committed, rejected when it rolled back: await it after
   * `transaction` resolved, never inside the transaction, which would wait for itself.
   */
  readonly committed: Promise<OutboxRecord[]>;
}

/** Messages to publish once the transaction that sends them has committed (`OutboxRelay`). */
export interface Outbox {
  /** Queues messages to publish, in this order; nobody sees them before the commit. */
  publishAfterCommit(envelopes: readonly Envelope[]): QueuedMessages;
}

/** Messages to deliver later: timeouts, retries, replays. */
export interface Schedule {
  /** Schedules a message; a record with the `id` of a pending one replaces it (a reset timeout). */
  schedule(record: Omit<ScheduledRecord, 'id'> & { id?: string }): Promise<void>;
  cancelScheduled(id: string): Promise<void>;
}

/** What happened to each tenant, in the order it happened (`TenantHistory.timeline`). */
export interface AuditLog {
  appendAudit(entry: AuditEntry): Promise<void>;
}

/** Messages endpoints gave up on, kept for an operator (`DeadLetterQueries`). */
export interface DeadLetters {
  /**
   * Keeps a dead letter. A letter with the id of one already kept is a later failure of the same
   * message at the same endpoint: it updates the failure (error, attempts, last failure) and
   * nothing else; the envelope, body and first failure stay as they were first written.
   */
  addDeadLetter(letter: DeadLetter): Promise<void>;
  /** Takes a letter back (to replay it, or because an operator discarded it). */
  removeDeadLetter(id: string): Promise<DeadLetter | undefined>;
}

/** The services' documents, by collection, tenant and id. */
export interface Records {
  getRecord<Data>(
    collection: string,
    tenantId: string,
    id: string,
  ): Promise<RecordDoc<Data> | undefined>;
  /** Inserts the document, or replaces the one with its collection, tenant and id. */
  putRecord<Data>(record: RecordDoc<Data>): Promise<void>;
}

/** Keys that one owner at a time may hold: slugs, idempotency keys. */
export interface UniqueClaims {
  /**
   * Claims `key` in `scope` (a unique slug, an idempotency key) for `owner`. Returns the owner
   * that holds it: `owner` itself when the claim succeeded.
   */
  claimUnique(scope: string, key: string, owner: string): Promise<string>;
  /**
   * Gives up `owner`'s claim of `key` in `scope` (a slug whose tenant never became active, an
   * idempotency key that expired); true when it held one. Another owner's claim stays.
   */
  releaseUnique(scope: string, key: string, owner: string): Promise<boolean>;
}

/** Per-tenant counters with a cap: the usage that plan limits allow. */
export interface Counters {
  /**
   * Adds `amount` to a counter unless the result would exceed `max` (`null`: no cap), atomically.
   * Returns the new value, or `undefined` when refused.
   */
  addToCounter(
    tenantId: string,
    name: string,
    amount: number,
    max: number | null,
  ): Promise<number | undefined>;
}

/** The hits of a key in its current window (`Throttles.countHit`). */
export interface WindowCount {
  /** This hit included. */
  readonly hits: number;
  /** When the window closes; the first hit after that opens the next. */
  readonly resetAt: Date;
}

/**
 * Hits counted per key in windows of time, in the store so that every process on it counts
 * together: the public routes' rate limits, the e-mails to one address.
 */
export interface Throttles {
  /**
   * Counts one hit of `key`, at the store's clock. A key's window opens at its first hit and lasts
   * `windowMs`; the first hit after it closed opens the next. Concurrent hits are all counted.
   */
  countHit(key: string, windowMs: number): Promise<WindowCount>;
}

/** The place each tenant's records live in, under an isolation mode that gives each one. */
export interface TenantSpaces {
  /**
   * Makes the place the tenant's records live in, when the isolation mode gives each tenant one
   * (PostgreSQL under `schema`: the schema and its tables). Returns its name when there is one,
   * `undefined` when the tenant's records share the store's tables. Idempotent.
   */
  provisionTenantSpace(tenantId: string): Promise<string | undefined>;
}

/** One transaction: every role whose writes commit together. */
export interface Tx
  extends
    SagaRepository,
    Inbox,
    Outbox,
    Schedule,
    AuditLog,
    DeadLetters,
    Records,
    UniqueClaims,
    Counters,
    Throttles,
    TenantSpaces {}

export interface SagaQuery {
  readonly type: string;
  /** Only sagas whose JSON state has this `state` field value. */
  readonly state?: string;
  readonly tenantId?: string;
  /** Only sagas whose JSON state's `slug` or `name` contains this text, in any case. */
  readonly search?: string;
  readonly limit: number;
  /** Opaque: the `nextCursor` of the previous page. */
  readonly cursor?: string;
}

export interface OutboxBacklog {
  readonly pending: number;
  /** When the oldest of them was committed; none when nothing is pending. */
  readonly oldestAt: Date | undefined;
}

// The roles of the store outside a transaction. Each call is on its own, and sees only what
// committed transactions wrote.

/** Hands the outbox's committed messages to the transport. */
export interface OutboxRelay {
  /** Outbox messages not yet confirmed by the transport, oldest first. */
  pendingOutbox(limit: number): Promise<OutboxRecord[]>;
  markDispatched(ids: readonly number[]): Promise<void>;
  /** The messages committed and not yet handed to the bus (for metrics): how many, and since when. */
  outboxBacklog(): Promise<OutboxBacklog>;
}

/** The scheduler's side of the schedule: what is due, and when next. */
export interface DueMessages {
  /**
   * Leases scheduled messages due at `now`, oldest first: each is claimed by one caller only, and
   * is hidden from other claimers until `now + leaseMs` (default 60 s). The claimer removes it
   * with `completeScheduled` once delivered; if it crashes first, the lease runs out and the
   * message is claimed again, so a claim never loses a message.
   */
  claimDue(now: Date, limit: number, leaseMs?: number): Promise<ScheduledRecord[]>;
  /** Removes delivered scheduled messages (unless rescheduled since they were claimed). */
  completeScheduled(ids: readonly string[]): Promise<void>;
  /** When the next scheduled message is due (or its lease runs out), if any. */
  nextDue(): Promise<Date | undefined>;
}

/** Sagas for the API and for metrics. */
export interface SagaQueries {
  getSaga<State>(type: string, id: string): Promise<SagaRecord<State> | undefined>;
  listSagas<State>(query: SagaQuery): Promise<{ items: SagaRecord<State>[]; nextCursor?: string }>;
  /** Counts sagas of `type` per `state` field value (for metrics). */
  countSagas(type: string): Promise<Record<string, number>>;
}

/** What happened to a tenant: its audit trail and its messages. */
export interface TenantHistory {
  timeline(tenantId: string): Promise<AuditEntry[]>;
  /**
   * The messages of one tenant that the outbox still holds (pending, or dispatched within the
   * retention `prune` keeps): the newest `limit` of them, in the order they were committed.
   */
  tenantMessages(tenantId: string, limit: number): Promise<Envelope[]>;
}

/** Dead letters for an operator and for metrics. */
export interface DeadLetterQueries {
  listDeadLetters(filter?: { tenantId?: string; type?: string }): Promise<DeadLetter[]>;
  getDeadLetter(id: string): Promise<DeadLetter | undefined>;
  /** How many dead letters each endpoint has (for metrics): one row per endpoint, not per letter. */
  countDeadLetters(): Promise<Record<string, number>>;
}

/** Claims outside a transaction, for metrics. */
export interface ClaimQueries {
  /** How many keys are claimed in `scope` (the tenants awaiting payment, say): one query. */
  countClaims(scope: string): Promise<number>;
}

/** Records and counters for the API. */
export interface RecordQueries {
  getRecord<Data>(
    collection: string,
    tenantId: string,
    id: string,
  ): Promise<RecordDoc<Data> | undefined>;
  listRecords<Data>(collection: string, tenantId: string): Promise<RecordDoc<Data>[]>;
  counters(tenantId: string): Promise<Record<string, number>>;
}

/** Housekeeping. */
export interface Maintenance {
  /**
   * Deletes inbox and dispatched outbox rows older than `olderThan`. Those rows are stamped with
   * the store's clock, so pass a time from the same clock.
   */
  prune(olderThan: Date): Promise<{ inbox: number; outbox: number }>;
  /**
   * Deletes the throttles' windows that closed at or before `now` (a time of the store's clock):
   * a key hit once is not kept for ever. Returns how many.
   */
  pruneWindows(now: Date): Promise<number>;
}

/** The store: its transactions, and the roles outside them. */
export interface Store
  extends
    OutboxRelay,
    DueMessages,
    SagaQueries,
    TenantHistory,
    DeadLetterQueries,
    ClaimQueries,
    RecordQueries,
    Maintenance {
  /** Which adapter this is, for reports. */
  readonly kind: 'sqlite' | 'postgres';
  /** Creates or upgrades the schema; safe to run concurrently from several processes. */
  migrate(): Promise<void>;
  transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
