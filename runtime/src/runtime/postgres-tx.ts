/**
 * One PostgreSQL transaction, as the `Tx` port, on one pooled connection that the store opened
 * (READ COMMITTED) and will commit or roll back. Its statements go through a `Batch`: writes whose
 * result nobody awaits (audit entries, schedules, records, saga saves) travel with the next
 * statement or with COMMIT, and so does the one statement that inserts a unit's outgoing messages. The driver
 * runs a connection's queries in the order they were issued, so calls a handler makes
 * concurrently are safe; each method refuses to run once the transaction has ended, so a stray
 * promise cannot write outside it.
 */
import type { Envelope } from '../contracts/envelope.js';
import { newId } from '../contracts/envelope.js';
import type { Batch, Value } from './postgres-batch.js';
import type { Clock } from './clock.js';
import type { DeadLetterRow, SagaRow } from './postgres-statements.js';
import { sql, toDeadLetter, toSaga } from './postgres-statements.js';
import type { TenantRecords } from './postgres-tenancy.js';
import type { TransactionEnd } from './store-commit.js';
import type {
  AuditEntry,
  CauseQuery,
  Receipt,
  DeadLetter,
  OutboxRecord,
  QueuedMessages,
  RecordDoc,
  SagaRecord,
  ScheduledRecord,
  Tx,
  WindowCount,
} from './store.js';

export interface PostgresTxOptions {
  readonly clock: Clock;
  readonly records: TenantRecords;
  /** Names this store instance in outbox leases. */
  readonly owner: string;
  readonly outboxLeaseMs: number;
  readonly end: TransactionEnd;
}

const json = (value: unknown): string => JSON.stringify(value) ?? 'null';

export class PostgresTx implements Tx {
  readonly #batch: Batch;
  readonly #options: PostgresTxOptions;
  /** Tenant schemas this transaction created: they exist for others once it commits. */
  readonly createdSchemas = new Set<string>();
  #open = true;

  constructor(batch: Batch, options: PostgresTxOptions) {
    this.#batch = batch;
    this.#options = options;
  }

  close(): void {
    this.#open = false;
  }

