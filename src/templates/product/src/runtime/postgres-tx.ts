/**
 * One PostgreSQL transaction, as the `Tx` port, on one pooled connection that the store opened
 * (`BEGIN`, READ COMMITTED) and will commit or roll back. The driver runs a connection's queries
 * in the order they were issued, so calls a handler makes concurrently are safe; each method
 * refuses to run once the transaction has ended, so a stray promise cannot write outside it.
 */
import type { PoolClient } from 'pg';
import type { Envelope } from '../contracts/envelope.js';
import { newId } from '../contracts/envelope.js';
import type { Clock } from './clock.js';
import type { DeadLetterRow, SagaRow } from './postgres-statements.js';
import { sql, toDeadLetter, toSaga } from './postgres-statements.js';
import type { TenantRecords } from './postgres-tenancy.js';
import type {
  AuditEntry,
  DeadLetter,
  RecordDoc,
  SagaRecord,
  ScheduledRecord,
  Tx,
} from './store.js';
import { ConcurrencyConflict } from './store.js';

export interface PostgresTxOptions {
  readonly clock: Clock;
  readonly records: TenantRecords;
  /** Names this store instance in outbox leases. */
  readonly owner: string;
  readonly outboxLeaseMs: number;
}

const json = (value: unknown): string => JSON.stringify(value) ?? 'null';

export class PostgresTx implements Tx {
  readonly #client: PoolClient;
  readonly #options: PostgresTxOptions;
  /** Tenant schemas this transaction created: they exist for others once it commits. */
  readonly createdSchemas = new Set<string>();
  #open = true;

  constructor(client: PoolClient, options: PostgresTxOptions) {
    this.#client = client;
    this.#options = options;
  }

  close(): void {
    this.#open = false;
  }

  async markProcessed(endpoint: string, eventId: string): Promise<boolean> {
    const result = await this.#use().query(sql.markProcessed, [endpoint, eventId, this.#now()]);
    return result.rowCount === 1;
  }

  async awaitsCause(endpoint: string, eventId: string, types: readonly string[]): Promise<boolean> {
    const { rows } = await this.#use().query<{ awaits: boolean }>(sql.awaitsCause, [
      endpoint,
      eventId,
      types,
    ]);
    return rows[0]!.awaits;
  }

  async loadSaga<State>(type: string, id: string): Promise<SagaRecord<State> | undefined> {
    const { rows } = await this.#use().query<SagaRow>(sql.loadSaga, [type, id]);
    return rows[0] && toSaga<State>(rows[0]);
  }

  async saveSaga<State>(
    record: Omit<SagaRecord<State>, 'version' | 'updatedAt'>,
    expectedVersion: number,
  ): Promise<void> {
    const values = [record.type, record.id, record.tenantId, json(record.state), this.#now()];
    const result =
      expectedVersion === 0
        ? await this.#use().query(sql.insertSaga, values)
        : await this.#use().query(sql.updateSaga, [...values, expectedVersion]);
    if (result.rowCount !== 1) throw new ConcurrencyConflict(record.type, record.id);
  }

  async enqueue(envelope: Envelope): Promise<number> {
    const { owner, outboxLeaseMs } = this.#options;
    const now = this.#now();
    const { rows } = await this.#use().query<{ id: string }>(sql.enqueue, [
      json(envelope),
      now,
      owner,
      new Date(now.getTime() + outboxLeaseMs),
    ]);
    return Number(rows[0]!.id);
  }

  async schedule(record: Omit<ScheduledRecord, 'id'> & { id?: string }): Promise<void> {
    await this.#use().query(sql.schedule, [
      record.id ?? newId(),
      new Date(record.dueAt),
      record.endpoint,
      json(record.envelope),
      record.attempt,
      record.firstFailedAt === undefined ? null : new Date(record.firstFailedAt),
    ]);
  }

  async cancelScheduled(id: string): Promise<void> {
    await this.#use().query(sql.cancelScheduled, [id]);
  }

  async appendAudit(entry: AuditEntry): Promise<void> {
    await this.#use().query(sql.appendAudit, [
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

  async listRecords<Data>(collection: string, tenantId: string): Promise<RecordDoc<Data>[]> {
    return this.#options.records.list<Data>(this.#use(), collection, tenantId);
  }

  async claimUnique(scope: string, key: string, owner: string): Promise<string> {
    const client = this.#use();
    const inserted = await client.query(sql.claimUnique, [scope, key, owner]);
    if (inserted.rowCount === 1) return owner;
    // READ COMMITTED: this statement sees the row whose insert made ours do nothing.
    const { rows } = await client.query<{ owner: string }>(sql.uniqueOwner, [scope, key]);
    return rows[0]!.owner;
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

  #now(): Date {
    return this.#options.clock.now();
  }

  #use(): PoolClient {
    if (!this.#open) throw new Error('this transaction has ended');
    return this.#client;
  }
}
