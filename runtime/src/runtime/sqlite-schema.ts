/**
 * The SQLite schema, as numbered migrations. Each one runs once, in a `BEGIN IMMEDIATE`
 * transaction with its version row, so several processes may migrate one file at once. Append new migrations; never edit a released one.
 */
import type BetterSqlite3 from 'better-sqlite3';

// Times that the store compares (inbox, outbox, schedule) are epoch milliseconds; times that it
// only returns are ISO strings.
const migrations: readonly string[] = [
  `
  CREATE TABLE IF NOT EXISTS sagas (
    type TEXT NOT NULL, id TEXT NOT NULL, tenant_id TEXT NOT NULL, state TEXT NOT NULL,
    version INTEGER NOT NULL, updated_at TEXT NOT NULL,
    PRIMARY KEY (type, id)
  );
  CREATE INDEX IF NOT EXISTS sagas_by_tenant ON sagas (type, tenant_id, id);

  CREATE TABLE IF NOT EXISTS inbox (
    endpoint TEXT NOT NULL, event_id TEXT NOT NULL, processed_at INTEGER NOT NULL,
    PRIMARY KEY (endpoint, event_id)
  );
  CREATE INDEX IF NOT EXISTS inbox_by_age ON inbox (processed_at);

  CREATE TABLE IF NOT EXISTS outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT, envelope TEXT NOT NULL,
    created_at INTEGER NOT NULL, dispatched_at INTEGER
  );
  CREATE INDEX IF NOT EXISTS outbox_pending ON outbox (id) WHERE dispatched_at IS NULL;
  CREATE INDEX IF NOT EXISTS outbox_dispatched ON outbox (dispatched_at)
    WHERE dispatched_at IS NOT NULL;

  CREATE TABLE IF NOT EXISTS scheduled (
    id TEXT PRIMARY KEY, due_at INTEGER NOT NULL, endpoint TEXT, envelope TEXT NOT NULL,
    attempt INTEGER NOT NULL, first_failed_at TEXT, leased_until INTEGER
  );
  CREATE INDEX IF NOT EXISTS scheduled_by_due ON scheduled (due_at);

  CREATE TABLE IF NOT EXISTS audit (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, tenant_id TEXT NOT NULL,
    correlation_id TEXT NOT NULL, causation_id TEXT NOT NULL, action TEXT NOT NULL,
    from_state TEXT, to_state TEXT, detail TEXT NOT NULL, at TEXT NOT NULL
  );
  CREATE INDEX IF NOT EXISTS audit_by_tenant ON audit (tenant_id, seq);

  CREATE TABLE IF NOT EXISTS dead_letters (
    id TEXT PRIMARY KEY, endpoint TEXT NOT NULL, tenant_id TEXT, type TEXT,
    envelope TEXT NOT NULL, error_type TEXT NOT NULL, error_message TEXT NOT NULL,
    attempts INTEGER NOT NULL, first_failed_at TEXT NOT NULL, last_failed_at TEXT NOT NULL
  );

  CREATE TABLE IF NOT EXISTS records (
    collection TEXT NOT NULL, tenant_id TEXT NOT NULL, id TEXT NOT NULL, data TEXT NOT NULL,
    PRIMARY KEY (collection, tenant_id, id)
  );

  CREATE TABLE IF NOT EXISTS uniques (
    scope TEXT NOT NULL, key TEXT NOT NULL, owner TEXT NOT NULL,
    PRIMARY KEY (scope, key)
  );

  CREATE TABLE IF NOT EXISTS counters (
    tenant_id TEXT NOT NULL, name TEXT NOT NULL, value INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, name)
  );
  `,
  // Finding a published message by its id (the cause `receive` looks for).
  `
  CREATE INDEX IF NOT EXISTS outbox_by_event ON outbox (json_extract(envelope, '$.eventId'));
  `,
  // The same, from columns: indexing an expression parsed every envelope's JSON on insert.
  `
  ALTER TABLE outbox ADD COLUMN event_id TEXT;
  ALTER TABLE outbox ADD COLUMN type TEXT;
  UPDATE outbox SET event_id = json_extract(envelope, '$.eventId'),
    type = json_extract(envelope, '$.type');
  DROP INDEX IF EXISTS outbox_by_event;
  CREATE INDEX IF NOT EXISTS outbox_by_event_id ON outbox (event_id);
  CREATE INDEX IF NOT EXISTS dead_letters_by_endpoint ON dead_letters (endpoint);
  `,
  // Dead letters found in a broker's `<queue>_error`: where they came from, and a body that is
  // not JSON (base64).
  `
  ALTER TABLE dead_letters ADD COLUMN source TEXT;
  ALTER TABLE dead_letters ADD COLUMN body TEXT;
  `,
  // A tenant's messages, in the order they were committed (`tenantMessages`).
  `
  ALTER TABLE outbox ADD COLUMN tenant_id TEXT;
  UPDATE outbox SET tenant_id = json_extract(envelope, '$.tenantId');
  CREATE INDEX IF NOT EXISTS outbox_by_tenant ON outbox (tenant_id, id);
  `,
  // Rate limits and throttles (reset_at in epoch milliseconds); `pruneWindows` deletes the
  // closed windows.
  `
  CREATE TABLE IF NOT EXISTS throttle_windows (
    key TEXT PRIMARY KEY, hits INTEGER NOT NULL, reset_at INTEGER NOT NULL
  );
  CREATE INDEX IF NOT EXISTS throttle_windows_by_reset ON throttle_windows (reset_at);
  `,
];

/** Applies the migrations the file lacks, up to `upTo` (all of them; tests stop earlier). */
export function migrateSqlite(db: BetterSqlite3.Database, upTo = migrations.length): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY)');
  const apply = db.transaction(() => {
    const row = db.prepare('SELECT MAX(version) AS version FROM schema_version').get() as {
      version: number | null;
    };
    migrations.forEach((sql, index) => {
      if (index + 1 <= (row.version ?? 0) || index + 1 > upTo) return;
      db.exec(sql);
      db.prepare('INSERT INTO schema_version (version) VALUES (?)').run(index + 1);
    });
  });
  apply.immediate();
}
