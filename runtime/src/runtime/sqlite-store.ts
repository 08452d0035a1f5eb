/**
 * The embedded store (`DATABASE_URL=file:./data/app.db`), on better-sqlite3.
 *
 * better-sqlite3 is synchronous and one connection has one transaction at a time, while `Tx` is
 * async (handlers await between statements). So every use of the connection, transactions and
 * plain reads alike, takes an async lock: a read can never see, nor a write join, a transaction
 * that is still open. Transactions are `BEGIN IMMEDIATE`, so that other processes on the same file
 * wait (busy_timeout) instead of failing on a lock upgrade.
 *
 * Group commit: a COMMIT costs more than the statements of a whole unit of work, so units that
 * queue up behind each other share one. Each runs in a savepoint of its own (a unit that throws
 * rolls back to it, alone), and each caller hears of its unit only once the shared COMMIT is done:
 * nothing is acknowledged, and no outbox row is visible to the dispatcher, before it is durable.
 * The group commits once a turn of the event loop went by without a unit joining it (at once
 * when the product is quiet; under load, turns keep bringing units, up to `maxGroupAgeMs`),
 * before any read or lease on the connection, or at `maxGroup` units; a failed
 * COMMIT fails every unit of the group (the callers retry them). Marking outbox rows dispatched
 * joins the group like a unit.
 */
