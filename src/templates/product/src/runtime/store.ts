/**
 * The store port: everything the product keeps. Every adapter (sqlite, postgres) passes the same
 * contract suite in test/runtime/store.contract.ts.
 *
 * State changes happen in a `transaction`: the saga's new state, the inbox entry of the message
 * that caused it, the outbox messages it sends, scheduled messages and audit entries commit
 * together or not at all.
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

export interface Tx {
  /** Records that `endpoint` processed `eventId`; false when it already had (a duplicate). */
  markProcessed(endpoint: string, eventId: string): Promise<boolean>;
  /**
   * Whether `endpoint` has yet to process the message `eventId`, which went out through the
   * outbox as one of `types` (those the endpoint receives), and neither processed nor
   * dead-lettered it. A broker may deliver a message before the one that caused it.
   */
  awaitsCause(endpoint: string, eventId: string, types: readonly string[]): Promise<boolean>;
  /**
   * `markProcessed`, then, if the message was new and `cause` is given, `awaitsCause` for it:
   * what the pipeline asks of every delivery, in one round trip where the store can.
   */
  receive(endpoint: string, eventId: string, cause?: CauseQuery): Promise<Receipt>;
  loadSaga<State>(type: string, id: string): Promise<SagaRecord<State> | undefined>;
  /**
   * Inserts (expectedVersion 0) or updates a saga. A stale version is a `ConcurrencyConflict`,
   * thrown here or, where the store sends the save with a later statement (PostgreSQL), there or
   * by the commit: either way the transaction commits nothing.
   */
  saveSaga<State>(
    record: Omit<SagaRecord<State>, 'version' | 'updatedAt'>,
    expectedVersion: number,
  ): Promise<void>;
  /** Queues a message to publish after commit; returns its outbox id (for `markDispatched`). */
  enqueue(envelope: Envelope): Promise<number>;
  /**
   * Queues messages like `enqueue`, but lets the store write them with its COMMIT, one round
   * trip fewer: their outbox ids (in order) are known only once the transaction has committed,
   * so `ids` must not be awaited inside it. The runtime's outbox writer uses this.
   */
  enqueueWithCommit(envelopes: readonly Envelope[]): { readonly ids: Promise<number[]> };
  /** Schedules a message; a record with the `id` of a pending one replaces it (a reset timeout). */
  schedule(record: Omit<ScheduledRecord, 'id'> & { id?: string }): Promise<void>;
  cancelScheduled(id: string): Promise<void>;
  appendAudit(entry: AuditEntry): Promise<void>;
  /**
   * Keeps a dead letter. A letter with the id of one already kept is a later failure of the same
   * message at the same endpoint: it updates the failure (error, attempts, last failure) and
   * nothing else; the envelope, body and first failure stay as they were first written.
   */
  addDeadLetter(letter: DeadLetter): Promise<void>;
  removeDeadLetter(id: string): Promise<DeadLetter | undefined>;
  getRecord<Data>(
    collection: string,
    tenantId: string,
    id: string,
  ): Promise<RecordDoc<Data> | undefined>;
  putRecord<Data>(record: RecordDoc<Data>): Promise<void>;
  /**
   * Makes the place the tenant's records live in, when the isolation mode gives each tenant one
   * (PostgreSQL under `schema`: the schema and its tables). Returns its name when there is one,
   * `undefined` when the tenant's records share the store's tables. Idempotent.
   */
  provisionTenantSpace(tenantId: string): Promise<string | undefined>;
  listRecords<Data>(collection: string, tenantId: string): Promise<RecordDoc<Data>[]>;
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

export interface Store {
  readonly kind: 'sqlite' | 'postgres';
  /** Creates or upgrades the schema; safe to run concurrently from several processes. */
  migrate(): Promise<void>;
  transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T>;

  /** Outbox messages not yet confirmed by the transport, oldest first. */
  pendingOutbox(limit: number): Promise<OutboxRecord[]>;
  markDispatched(ids: readonly number[]): Promise<void>;
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

  getSaga<State>(type: string, id: string): Promise<SagaRecord<State> | undefined>;
  listSagas<State>(query: SagaQuery): Promise<{ items: SagaRecord<State>[]; nextCursor?: string }>;
  /** Counts sagas of `type` per `state` field value (for metrics). */
  countSagas(type: string): Promise<Record<string, number>>;
  timeline(tenantId: string): Promise<AuditEntry[]>;
  /**
   * The messages of one tenant that the outbox still holds (pending, or dispatched within the
   * retention `prune` keeps): the newest `limit` of them, in the order they were committed.
   */
  tenantMessages(tenantId: string, limit: number): Promise<Envelope[]>;
  listDeadLetters(filter?: { tenantId?: string; type?: string }): Promise<DeadLetter[]>;
  getDeadLetter(id: string): Promise<DeadLetter | undefined>;
  /** How many dead letters each endpoint has (for metrics): one row per endpoint, not per letter. */
  countDeadLetters(): Promise<Record<string, number>>;
  /** The messages committed and not yet handed to the bus (for metrics): how many, and since when. */
  outboxBacklog(): Promise<OutboxBacklog>;
  getRecord<Data>(
    collection: string,
    tenantId: string,
    id: string,
  ): Promise<RecordDoc<Data> | undefined>;
  listRecords<Data>(collection: string, tenantId: string): Promise<RecordDoc<Data>[]>;
  counters(tenantId: string): Promise<Record<string, number>>;

  /**
   * Deletes inbox and dispatched outbox rows older than `olderThan`. Those rows are stamped with
   * the store's clock, so pass a time from the same clock.
   */
  prune(olderThan: Date): Promise<{ inbox: number; outbox: number }>;
  close(): Promise<void>;
}
