/**
 * The production store (`DATABASE_URL=postgres://…`), on a `pg` connection pool. Any number of
 * processes share one database: saga saves are optimistic (`… WHERE version = $n`), inbox entries
 * and claims are `ON CONFLICT DO NOTHING`, and outbox rows and scheduled messages are claimed with
 * `FOR UPDATE SKIP LOCKED` under a lease, so two processes never publish one row at once and a
 * crashed one's rows are taken over when its lease runs out.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { Envelope } from '../contracts/envelope.js';
import type { Clock } from './clock.js';
import { systemClock } from './clock.js';
import type { Logger } from './logger.js';
import { consoleLogger } from './logger.js';
import { checkSchemaName, migratePostgres } from './postgres-schema.js';
import type { AuditRow, DeadLetterRow, SagaRow, ScheduledRow } from './postgres-statements.js';
import { sql, toAudit, toDeadLetter, toSaga, toScheduled } from './postgres-statements.js';
import type { Isolation } from './postgres-tenancy.js';
import { TenantRecords } from './postgres-tenancy.js';
import { PostgresTx } from './postgres-tx.js';
import { Batch } from './postgres-batch.js';
import { TransactionEnd } from './store-commit.js';
import type { Queryable } from './postgres-tenancy.js';
import type {
  AuditEntry,
  DeadLetter,
  OutboxBacklog,
  OutboxRecord,
  RecordDoc,
  SagaQuery,
  SagaRecord,
  ScheduledRecord,
  Store,
  Tx,
} from './store.js';
import { ConcurrencyConflict, decodeCursor, encodeCursor } from './store.js';

export interface PostgresStoreOptions {
  readonly url: string;
  /** Stamps rows and leases; `prune` and `claimDue` compare with times from the same clock. */
  readonly clock?: Clock;
  /** The schema holding the store's tables, created by `migrate` (default: the search_path's). */
  readonly schema?: string;
  /** `schema`: each tenant's records in a schema of its own (the blueprint's `tenancy.isolation`). */
  readonly isolation?: Isolation;
  readonly poolSize?: number;
  /** How long a process that wrote an outbox row has to publish it before others may. */
  readonly outboxLeaseMs?: number;
  /**
   * Names this process in outbox leases (default: random per start). A process restarted under
   * the name of one that died takes its rows back at once instead of after their lease.
   */
  readonly owner?: string;
  readonly logger?: Logger;
}

/**
 * PostgreSQL aborted a transaction that collided with another (a deadlock, a serialization
 * failure). Running it again is the cure, as for a stale saga version, so the runtime's conflict
 * retry handles it.
 */
export class TransactionCollision extends ConcurrencyConflict {
  constructor(code: string, options: ErrorOptions) {
    super('transaction', code);
    this.name = 'TransactionCollision';
    this.message = `the transaction collided with another (SQLSTATE ${code}); run it again`;
    this.cause = options.cause;
  }
}

const collisionCodes = new Set(['40001', '40P01']);

/** What saas_expect_saved raises for a stale saga version. */
const staleSagaCode = 'SG409';

function translate(error: unknown): unknown {
  const { code, detail } = (error as { code?: unknown; detail?: unknown } | null) ?? {};
  if (code === staleSagaCode && typeof detail === 'string') {
    const saga = JSON.parse(detail) as { type: string; id: string };
    return new ConcurrencyConflict(saga.type, saga.id);
  }
  return typeof code === 'string' && collisionCodes.has(code)
    ? new TransactionCollision(code, { cause: error })
    : error;
}

/**
 * Why pg would refuse `url`, in words that do not repeat it (it may hold a password); undefined
 * when pg takes it. A pg client parses its connection string, and reads the certificate files it
 * names, as it is made, and connects only when asked: making one asks pg without connecting.
 */
export function postgresUrlProblem(url: string): string | undefined {
  try {
    void new pg.Client({ connectionString: url });
    return undefined;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR')
      return 'names a certificate or key file (sslcert, sslkey or sslrootcert) that cannot be read';
    return 'is refused by the PostgreSQL client (pg): check its form, postgres://user:password@host:port/database, and its query string';
  }
}