import { chmodSync, closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import type BetterSqlite3 from 'better-sqlite3';
import type { Envelope } from '../contracts/envelope.js';
import type { Clock } from './clock.js';
import { systemClock } from './clock.js';
import { migrateSqlite } from './sqlite-schema.js';
import { TransactionEnd } from './store-commit.js';
import type {
  AuditRow,
  DeadLetterRow,
  SagaRow,
  ScheduledRow,
  Statements,
} from './sqlite-statements.js';
import {
  prepareStatements,
  toAudit,
  toDeadLetter,
  toSaga,
  toScheduled,
} from './sqlite-statements.js';
import type { Written } from './sqlite-tx.js';
import {
  nothingWritten,
  readRecord,
  readRecords,
  RecentlyCommitted,
  SqliteTx,
} from './sqlite-tx.js';
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
import { decodeCursor, encodeCursor } from './store.js';

export interface SqliteStoreOptions {
  /** `file:./data/app.db`, `file:///abs/path.db`, a plain path, or `:memory:` / `file::memory:`. */
  readonly url?: string;
  /** Stamps inbox and outbox rows, which `prune` compares with its cutoff. */
  readonly clock?: Clock;
  readonly busyTimeoutMs?: number;
  /** How long a call may wait for the connection while one piece of work holds it (`StoreBusy`). */
  readonly lockTimeoutMs?: number;
}

export function sqlitePath(url: string): string {
  if (url === ':memory:' || url === 'file::memory:') return ':memory:';
  if (url.startsWith('file://')) return fileURLToPath(url);
  if (url.startsWith('file:')) return url.slice('file:'.length);
  return url;
}

/** Thrown to a caller that waited for the connection longer than `lockTimeoutMs`. */
export class StoreBusy extends Error {
  constructor(waitedMs: number) {
    super(
      `the SQLite store has been held by one piece of work for over ${waitedMs} ms; if that is ` +
        'a transaction making a Store call, the call waits for itself: use its Tx instead',
    );
    this.name = 'StoreBusy';
  }
}

interface Waiter {
  readonly reject: (error: unknown) => void;
  /** Told already that it waited too long: when its turn comes, it does nothing. */
  expired: boolean;
}

/**
 * Runs async work one at a time, in call order. A queue of work runs as one chain of microtasks,
 * so every so often the chain waits a turn of the event loop to let I/O (HTTP requests) through.
 *
 * Like SQLite's own busy timeout, a caller does not wait forever: once one piece of work has held
 * the lock for `timeoutMs`, `expire` fails everyone waiting with `StoreBusy`. Work held that long
 * most likely awaits one of them (a transaction making a Store call, which can never get its
 * turn); failing the call unwinds it.
 */
class Lock {
  #tail: Promise<unknown> = Promise.resolve();
  #queued = 0;
  /** `performance.now()` when the work now running took the lock; undefined while it is free. */
  #heldSince: number | undefined;
  readonly #waiting = new Set<Waiter>();

  /** `expires: false` for the store's own housekeeping (a group's COMMIT), which nobody awaits. */
  run<T>(work: () => T | Promise<T>, expires = true): Promise<T> {
    this.#queued += 1;
    const turn = this.#queued % 32 === 0 ? this.#tail.then(nextTurn) : this.#tail;
    return new Promise<T>((resolve, reject) => {
      const waiter: Waiter = { reject, expired: false };
      if (expires) this.#waiting.add(waiter);
      this.#tail = turn.then(async () => {
        this.#waiting.delete(waiter);
        if (waiter.expired) return;
        this.#heldSince = performance.now();
        try {
          resolve(await work());
        } catch (error) {
          reject(error);
        } finally {
          this.#heldSince = undefined;
        }
      });
    });
  }

  expire(timeoutMs: number): void {
    if (this.#heldSince === undefined || performance.now() - this.#heldSince < timeoutMs) return;
    for (const waiter of this.#waiting) {
      waiter.expired = true;
      waiter.reject(new StoreBusy(timeoutMs));
    }
    this.#waiting.clear();
  }
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

/** The most units of work one COMMIT carries. */
const maxGroup = 512;
/** The longest a group waits for more units: the latency load may add to a unit's commit. */
const maxGroupAgeMs = 10;

/** Units that have run in the open transaction, waiting for its COMMIT. */
interface Group {
  readonly done: { resolve: () => void; reject: (error: unknown) => void }[];
  /** What its units wrote, for `RecentlyCommitted`. */
  readonly written: Written;
  /** Whether a COMMIT of this group is already on its way (`#commitSoon`). */
  commitQueued: boolean;
  /** `performance.now()` when its first unit began. */
  readonly openedAt: number;
}

export class SqliteStore implements Store {
  readonly kind = 'sqlite' as const;
  readonly #db: BetterSqlite3.Database;
  readonly #clock: Clock;
  readonly #lock = new Lock();
  readonly #watchdog: NodeJS.Timeout;
  #sql: Statements | undefined;
  /** The open transaction of a group commit, if any. */
  #group: Group | undefined;
  readonly #recent = new RecentlyCommitted();

  constructor(options: SqliteStoreOptions = {}) {
    const path = sqlitePath(options.url ?? 'file:./data/app.db');
    if (path !== ':memory:') ownerOnlyFile(path);
    this.#db = new Database(path);
    this.#db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
    this.#db.pragma('journal_mode = WAL');
    this.#db.pragma('synchronous = NORMAL');
    // Each unit's savepoint keeps the pages it changes in a journal of its own. On a temporary
    // file that journal is created and deleted again and again, and a file system slows down
    // under such churn (ext4 skips inodes freed within the last minute when it allocates one):
    // kept in memory, it costs a copy of each page.
    this.#db.pragma('temp_store = MEMORY');
    // SQLite's lower() folds ASCII only; searches fold case as JavaScript (and PostgreSQL) do.
    this.#db.function('casefold', { deterministic: true }, (value: unknown) =>
      typeof value === 'string' ? value.toLowerCase() : value,
    );
    this.#clock = options.clock ?? systemClock;
    const lockTimeoutMs = options.lockTimeoutMs ?? 30_000;
    this.#watchdog = setInterval(
      () => this.#lock.expire(lockTimeoutMs),
      Math.min(1000, lockTimeoutMs / 2),
    );
    this.#watchdog.unref();
  }

  migrate(): Promise<void> {
    return this.#locked(() => {
      migrateSqlite(this.#db);
      this.#sql ??= prepareStatements(this.#db);
    });
  }

  transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    const end = new TransactionEnd();
    const done = this.#inGroup(async (sql, written) => {
      const tx = new SqliteTx(sql, this.#clock, this.#recent, written, end);
      try {
        return await work(tx);
      } finally {
        tx.close();
      }
    });
    // The unit is done once its group's COMMIT is: settled before its caller resumes.
    done.then(
      () => end.committed(),
      (error: unknown) => end.rolledBack(error),
    );
    return done;
  }

  /**
   * Runs `work` on a savepoint of the open group (opening one when there is none). Resolves once
   * the group's COMMIT is done; rejects, alone, when `work` throws.
   */
  #inGroup<T>(work: (sql: Statements, written: Written) => T | Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const unit = async () => {
        const sql = this.#statements();
        if (!this.#group) {
          sql.begin.run();
          this.#group = {
            done: [],
            written: nothingWritten(),
            commitQueued: false,
            openedAt: performance.now(),
          };
        }
        const group = this.#group;
        sql.savepoint.run();
        try {
          const written = nothingWritten();
          const result = await work(sql, written);
          sql.release.run();
          group.written.received.push(...written.received);
          group.written.published.push(...written.published);
          group.done.push({ resolve: () => resolve(result), reject });
        } catch (error) {
          if (this.#db.inTransaction) {
            sql.rollbackToSavepoint.run();
            sql.release.run();
          } else {
            // Some errors (a full disk, say) make SQLite roll back the whole transaction: the
            // units before this one in the group are gone too, and must not be reported done.
            this.#group = undefined;
            for (const unit of group.done) unit.reject(error);
          }
          reject(error);
        }
        if (this.#group !== group) return;
        if (group.done.length >= maxGroup) this.#commitGroup();
        else this.#commitSoon(group);
      };
      this.#lock.run(unit).catch((error: unknown) => {
        // The unit could not even start (a closed store): nothing of it was written. Or it waited
        // too long (StoreBusy): then the work that holds the lock goes on, and its group with it.
        if (!(error instanceof StoreBusy)) this.#commitGroup();
        reject(error);
      });
    });
  }

  /**
   * Commits `group` once a turn of the event loop brought it no unit (or it is `maxGroupAgeMs`
   * old), behind the units queued by then: the deliveries that run meanwhile share one COMMIT.
   */
  #commitSoon(group: Group): void {
    if (group.commitQueued) return;
    group.commitQueued = true;
    let seen = group.done.length;
    const look = () => {
      if (this.#group !== group) return;
      const joined = group.done.length > seen;
      seen = group.done.length;
      if (joined && performance.now() - group.openedAt < maxGroupAgeMs) {
        setImmediate(look);
        return;
      }
      void this.#lock.run(() => {
        if (this.#group === group) this.#commitGroup();
      }, false);
    };
    setImmediate(look);
  }

  /** Commits the open group and tells each of its units. */
  #commitGroup(): void {
    const group = this.#group;
    if (!group) return;
    this.#group = undefined;
    try {
      this.#statements().commit.run();
    } catch (error) {
      if (this.#db.inTransaction) this.#statements().rollback.run();
      for (const unit of group.done) unit.reject(error);
      return;
    }
    this.#recent.add(group.written);
    for (const unit of group.done) unit.resolve();
  }

  pendingOutbox(limit: number): Promise<OutboxRecord[]> {
    return this.#exclusive((sql) =>
      (sql.pendingOutbox.all(limit) as { id: number; envelope: string }[]).map((row) => ({
        id: row.id,
        envelope: JSON.parse(row.envelope),
      })),
    );
  }

  /** A write like a unit of work's, so it shares their COMMIT rather than forcing one of its own. */
  markDispatched(ids: readonly number[]): Promise<void> {
    return this.#inGroup((sql) => {
      sql.markDispatched.run(this.#clock.now().getTime(), JSON.stringify(ids));
    });
  }

  claimDue(now: Date, limit: number, leaseMs = 60_000): Promise<ScheduledRecord[]> {
    return this.#exclusive((sql) => {
      const at = now.getTime();
      const rows = sql.claimDue.all({ now: at, until: at + leaseMs, limit }) as ScheduledRow[];
      return rows.sort((a, b) => a.due_at - b.due_at || a.id.localeCompare(b.id)).map(toScheduled);
    });
  }

  completeScheduled(ids: readonly string[]): Promise<void> {
    return this.#exclusive((sql) => {
      this.#db.transaction(() => ids.forEach((id) => sql.completeScheduled.run(id))).immediate();
    });
  }

  nextDue(): Promise<Date | undefined> {
    return this.#exclusive((sql) => {
      const { at } = sql.nextDue.get() as { at: number | null };
      return at === null ? undefined : new Date(at);
    });
  }

  getSaga<State>(type: string, id: string): Promise<SagaRecord<State> | undefined> {
    return this.#exclusive((sql) => {
      const row = sql.loadSaga.get(type, id) as SagaRow | undefined;
      return row && toSaga<State>(row);
    });
  }

  listSagas<State>(query: SagaQuery): Promise<{ items: SagaRecord<State>[]; nextCursor?: string }> {
    return this.#exclusive((sql) => {
      const rows = sql.listSagas.all({
        type: query.type,
        state: query.state ?? null,
        tenantId: query.tenantId ?? null,
        search: query.search ?? null,
        after: query.cursor === undefined ? null : decodeCursor(query.cursor),
        limit: query.limit + 1, // one more tells whether there is a next page
      }) as SagaRow[];
      const items = rows.slice(0, query.limit).map((row) => toSaga<State>(row));
      const last = items.at(-1);
      return rows.length > query.limit && last
        ? { items, nextCursor: encodeCursor(last.id) }
        : { items };
    });
  }

  countSagas(type: string): Promise<Record<string, number>> {
    return this.#exclusive((sql) => {
      const rows = sql.countSagas.all(type) as { state: unknown; count: number }[];
      return Object.fromEntries(
        rows.filter((row) => typeof row.state === 'string').map((row) => [row.state, row.count]),
      );
    });
  }

  timeline(tenantId: string): Promise<AuditEntry[]> {
    return this.#exclusive((sql) => (sql.timeline.all(tenantId) as AuditRow[]).map(toAudit));
  }

  tenantMessages(tenantId: string, limit: number): Promise<Envelope[]> {
    return this.#exclusive((sql) =>
      (sql.tenantMessages.all(tenantId, limit) as { envelope: string }[]).map(
        (row) => JSON.parse(row.envelope) as Envelope,
      ),
    );
  }

  listDeadLetters(filter: { tenantId?: string; type?: string } = {}): Promise<DeadLetter[]> {
    return this.#exclusive((sql) =>
      (
        sql.listDeadLetters.all({
          tenantId: filter.tenantId ?? null,
          type: filter.type ?? null,
        }) as DeadLetterRow[]
      ).map(toDeadLetter),
    );
  }

  getDeadLetter(id: string): Promise<DeadLetter | undefined> {
    return this.#exclusive((sql) => {
      const row = sql.getDeadLetter.get(id) as DeadLetterRow | undefined;
      return row && toDeadLetter(row);
    });
  }

  countDeadLetters(): Promise<Record<string, number>> {
    return this.#exclusive((sql) => {
      const rows = sql.countDeadLetters.all() as { endpoint: string; count: number }[];
      return Object.fromEntries(rows.map((row) => [row.endpoint, row.count]));
    });
  }

  countClaims(scope: string): Promise<number> {
    return this.#exclusive((sql) => (sql.countClaims.get(scope) as { count: number }).count);
  }

  outboxBacklog(): Promise<OutboxBacklog> {
    return this.#exclusive((sql) => {
      const row = sql.outboxBacklog.get() as { pending: number; oldest: number | null };
      return {
        pending: row.pending,
        oldestAt: row.oldest === null ? undefined : new Date(row.oldest),
      };
    });
  }

  getRecord<Data>(
    collection: string,
    tenantId: string,
    id: string,
  ): Promise<RecordDoc<Data> | undefined> {
    return this.#exclusive((sql) => readRecord<Data>(sql, collection, tenantId, id));
  }

  listRecords<Data>(collection: string, tenantId: string): Promise<RecordDoc<Data>[]> {
    return this.#exclusive((sql) => readRecords<Data>(sql, collection, tenantId));
  }

  counters(tenantId: string): Promise<Record<string, number>> {
    return this.#exclusive((sql) => {
      const rows = sql.counters.all(tenantId) as { name: string; value: number }[];
      return Object.fromEntries(rows.map((row) => [row.name, row.value]));
    });
  }

  prune(olderThan: Date): Promise<{ inbox: number; outbox: number }> {
    return this.#exclusive((sql) => {
      const cutoff = olderThan.getTime();
      return {
        inbox: sql.pruneInbox.run(cutoff).changes,
        outbox: sql.pruneOutbox.run(cutoff).changes,
      };
    });
  }

  pruneWindows(now: Date): Promise<number> {
    return this.#exclusive((sql) => sql.pruneWindows.run(now.getTime()).changes);
  }

  close(): Promise<void> {
    clearInterval(this.#watchdog);
    return this.#locked(() => {
      if (this.#db.open) this.#db.close();
    });
  }

  #exclusive<T>(work: (sql: Statements) => T | Promise<T>): Promise<T> {
    return this.#locked(() => work(this.#statements()));
  }

  #locked<T>(work: () => T | Promise<T>): Promise<T> {
    // Plain reads and writes never see, nor join, units whose COMMIT is still to come.
    return this.#lock.run(() => {
      this.#commitGroup();
      return work();
    });
  }

  #statements(): Statements {
    if (!this.#db.open) throw new Error('the store is closed');
    if (!this.#sql) throw new Error('call migrate() before using the store');
    return this.#sql;
  }
}

/**
 * The database file and its folder, owner-only: tenants' data and the audit trail are in it.
 * SQLite gives its -wal and -shm files the database file's permissions.
 */
function ownerOnlyFile(path: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  closeSync(openSync(path, 'a', 0o600));
  chmodSync(path, 0o600);
}