  /** The inbox entry and the look for the cause in one statement: one round trip a delivery. */
  async receive(endpoint: string, eventId: string, cause?: CauseQuery): Promise<Receipt> {
    const { rows } = await this.#use().query<{ fresh: boolean; awaits: boolean }>(sql.receive, [
      endpoint,
      eventId,
      this.#now(),
      cause?.eventId ?? null,
      cause?.types ?? [],
    ]);
    const { fresh, awaits } = rows[0]!;
    return !fresh ? 'duplicate' : awaits ? 'awaits-cause' : 'new';
  }

  async loadSaga<State>(type: string, id: string): Promise<SagaRecord<State> | undefined> {
    const { rows } = await this.#use().query<SagaRow>(sql.loadSaga, [type, id]);
    return rows[0] && toSaga<State>(rows[0]);
  }

  async saveSaga<State>(
    record: Omit<SagaRecord<State>, 'version' | 'updatedAt'>,
    expectedVersion: number,
  ): Promise<void> {
    // Sent with the next statement or the commit; a stale version aborts the transaction there
    // (SG409), which the store reports as a ConcurrencyConflict.
    const values = [record.type, record.id, record.tenantId, json(record.state), this.#now()];
    if (expectedVersion === 0) this.#use().hold(sql.insertSaga, values);
    else this.#use().hold(sql.updateSaga, [...values, expectedVersion]);
  }

  /**
   * One statement inserts all the messages, held back to travel with the next statement or with
   * COMMIT: no round trip of its own. Their ids come back with it, told once committed.
   */
  publishAfterCommit(envelopes: readonly Envelope[]): QueuedMessages {
    const batch = this.#use();
    const { end, owner, outboxLeaseMs } = this.#options;
    if (envelopes.length === 0) return { committed: end.after(Promise.resolve([])) };
    const now = this.#now();
    const until = new Date(now.getTime() + outboxLeaseMs);
    const values: Value[] = [envelopes.map((envelope) => json(envelope)), now, owner, until];
    const inserted = batch.holdForResult<{ id: string }>(sql.enqueue, values);
    return { committed: end.after(inserted.then(({ rows }) => outboxRecords(envelopes, rows))) };
  }

  async schedule(record: Omit<ScheduledRecord, 'id'> & { id?: string }): Promise<void> {
    this.#use().hold(sql.schedule, [
      record.id ?? newId(),
      new Date(record.dueAt),
      record.endpoint,
      json(record.envelope),
      record.attempt,
      record.firstFailedAt === undefined ? null : new Date(record.firstFailedAt),
    ]);
  }

  async cancelScheduled(id: string): Promise<void> {
    this.#use().hold(sql.cancelScheduled, [id]);
  }

  async appendAudit(entry: AuditEntry): Promise<void> {
    this.#use().hold(sql.appendAudit, [
      entry.id,
      entry.tenantId,
      entry.correlationId,
      entry.causationId,
      entry.action,
      entry.fromState,
      entry.toState,
      json(entry.detail),
      new Date(entry.at),
    ]);
  }

  async addDeadLetter(letter: DeadLetter): Promise<void> {
    // An invalid message may lack any field, so tenant and type are read defensively.
    const { tenantId, type } = (letter.envelope as Partial<Envelope> | null) ?? {};
    await this.#use().query(sql.addDeadLetter, [
      letter.id,
      letter.endpoint,
      typeof tenantId === 'string' ? tenantId : null,
      typeof type === 'string' ? type : null,
      json(letter.envelope),
      letter.source ?? null,
      letter.body ?? null,
      letter.errorType,
      letter.errorMessage,
      letter.attempts,
      new Date(letter.firstFailedAt),
      new Date(letter.lastFailedAt),
    ]);
  }

  async removeDeadLetter(id: string): Promise<DeadLetter | undefined> {
    const { rows } = await this.#use().query<DeadLetterRow>(sql.removeDeadLetter, [id]);
    return rows[0] && toDeadLetter(rows[0]);
  }

  async getRecord<Data>(
    collection: string,
    tenantId: string,
    id: string,
  ): Promise<RecordDoc<Data> | undefined> {
    return this.#options.records.get<Data>(this.#use(), collection, tenantId, id);
  }

  async putRecord<Data>(record: RecordDoc<Data>): Promise<void> {
    const created = await this.#options.records.put(this.#use(), record);
    if (created) this.createdSchemas.add(created);
  }

  async provisionTenantSpace(tenantId: string): Promise<string | undefined> {
    const created = await this.#options.records.provision(this.#use(), tenantId);
    if (created) this.createdSchemas.add(created);
    return created;
  }

  async claimUnique(scope: string, key: string, owner: string): Promise<string> {
    const client = this.#use();
    const inserted = await client.query(sql.claimUnique, [scope, key, owner]);
    if (inserted.rowCount === 1) return owner;
    // READ COMMITTED: this statement sees the row whose insert made ours do nothing.
    const { rows } = await client.query<{ owner: string }>(sql.uniqueOwner, [scope, key]);
    return rows[0]!.owner;
  }

  async releaseUnique(scope: string, key: string, owner: string): Promise<boolean> {
    const released = await this.#use().query(sql.releaseUnique, [scope, key, owner]);
    return released.rowCount === 1;
  }

  async addToCounter(
    tenantId: string,
    name: string,
    amount: number,
    max: number | null,
  ): Promise<number | undefined> {
    const { rows } = await this.#use().query<{ value: string }>(sql.addToCounter, [
      tenantId,
      name,
      amount,
      max,
    ]);
    return rows[0] && Number(rows[0].value);
  }

  async countHit(key: string, windowMs: number): Promise<WindowCount> {
    const now = this.#now();
    const { rows } = await this.#use().query<{ hits: number; reset_at: Date }>(sql.countHit, [
      key,
      now,
      new Date(now.getTime() + windowMs),
    ]);
    return { hits: rows[0]!.hits, resetAt: rows[0]!.reset_at };
  }

  #now(): Date {
    return this.#options.clock.now();
  }

  #use(): Batch {
    if (!this.#open) throw new Error('this transaction has ended');
    return this.#batch;
  }
}

/** The statement inserts the messages in array order, so ascending ids follow that order. */
function outboxRecords(
  envelopes: readonly Envelope[],
  rows: readonly { id: string }[],
): OutboxRecord[] {
  const ids = rows.map((row) => Number(row.id)).sort((a, b) => a - b);
  return envelopes.map((envelope, index) => ({ id: ids[index]!, envelope }));
}