export class PostgresStore implements Store {
  readonly kind = 'postgres' as const;
  readonly #pool: pg.Pool;
  readonly #schema: string | undefined;
  readonly #clock: Clock;
  readonly #records: TenantRecords;
  /** Names this instance in outbox leases: its own leased rows stay visible to it. */
  readonly #owner: string;
  readonly #outboxLeaseMs: number;
  #closed = false;
  /** Reads outside any transaction, one pooled connection each. */
  readonly #reader: Queryable = {
    query: (text, values) => this.#pool.query(text, values as unknown[]),
  };

  constructor(options: PostgresStoreOptions) {
    this.#schema = options.schema === undefined ? undefined : checkSchemaName(options.schema);
    this.#pool = new pg.Pool({
      connectionString: options.url,
      max: options.poolSize ?? 20,
      ...(this.#schema ? { options: `-c search_path=${this.#schema}` } : {}),
    });
    const logger = options.logger ?? consoleLogger;
    // An idle connection that the server closed (a restart) must not crash the process; the pool
    // replaces it on the next checkout.
    this.#pool.on('error', (error) =>
      logger.warn({ err: error }, 'idle PostgreSQL connection lost'),
    );
    this.#clock = options.clock ?? systemClock;
    this.#records = new TenantRecords(options.isolation ?? 'pooled');
    this.#outboxLeaseMs = options.outboxLeaseMs ?? 10_000;
    this.#owner = options.owner ?? randomUUID();
  }

  migrate(): Promise<void> {
    return migratePostgres(this.#pool, this.#schema);
  }

  async transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    const client = await this.#pool.connect();
    const batch = new Batch(client);
    const end = new TransactionEnd();
    const tx = new PostgresTx(batch, {
      clock: this.#clock,
      records: this.#records,
      owner: this.#owner,
      outboxLeaseMs: this.#outboxLeaseMs,
      end,
    });
    // A connection whose rollback failed is in an unknown state: destroy it, never reuse it.
    let broken: Error | undefined;
    try {
      batch.begin();
      const result = await work(tx);
      await batch.commit();
      this.#records.created(tx.createdSchemas);
      end.committed();
      return result;
    } catch (error) {
      await batch.rollback().catch((rollbackError: Error) => (broken = rollbackError));
      const failure = translate(error);
      end.rolledBack(failure);
      throw failure;
    } finally {
      tx.close();
      client.release(broken);
    }
  }

  async pendingOutbox(limit: number): Promise<OutboxRecord[]> {
    const now = this.#clock.now();
    const until = new Date(now.getTime() + this.#outboxLeaseMs);
    const { rows } = await this.#pool.query<{ id: string; envelope: OutboxRecord['envelope'] }>(
      sql.claimOutbox,
      [this.#owner, now, until, limit],
    );
    return rows
      .map((row) => ({ id: Number(row.id), envelope: row.envelope }))
      .sort((a, b) => a.id - b.id);
  }

  async markDispatched(ids: readonly number[]): Promise<void> {
    if (ids.length === 0) return;
    await this.#pool.query(sql.markDispatched, [this.#clock.now(), ids]);
  }

  async claimDue(now: Date, limit: number, leaseMs = 60_000): Promise<ScheduledRecord[]> {
    const until = new Date(now.getTime() + leaseMs);
    const { rows } = await this.#pool.query<ScheduledRow>(sql.claimDue, [now, until, limit]);
    return rows
      .sort((a, b) => a.due_at.getTime() - b.due_at.getTime() || compare(a.id, b.id))
      .map(toScheduled);
  }

  async completeScheduled(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.#pool.query(sql.completeScheduled, [ids]);
  }

  async nextDue(): Promise<Date | undefined> {
    const { rows } = await this.#pool.query<{ at: Date | null }>(sql.nextDue);
    return rows[0]?.at ?? undefined;
  }

  async getSaga<State>(type: string, id: string): Promise<SagaRecord<State> | undefined> {
    const { rows } = await this.#pool.query<SagaRow>(sql.loadSaga, [type, id]);
    return rows[0] && toSaga<State>(rows[0]);
  }

  async listSagas<State>(
    query: SagaQuery,
  ): Promise<{ items: SagaRecord<State>[]; nextCursor?: string }> {
    const after = query.cursor === undefined ? null : decodeCursor(query.cursor);
    const { rows } = await this.#pool.query<SagaRow>(sql.listSagas, [
      query.type,
      query.state ?? null,
      query.tenantId ?? null,
      after,
      query.limit + 1, // one more tells whether there is a next page
      query.search ?? null,
    ]);
    const items = rows.slice(0, query.limit).map((row) => toSaga<State>(row));
    const last = items.at(-1);
    return rows.length > query.limit && last
      ? { items, nextCursor: encodeCursor(last.id) }
      : { items };
  }

  async countSagas(type: string): Promise<Record<string, number>> {
    const { rows } = await this.#pool.query<{ state: unknown; count: number }>(sql.countSagas, [
      type,
    ]);
    return Object.fromEntries(
      rows.filter((row) => typeof row.state === 'string').map((row) => [row.state, row.count]),
    );
  }

  async timeline(tenantId: string): Promise<AuditEntry[]> {
    const { rows } = await this.#pool.query<AuditRow>(sql.timeline, [tenantId]);
    return rows.map(toAudit);
  }

  async tenantMessages(tenantId: string, limit: number): Promise<Envelope[]> {
    const { rows } = await this.#pool.query<{ envelope: Envelope }>(sql.tenantMessages, [
      tenantId,
      limit,
    ]);
    return rows.map((row) => row.envelope);
  }

  async listDeadLetters(filter: { tenantId?: string; type?: string } = {}): Promise<DeadLetter[]> {
    const { rows } = await this.#pool.query<DeadLetterRow>(sql.listDeadLetters, [
      filter.tenantId ?? null,
      filter.type ?? null,
    ]);
    return rows.map(toDeadLetter);
  }

  async getDeadLetter(id: string): Promise<DeadLetter | undefined> {
    const { rows } = await this.#pool.query<DeadLetterRow>(sql.getDeadLetter, [id]);
    return rows[0] && toDeadLetter(rows[0]);
  }

  async countDeadLetters(): Promise<Record<string, number>> {
    const { rows } = await this.#pool.query<{ endpoint: string; count: number }>(
      sql.countDeadLetters,
    );
    return Object.fromEntries(rows.map((row) => [row.endpoint, row.count]));
  }

  async countClaims(scope: string): Promise<number> {
    const { rows } = await this.#pool.query<{ count: number }>(sql.countClaims, [scope]);
    return rows[0]!.count;
  }

  async outboxBacklog(): Promise<OutboxBacklog> {
    const { rows } = await this.#pool.query<{ pending: number; oldest: Date | null }>(
      sql.outboxBacklog,
    );
    const row = rows[0]!;
    return { pending: row.pending, oldestAt: row.oldest ?? undefined };
  }

  getRecord<Data>(
    collection: string,
    tenantId: string,
    id: string,
  ): Promise<RecordDoc<Data> | undefined> {
    return this.#records.get<Data>(this.#reader, collection, tenantId, id);
  }

  listRecords<Data>(collection: string, tenantId: string): Promise<RecordDoc<Data>[]> {
    return this.#records.list<Data>(this.#reader, collection, tenantId);
  }

  async counters(tenantId: string): Promise<Record<string, number>> {
    const { rows } = await this.#pool.query<{ name: string; value: string }>(sql.counters, [
      tenantId,
    ]);
    return Object.fromEntries(rows.map((row) => [row.name, Number(row.value)]));
  }

  async prune(olderThan: Date): Promise<{ inbox: number; outbox: number }> {
    const inbox = await this.#pool.query(sql.pruneInbox, [olderThan]);
    const outbox = await this.#pool.query(sql.pruneOutbox, [olderThan]);
    return { inbox: inbox.rowCount ?? 0, outbox: outbox.rowCount ?? 0 };
  }

  async pruneWindows(now: Date): Promise<number> {
    return (await this.#pool.query(sql.pruneWindows, [now])).rowCount ?? 0;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#pool.end();
  }
}

/** Byte order, as the ids' "C" collation and SQLite sort them. */
const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
