/**
 * One SQLite transaction, as the `Tx` port. The store opened it (`BEGIN IMMEDIATE`) and holds its
 * lock; the methods are async only because the port is, and each refuses to run once the
 * transaction has ended, so a handler's stray promise cannot write outside it.
 */
import type { Envelope } from '../contracts/envelope.js';
import { newId } from '../contracts/envelope.js';
import type { Clock } from './clock.js';
import type { SagaRow, Statements } from './sqlite-statements.js';
import { toDeadLetter, toSaga } from './sqlite-statements.js';
import type { DeadLetterRow } from './sqlite-statements.js';
import type { TransactionEnd } from './store-commit.js';
import type {
  AuditEntry,
  CauseQuery,
  Receipt,
  DeadLetter,
  QueuedMessages,
  RecordDoc,
  SagaRecord,
  ScheduledRecord,
  Tx,
  WindowCount,
} from './store.js';
import { ConcurrencyConflict } from './store.js';

interface RecordRow {
  collection: string;
  tenant_id: string;
  id: string;
  data: string;
}

const toRecord = <Data>(row: RecordRow): RecordDoc<Data> => ({
  collection: row.collection,
  tenantId: row.tenant_id,
  id: row.id,
  data: JSON.parse(row.data) as Data,
});

export function readRecord<Data>(
  sql: Statements,
  collection: string,
  tenantId: string,
  id: string,
): RecordDoc<Data> | undefined {
  const row = sql.getRecord.get(collection, tenantId, id) as RecordRow | undefined;
  return row && toRecord<Data>(row);
}

export function readRecords<Data>(
  sql: Statements,
  collection: string,
  tenantId: string,
): RecordDoc<Data>[] {
  return (sql.listRecords.all(collection, tenantId) as RecordRow[]).map((row) =>
    toRecord<Data>(row),
  );
}

