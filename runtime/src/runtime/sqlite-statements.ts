/**
 * Every SQL statement of the SQLite store, prepared once per connection, and the mapping from
 * rows back to the port's records.
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { Envelope } from '../contracts/envelope.js';
import type { AuditEntry, DeadLetter, SagaRecord, ScheduledRecord } from './store.js';

/** A prepared statement of better-sqlite3, named so that the package's declarations can refer to it. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- a name for the declarations
export interface SqliteStatement extends BetterSqlite3.Statement<unknown[], unknown> {}

export function prepareStatements(db: BetterSqlite3.Database) {
  const sql = (source: string): SqliteStatement => db.prepare(source);
  return {
    begin: sql('BEGIN IMMEDIATE'),
    commit: sql('COMMIT'),
    rollback: sql('ROLLBACK'),
    savepoint: sql('SAVEPOINT unit'),
    release: sql('RELEASE unit'),
    rollbackToSavepoint: sql('ROLLBACK TO unit'),

    insertInbox: sql(
      'INSERT INTO inbox (endpoint, event_id, processed_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
    ),
    causeAwaited: sql(
      `SELECT EXISTS (SELECT 1 FROM outbox
                      WHERE event_id = @eventId
                        AND type IN (SELECT value FROM json_each(@types)))
         AND NOT EXISTS (SELECT 1 FROM inbox WHERE endpoint = @endpoint AND event_id = @eventId)
         AND NOT EXISTS (SELECT 1 FROM dead_letters
                         WHERE endpoint = @endpoint
                           AND json_extract(envelope, '$.eventId') = @eventId) AS awaits`,
    ),
    loadSaga: sql('SELECT * FROM sagas WHERE type = ? AND id = ?'),
    insertSaga: sql(
      `INSERT INTO sagas (type, id, tenant_id, state, version, updated_at)
       VALUES (@type, @id, @tenantId, @state, 1, @updatedAt)`,
    ),
    updateSaga: sql(
      `UPDATE sagas SET tenant_id = @tenantId, state = @state, version = version + 1,
         updated_at = @updatedAt
       WHERE type = @type AND id = @id AND version = @expectedVersion`,
    ),
    listSagas: sql(
      `SELECT * FROM sagas
       WHERE type = @type
         AND (@state IS NULL OR json_extract(state, '$.state') = @state)
         AND (@tenantId IS NULL OR tenant_id = @tenantId)
         AND (@search IS NULL
              OR instr(casefold(json_extract(state, '$.slug')), casefold(@search)) > 0
              OR instr(casefold(json_extract(state, '$.name')), casefold(@search)) > 0)
         AND (@after IS NULL OR id > @after)
       ORDER BY id LIMIT @limit`,
    ),
    countSagas: sql(
      `SELECT json_extract(state, '$.state') AS state, COUNT(*) AS count FROM sagas
       WHERE type = ? GROUP BY 1`,
    ),

    enqueue: sql(
      'INSERT INTO outbox (envelope, event_id, type, tenant_id, created_at) VALUES (?, ?, ?, ?, ?)',
    ),
    tenantMessages: sql(
      `SELECT envelope FROM (SELECT id, envelope FROM outbox WHERE tenant_id = ?
                             ORDER BY id DESC LIMIT ?)
       ORDER BY id`,
    ),
    pendingOutbox: sql(
      'SELECT id, envelope FROM outbox WHERE dispatched_at IS NULL ORDER BY id LIMIT ?',
    ),
    // The ids as a JSON array: one statement for a batch of any size.
    markDispatched: sql(
      `UPDATE outbox SET dispatched_at = ?
       WHERE id IN (SELECT value FROM json_each(?)) AND dispatched_at IS NULL`,
    ),

    schedule: sql(
      `INSERT INTO scheduled (id, due_at, endpoint, envelope, attempt, first_failed_at)
       VALUES (@id, @dueAt, @endpoint, @envelope, @attempt, @firstFailedAt)
       ON CONFLICT (id) DO UPDATE SET due_at = excluded.due_at, endpoint = excluded.endpoint,
         envelope = excluded.envelope, attempt = excluded.attempt,
         first_failed_at = excluded.first_failed_at, leased_until = NULL`,
    ),
    cancelScheduled: sql('DELETE FROM scheduled WHERE id = ?'),
    // One statement, so that two claimers can never lease the same row.
    claimDue: sql(
      `UPDATE scheduled SET leased_until = @until
       WHERE id IN (SELECT id FROM scheduled
                    WHERE due_at <= @now AND (leased_until IS NULL OR leased_until <= @now)
                    ORDER BY due_at, id LIMIT @limit)
       RETURNING *`,
    ),
    // A row rescheduled after its claim lost its lease: it is a new message, keep it.
    completeScheduled: sql('DELETE FROM scheduled WHERE id = ? AND leased_until IS NOT NULL'),
    nextDue: sql('SELECT MIN(MAX(due_at, COALESCE(leased_until, 0))) AS at FROM scheduled'),

    appendAudit: sql(
      `INSERT INTO audit (id, tenant_id, correlation_id, causation_id, action, from_state,
         to_state, detail, at)
       VALUES (@id, @tenantId, @correlationId, @causationId, @action, @fromState, @toState,
         @detail, @at)`,
    ),
    timeline: sql('SELECT * FROM audit WHERE tenant_id = ? ORDER BY seq'),

    // A letter's id names its message (dead-letters.ts): a second failure of it updates the
    // failure, from whichever failure is the latest, and never the message itself.
    addDeadLetter: sql(
      `INSERT INTO dead_letters (id, endpoint, tenant_id, type, envelope, source, body,
         error_type, error_message, attempts, first_failed_at, last_failed_at)
       VALUES (@id, @endpoint, @tenantId, @type, @envelope, @source, @body, @errorType,
         @errorMessage, @attempts, @firstFailedAt, @lastFailedAt)
       ON CONFLICT (id) DO UPDATE SET
         error_type = iif(excluded.last_failed_at >= last_failed_at, excluded.error_type,
           error_type),
         error_message = iif(excluded.last_failed_at >= last_failed_at, excluded.error_message,
           error_message),
         attempts = iif(excluded.last_failed_at >= last_failed_at, excluded.attempts, attempts),
         first_failed_at = min(first_failed_at, excluded.first_failed_at),
         last_failed_at = max(last_failed_at, excluded.last_failed_at)`,
    ),
    getDeadLetter: sql('SELECT * FROM dead_letters WHERE id = ?'),
    removeDeadLetter: sql('DELETE FROM dead_letters WHERE id = ?'),
    listDeadLetters: sql(
      `SELECT * FROM dead_letters
       WHERE (@tenantId IS NULL OR tenant_id = @tenantId) AND (@type IS NULL OR type = @type)
       ORDER BY rowid`,
    ),
    outboxBacklog: sql(
      'SELECT COUNT(*) AS pending, MIN(created_at) AS oldest FROM outbox WHERE dispatched_at IS NULL',
    ),
    countDeadLetters: sql(
      'SELECT endpoint, COUNT(*) AS count FROM dead_letters GROUP BY endpoint ORDER BY endpoint',
    ),

    getRecord: sql('SELECT * FROM records WHERE collection = ? AND tenant_id = ? AND id = ?'),
    putRecord: sql(
      `INSERT INTO records (collection, tenant_id, id, data) VALUES (?, ?, ?, ?)
       ON CONFLICT (collection, tenant_id, id) DO UPDATE SET data = excluded.data`,
    ),
    listRecords: sql('SELECT * FROM records WHERE collection = ? AND tenant_id = ? ORDER BY id'),

    claimUnique: sql(
      'INSERT INTO uniques (scope, key, owner) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
    ),
    uniqueOwner: sql('SELECT owner FROM uniques WHERE scope = ? AND key = ?'),
    releaseUnique: sql('DELETE FROM uniques WHERE scope = ? AND key = ? AND owner = ?'),
    countClaims: sql('SELECT COUNT(*) AS count FROM uniques WHERE scope = ?'),
    // Check and add in one statement: concurrent adds can never overshoot `max`.
    addToCounter: sql(
      `INSERT INTO counters (tenant_id, name, value)
       SELECT @tenantId, @name, @amount WHERE @max IS NULL OR @amount <= @max
       ON CONFLICT (tenant_id, name) DO UPDATE SET value = value + excluded.value
         WHERE @max IS NULL OR value + excluded.value <= @max
       RETURNING value`,
    ),
    counters: sql('SELECT name, value FROM counters WHERE tenant_id = ? ORDER BY name'),

    countHit: sql(
      `INSERT INTO throttle_windows (key, hits, reset_at) VALUES (@key, 1, @resetAt)
       ON CONFLICT (key) DO UPDATE SET
         hits = CASE WHEN reset_at <= @now THEN 1 ELSE hits + 1 END,
         reset_at = CASE WHEN reset_at <= @now THEN excluded.reset_at ELSE reset_at END
       RETURNING hits, reset_at`,
    ),
    pruneWindows: sql('DELETE FROM throttle_windows WHERE reset_at <= ?'),

    pruneInbox: sql('DELETE FROM inbox WHERE processed_at < ?'),
    pruneOutbox: sql('DELETE FROM outbox WHERE dispatched_at IS NOT NULL AND dispatched_at < ?'),
  };
}

export type Statements = ReturnType<typeof prepareStatements>;

export interface SagaRow {
  type: string;
  id: string;
  tenant_id: string;
  state: string;
  version: number;
  updated_at: string;
}

export const toSaga = <State>(row: SagaRow): SagaRecord<State> => ({
  type: row.type,
  id: row.id,
  tenantId: row.tenant_id,
  state: JSON.parse(row.state) as State,
  version: row.version,
  updatedAt: row.updated_at,
});

export interface ScheduledRow {
  id: string;
  due_at: number;
  endpoint: string | null;
  envelope: string;
  attempt: number;
  first_failed_at: string | null;
}

export const toScheduled = (row: ScheduledRow): ScheduledRecord => ({
  id: row.id,
  dueAt: new Date(row.due_at).toISOString(),
  endpoint: row.endpoint,
  envelope: JSON.parse(row.envelope) as Envelope,
  attempt: row.attempt,
  ...(row.first_failed_at === null ? {} : { firstFailedAt: row.first_failed_at }),
});

export interface AuditRow {
  id: string;
  tenant_id: string;
  correlation_id: string;
  causation_id: string;
  action: string;
  from_state: string | null;
  to_state: string | null;
  detail: string;
  at: string;
}

export const toAudit = (row: AuditRow): AuditEntry => ({
  id: row.id,
  tenantId: row.tenant_id,
  correlationId: row.correlation_id,
  causationId: row.causation_id,
  action: row.action,
  fromState: row.from_state,
  toState: row.to_state,
  detail: JSON.parse(row.detail) as Record<string, unknown>,
  at: row.at,
});

export interface DeadLetterRow {
  id: string;
  endpoint: string;
  envelope: string;
  source: string | null;
  body: string | null;
  error_type: string;
  error_message: string;
  attempts: number;
  first_failed_at: string;
  last_failed_at: string;
}

export const toDeadLetter = (row: DeadLetterRow): DeadLetter => ({
  id: row.id,
  endpoint: row.endpoint,
  envelope: JSON.parse(row.envelope) as Envelope,
  errorType: row.error_type,
  errorMessage: row.error_message,
  attempts: row.attempts,
  firstFailedAt: row.first_failed_at,
  lastFailedAt: row.last_failed_at,
  ...(row.source === 'broker' ? { source: 'broker' as const } : {}),
  ...(row.body === null ? {} : { body: row.body }),
});
