/**
 * The SQL of the PostgreSQL store, and the mapping from rows back to the port's records. The
 * driver returns jsonb as parsed values, timestamptz as `Date` and bigint as a string.
 */
import type { Envelope } from '../contracts/envelope.js';
import type { AuditEntry, DeadLetter, SagaRecord, ScheduledRecord } from './store.js';

/**
 * Whether the endpoint `$endpoint` has yet to process the message `$eventId`, published as one
 * of `$types`: in the outbox, neither in its inbox nor dead-lettered there.
 */
const causeAwaited = (endpoint: string, eventId: string, types: string) => `
      EXISTS (SELECT 1 FROM outbox
              WHERE envelope ->> 'eventId' = ${eventId}
                AND envelope ->> 'type' = ANY(${types}::text[]))
      AND NOT EXISTS (SELECT 1 FROM inbox WHERE endpoint = ${endpoint} AND event_id = ${eventId})
      AND NOT EXISTS (SELECT 1 FROM dead_letters
                      WHERE endpoint = ${endpoint} AND envelope ->> 'eventId' = ${eventId})`;

export const sql = {
  // The inbox entry, and whether the cause $4 (unless it is null) is awaited, in one statement.
  // The insert is not visible to the rest of the statement, which asks about other rows anyway.
  receive: `WITH processed AS (
      INSERT INTO inbox (endpoint, event_id, processed_at) VALUES ($1, $2, $3)
      ON CONFLICT DO NOTHING RETURNING 1)
    SELECT EXISTS (SELECT 1 FROM processed) AS fresh,
      $4::text IS NOT NULL AND ${causeAwaited('$1', '$4', '$5')} AS awaits`,

  loadSaga: 'SELECT * FROM sagas WHERE type = $1 AND id = $2',
  // DO NOTHING rather than a unique violation: a concurrent insert of the same saga waits for the
  // first one and then inserts nothing, which saas_expect_saved turns into a conflict (SG409).
  insertSaga: `WITH saved AS (
      INSERT INTO sagas (type, id, tenant_id, state, version, updated_at)
      VALUES ($1, $2, $3, $4, 1, $5) ON CONFLICT DO NOTHING RETURNING 1)
    SELECT saas_expect_saved((SELECT count(*) FROM saved), $1, $2)`,
  // A concurrent update of the same version waits for the first, then matches no row.
  updateSaga: `WITH saved AS (
      UPDATE sagas SET tenant_id = $3, state = $4, version = version + 1, updated_at = $5
      WHERE type = $1 AND id = $2 AND version = $6 RETURNING 1)
    SELECT saas_expect_saved((SELECT count(*) FROM saved), $1, $2)`,
  listSagas: `SELECT * FROM sagas
    WHERE type = $1
      AND ($2::text IS NULL OR state ->> 'state' = $2)
      AND ($3::text IS NULL OR tenant_id = $3)
      AND ($4::text IS NULL OR id > $4)
      AND ($6::text IS NULL
           OR strpos(lower(state ->> 'slug'), lower($6)) > 0
           OR strpos(lower(state ->> 'name'), lower($6)) > 0)
    ORDER BY id LIMIT $5`,
  tenantMessages: `SELECT envelope FROM (SELECT id, envelope FROM outbox
                        WHERE envelope ->> 'tenantId' = $1 ORDER BY id DESC LIMIT $2) AS newest
    ORDER BY id`,
  countSagas: `SELECT state ->> 'state' AS state, COUNT(*)::integer AS count FROM sagas
    WHERE type = $1 GROUP BY 1`,

  // A new row is leased to the store that wrote it: that process publishes it right after commit,
  // and the pollers of other processes leave it alone unless the lease runs out (a crash).
  // Every message of a unit in one statement; ids are drawn in the order of the array.
  enqueue: `INSERT INTO outbox (envelope, created_at, claimed_by, claimed_until)
    SELECT message.envelope, $2, $3, $4
    FROM unnest($1::jsonb[]) WITH ORDINALITY AS message (envelope, position)
    ORDER BY message.position
    RETURNING id`,
  // SKIP LOCKED: concurrent claimers never wait for each other nor take the same row. The claim
  // is a CTE, which runs once: as an `IN (…)` sub-select it may be rescanned and claim more.
  claimOutbox: `WITH claimed AS (
      SELECT id FROM outbox
      WHERE dispatched_at IS NULL
        AND (claimed_by = $1 OR claimed_until IS NULL OR claimed_until <= $2)
      ORDER BY id LIMIT $4
      FOR UPDATE SKIP LOCKED)
    UPDATE outbox SET claimed_by = $1, claimed_until = $3
    FROM claimed WHERE outbox.id = claimed.id
    RETURNING outbox.id, outbox.envelope`,
  markDispatched: `UPDATE outbox SET dispatched_at = $1, claimed_by = NULL, claimed_until = NULL
    WHERE id = ANY($2::bigint[]) AND dispatched_at IS NULL`,

  schedule: `INSERT INTO scheduled (id, due_at, endpoint, envelope, attempt, first_failed_at)
    VALUES ($1, $2, $3, $4, $5, $6)
    ON CONFLICT (id) DO UPDATE SET due_at = excluded.due_at, endpoint = excluded.endpoint,
      envelope = excluded.envelope, attempt = excluded.attempt,
      first_failed_at = excluded.first_failed_at, leased_until = NULL`,
  cancelScheduled: 'DELETE FROM scheduled WHERE id = $1',
  claimDue: `WITH claimed AS (
      SELECT id FROM scheduled
      WHERE due_at <= $1 AND (leased_until IS NULL OR leased_until <= $1)
      ORDER BY due_at, id LIMIT $3
      FOR UPDATE SKIP LOCKED)
    UPDATE scheduled SET leased_until = $2
    FROM claimed WHERE scheduled.id = claimed.id
    RETURNING scheduled.*`,
  // A row rescheduled after its claim lost its lease: it is a new message, keep it.
  completeScheduled:
    'DELETE FROM scheduled WHERE id = ANY($1::text[]) AND leased_until IS NOT NULL',
  nextDue: `SELECT MIN(CASE WHEN leased_until > due_at THEN leased_until ELSE due_at END) AS at
    FROM scheduled`,

  appendAudit: `INSERT INTO audit (id, tenant_id, correlation_id, causation_id, action, from_state,
      to_state, detail, at)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
  timeline: 'SELECT * FROM audit WHERE tenant_id = $1 ORDER BY seq',

  // A letter's id names its message (dead-letters.ts): a second failure of it updates the
  // failure, from whichever failure is the latest, and never the message itself.
  addDeadLetter: `INSERT INTO dead_letters (id, endpoint, tenant_id, type, envelope, source, body,
      error_type, error_message, attempts, first_failed_at, last_failed_at)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
    ON CONFLICT (id) DO UPDATE SET
      error_type = CASE WHEN excluded.last_failed_at >= dead_letters.last_failed_at
        THEN excluded.error_type ELSE dead_letters.error_type END,
      error_message = CASE WHEN excluded.last_failed_at >= dead_letters.last_failed_at
        THEN excluded.error_message ELSE dead_letters.error_message END,
      attempts = CASE WHEN excluded.last_failed_at >= dead_letters.last_failed_at
        THEN excluded.attempts ELSE dead_letters.attempts END,
      first_failed_at = LEAST(dead_letters.first_failed_at, excluded.first_failed_at),
      last_failed_at = GREATEST(dead_letters.last_failed_at, excluded.last_failed_at)`,
  getDeadLetter: 'SELECT * FROM dead_letters WHERE id = $1',
  removeDeadLetter: 'DELETE FROM dead_letters WHERE id = $1 RETURNING *',
  listDeadLetters: `SELECT * FROM dead_letters
    WHERE ($1::text IS NULL OR tenant_id = $1) AND ($2::text IS NULL OR type = $2)
    ORDER BY seq`,
  outboxBacklog: `SELECT COUNT(*)::integer AS pending, MIN(created_at) AS oldest FROM outbox
    WHERE dispatched_at IS NULL`,
  countDeadLetters: `SELECT endpoint, COUNT(*)::integer AS count FROM dead_letters
    GROUP BY endpoint ORDER BY endpoint`,

  claimUnique: `INSERT INTO uniques (scope, key, owner) VALUES ($1, $2, $3)
    ON CONFLICT DO NOTHING`,
  uniqueOwner: 'SELECT owner FROM uniques WHERE scope = $1 AND key = $2',
  releaseUnique: 'DELETE FROM uniques WHERE scope = $1 AND key = $2 AND owner = $3',
  countClaims: 'SELECT COUNT(*)::integer AS count FROM uniques WHERE scope = $1',
  // Check and add in one statement: the conflicting row is locked and re-read, so concurrent adds
  // can never overshoot the cap.
  addToCounter: `INSERT INTO counters (tenant_id, name, value)
    SELECT $1, $2, $3::bigint WHERE $4::bigint IS NULL OR $3::bigint <= $4::bigint
    ON CONFLICT (tenant_id, name) DO UPDATE SET value = counters.value + excluded.value
      WHERE $4::bigint IS NULL OR counters.value + excluded.value <= $4::bigint
    RETURNING value`,
  counters: 'SELECT name, value FROM counters WHERE tenant_id = $1 ORDER BY name',

  // One statement, the row locked: concurrent hits are all counted, in one window.
  countHit: `INSERT INTO throttle_windows AS w (key, hits, reset_at) VALUES ($1, 1, $3)
    ON CONFLICT (key) DO UPDATE SET
      hits = CASE WHEN w.reset_at <= $2 THEN 1 ELSE w.hits + 1 END,
      reset_at = CASE WHEN w.reset_at <= $2 THEN excluded.reset_at ELSE w.reset_at END
    RETURNING hits, reset_at`,
  pruneWindows: 'DELETE FROM throttle_windows WHERE reset_at <= $1',

  pruneInbox: 'DELETE FROM inbox WHERE processed_at < $1',
  pruneOutbox: 'DELETE FROM outbox WHERE dispatched_at IS NOT NULL AND dispatched_at < $1',
} as const;

export interface SagaRow {
  type: string;
  id: string;
  tenant_id: string;
  state: unknown;
  version: number;
  updated_at: Date;
}

export const toSaga = <State>(row: SagaRow): SagaRecord<State> => ({
  type: row.type,
  id: row.id,
  tenantId: row.tenant_id,
  state: row.state as State,
  version: row.version,
  updatedAt: row.updated_at.toISOString(),
});

export interface ScheduledRow {
  id: string;
  due_at: Date;
  endpoint: string | null;
  envelope: Envelope;
  attempt: number;
  first_failed_at: Date | null;
}

export const toScheduled = (row: ScheduledRow): ScheduledRecord => ({
  id: row.id,
  dueAt: row.due_at.toISOString(),
  endpoint: row.endpoint,
  envelope: row.envelope,
  attempt: row.attempt,
  ...(row.first_failed_at === null ? {} : { firstFailedAt: row.first_failed_at.toISOString() }),
});

export interface AuditRow {
  id: string;
  tenant_id: string;
  correlation_id: string;
  causation_id: string;
  action: string;
  from_state: string | null;
  to_state: string | null;
  detail: Record<string, unknown>;
  at: Date;
}

export const toAudit = (row: AuditRow): AuditEntry => ({
  id: row.id,
  tenantId: row.tenant_id,
  correlationId: row.correlation_id,
  causationId: row.causation_id,
  action: row.action,
  fromState: row.from_state,
  toState: row.to_state,
  detail: row.detail,
  at: row.at.toISOString(),
});

export interface DeadLetterRow {
  id: string;
  endpoint: string;
  envelope: Envelope;
  source: string | null;
  body: string | null;
  error_type: string;
  error_message: string;
  attempts: number;
  first_failed_at: Date;
  last_failed_at: Date;
}

export const toDeadLetter = (row: DeadLetterRow): DeadLetter => ({
  id: row.id,
  endpoint: row.endpoint,
  envelope: row.envelope,
  errorType: row.error_type,
  errorMessage: row.error_message,
  attempts: row.attempts,
  firstFailedAt: row.first_failed_at.toISOString(),
  lastFailedAt: row.last_failed_at.toISOString(),
  ...(row.source === 'broker' ? { source: 'broker' as const } : {}),
  ...(row.body === null ? {} : { body: row.body }),
});