const isPrimaryKeyClash = (error: unknown): boolean =>
  (error as { code?: unknown }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY';

const inboxKey = (endpoint: string, eventId: string) => `${endpoint}\n${eventId}`;

/** What one unit of work wrote that `RecentlyCommitted` keeps once it is committed. */
export interface Written {
  /** Its inbox entries. */
  readonly received: [endpoint: string, eventId: string][];
  /** The id and type of each message it put in the outbox. */
  readonly published: [eventId: string, type: string][];
}

export const nothingWritten = (): Written => ({ received: [], published: [] });

/**
 * The newest inbox entries and outbox messages this process committed, `capacity` of each, so
 * that most cause checks need no query. A check asks whether the outbox holds the cause with one
 * of the endpoint's types while the endpoint's inbox lacks it. With the in-process bus the cause
 * was nearly always written here moments ago: its type is known (event ids are unique), and so is
 * whether this endpoint has processed it. Only committed writes are kept, and inbox entries stay
 * for days, so an answer from here is the query's; anything not here is asked of the database.
 */
export class RecentlyCommitted {
  readonly #received = new Set<string>();
  readonly #published = new Map<string, string>();
  readonly #capacity: number;

  constructor(capacity = 20_000) {
    this.#capacity = capacity;
  }

  /** Whether the cause cannot be awaited: `endpoint` processed it, or it is of none of `types`. */
  rulesOut(endpoint: string, cause: CauseQuery): boolean {
    if (this.#received.has(inboxKey(endpoint, cause.eventId))) return true;
    const type = this.#published.get(cause.eventId);
    return type !== undefined && !cause.types.includes(type);
  }

  add(written: Written): void {
    for (const [endpoint, eventId] of written.received)
      this.#received.add(inboxKey(endpoint, eventId));
    for (const [eventId, type] of written.published) this.#published.set(eventId, type);
    // Sets and maps iterate in insertion order: the first entries are the oldest.
    for (const key of this.#received) {
      if (this.#received.size <= this.#capacity) break;
      this.#received.delete(key);
    }
    for (const key of this.#published.keys()) {
      if (this.#published.size <= this.#capacity) break;
      this.#published.delete(key);
    }
  }
}

export class SqliteTx implements Tx {
  readonly #sql: Statements;
  readonly #clock: Clock;
  readonly #recent: RecentlyCommitted;
  /** What this transaction wrote, for `recent` once the store has committed it. */
  readonly #written: Written;
  readonly #end: TransactionEnd;
  #open = true;

  constructor(
    sql: Statements,
    clock: Clock,
    recent: RecentlyCommitted,
    written: Written,
    end: TransactionEnd,
  ) {
    this.#sql = sql;
    this.#clock = clock;
    this.#recent = recent;
    this.#written = written;
    this.#end = end;
  }

  close(): void {
    this.#open = false;
  }

  /** The inbox entry first; the cause is looked for only when the delivery is new. */
  async receive(endpoint: string, eventId: string, cause?: CauseQuery): Promise<Receipt> {
    const sql = this.#use();
    const now = this.#clock.now().getTime();
    if (sql.insertInbox.run(endpoint, eventId, now).changes === 0) return 'duplicate';
    this.#written.received.push([endpoint, eventId]);
    if (!cause || this.#recent.rulesOut(endpoint, cause)) return 'new';
    const { awaits } = sql.causeAwaited.get({
      endpoint,
      eventId: cause.eventId,
      types: JSON.stringify(cause.types),
    }) as { awaits: number };
    return awaits === 1 ? 'awaits-cause' : 'new';
  }

  async loadSaga<State>(type: string, id: string): Promise<SagaRecord<State> | undefined> {
    const row = this.#use().loadSaga.get(type, id) as SagaRow | undefined;
    return row && toSaga<State>(row);
  }

  async saveSaga<State>(
    record: Omit<SagaRecord<State>, 'version' | 'updatedAt'>,
    expectedVersion: number,
  ): Promise<void> {
    const sql = this.#use();
    const row = {
      type: record.type,
      id: record.id,
      tenantId: record.tenantId,
      state: JSON.stringify(record.state),
      updatedAt: this.#clock.now().toISOString(),
    };
    if (expectedVersion === 0) {
      try {
        sql.insertSaga.run(row);
      } catch (error) {
        if (isPrimaryKeyClash(error)) throw new ConcurrencyConflict(record.type, record.id);
        throw error;
      }
    } else if (sql.updateSaga.run({ ...row, expectedVersion }).changes === 0) {
      throw new ConcurrencyConflict(record.type, record.id);
    }
  }

  /**
   * SQLite writes the rows at once, and knows their ids before the commit; they are told only
   * after it, as the port promises, so that no caller comes to rely on knowing them sooner.
   */
  publishAfterCommit(envelopes: readonly Envelope[]): QueuedMessages {
    const now = this.#clock.now().getTime();
    const sql = this.#use();
    const records = envelopes.map((envelope) => {
      const { eventId, type, tenantId } = envelope;
      const row = sql.enqueue.run(JSON.stringify(envelope), eventId, type, tenantId, now);
      this.#written.published.push([eventId, type]);
      return { id: Number(row.lastInsertRowid), envelope };
    });
    return { committed: this.#end.after(Promise.resolve(records)) };
  }

  async schedule(record: Omit<ScheduledRecord, 'id'> & { id?: string }): Promise<void> {
    this.#use().schedule.run({
      id: record.id ?? newId(),
      dueAt: new Date(record.dueAt).getTime(),
      endpoint: record.endpoint,
      envelope: JSON.stringify(record.envelope),
      attempt: record.attempt,
      firstFailedAt: record.firstFailedAt ?? null,
    });
  }

  async cancelScheduled(id: string): Promise<void> {
    this.#use().cancelScheduled.run(id);
  }

  async appendAudit(entry: AuditEntry): Promise<void> {
    this.#use().appendAudit.run({ ...entry, detail: JSON.stringify(entry.detail) });
  }

  async addDeadLetter(letter: DeadLetter): Promise<void> {
    // An invalid message may lack any field, so tenant and type are read defensively.
    const { tenantId, type } = (letter.envelope as Partial<Envelope> | null) ?? {};
    this.#use().addDeadLetter.run({
      id: letter.id,
      endpoint: letter.endpoint,
      tenantId: typeof tenantId === 'string' ? tenantId : null,
      type: typeof type === 'string' ? type : null,
      envelope: JSON.stringify(letter.envelope) ?? 'null',
      source: letter.source ?? null,
      body: letter.body ?? null,
      errorType: letter.errorType,
      errorMessage: letter.errorMessage,
      attempts: letter.attempts,
      firstFailedAt: letter.firstFailedAt,
      lastFailedAt: letter.lastFailedAt,
    });
  }

  async removeDeadLetter(id: string): Promise<DeadLetter | undefined> {
    const sql = this.#use();
    const row = sql.getDeadLetter.get(id) as DeadLetterRow | undefined;
    if (!row) return undefined;
    sql.removeDeadLetter.run(id);
    return toDeadLetter(row);
  }

  async getRecord<Data>(
    collection: string,
    tenantId: string,
    id: string,
  ): Promise<RecordDoc<Data> | undefined> {
    return readRecord<Data>(this.#use(), collection, tenantId, id);
  }

  /** SQLite keeps every tenant's records in one table (`tenant_id` on each row). */
  async provisionTenantSpace(): Promise<string | undefined> {
    return undefined;
  }

  async putRecord<Data>(record: RecordDoc<Data>): Promise<void> {
    const { collection, tenantId, id, data } = record;
    this.#use().putRecord.run(collection, tenantId, id, JSON.stringify(data));
  }

  async claimUnique(scope: string, key: string, owner: string): Promise<string> {
    const sql = this.#use();
    sql.claimUnique.run(scope, key, owner);
    return (sql.uniqueOwner.get(scope, key) as { owner: string }).owner;
  }

  async releaseUnique(scope: string, key: string, owner: string): Promise<boolean> {
    return this.#use().releaseUnique.run(scope, key, owner).changes === 1;
  }

  async addToCounter(
    tenantId: string,
    name: string,
    amount: number,
    max: number | null,
  ): Promise<number | undefined> {
    const row = this.#use().addToCounter.get({ tenantId, name, amount, max }) as
      { value: number } | undefined;
    return row?.value;
  }

  async countHit(key: string, windowMs: number): Promise<WindowCount> {
    const now = this.#clock.now().getTime();
    const row = this.#use().countHit.get({ key, now, resetAt: now + windowMs }) as {
      hits: number;
      reset_at: number;
    };
    return { hits: row.hits, resetAt: new Date(row.reset_at) };
  }

  #use(): Statements {
    if (!this.#open) throw new Error('this transaction has ended');
    return this.#sql;
  }
}
