/**
 * The PostgreSQL schema, as numbered migrations: the same tables as SQLite's, with JSONB documents,
 * timestamptz times and bigserial insertion order. All migrations run in one transaction that
 * first takes an advisory lock, so several processes starting at once apply each migration once
 * and wait for each other instead of racing on `CREATE … IF NOT EXISTS` (which is not safe under
 * concurrency in PostgreSQL). Append new migrations; never edit a released one.
 */
import type { Pool } from 'pg';

const migrations: readonly string[] = [
  `
  -- Ids compare byte by byte ("C"), as in SQLite and JavaScript: pages come in the same order.
  CREATE TABLE sagas (
    type text NOT NULL, id text COLLATE "C" NOT NULL, tenant_id text NOT NULL,
    state jsonb NOT NULL, version integer NOT NULL, updated_at timestamptz NOT NULL,
    PRIMARY KEY (type, id)
  );
  CREATE INDEX sagas_by_tenant ON sagas (type, tenant_id, id);
  CREATE INDEX sagas_by_state ON sagas (type, (state ->> 'state'), id);

  CREATE TABLE inbox (
    endpoint text NOT NULL, event_id text NOT NULL, processed_at timestamptz NOT NULL,
    PRIMARY KEY (endpoint, event_id)
  );
  CREATE INDEX inbox_by_age ON inbox (processed_at);

  -- claimed_by/claimed_until: which store instance is publishing the row, until when (a lease).
  CREATE TABLE outbox (
    id bigserial PRIMARY KEY, envelope jsonb NOT NULL, created_at timestamptz NOT NULL,
    dispatched_at timestamptz, claimed_by text, claimed_until timestamptz
  );
  CREATE INDEX outbox_pending ON outbox (id) WHERE dispatched_at IS NULL;
  CREATE INDEX outbox_dispatched ON outbox (dispatched_at) WHERE dispatched_at IS NOT NULL;
  CREATE INDEX outbox_by_event ON outbox ((envelope ->> 'eventId'));

  CREATE TABLE scheduled (
    id text COLLATE "C" PRIMARY KEY, due_at timestamptz NOT NULL, endpoint text, envelope jsonb NOT NULL,
    attempt integer NOT NULL, first_failed_at timestamptz, leased_until timestamptz
  );
  CREATE INDEX scheduled_by_due ON scheduled (due_at, id);

  CREATE TABLE audit (
    seq bigserial PRIMARY KEY, id text NOT NULL UNIQUE, tenant_id text NOT NULL,
    correlation_id text NOT NULL, causation_id text NOT NULL, action text NOT NULL,
    from_state text, to_state text, detail jsonb NOT NULL, at timestamptz NOT NULL
  );
  CREATE INDEX audit_by_tenant ON audit (tenant_id, seq);

  CREATE TABLE dead_letters (
    seq bigserial NOT NULL, id text PRIMARY KEY, endpoint text NOT NULL, tenant_id text,
    type text, envelope jsonb NOT NULL, error_type text NOT NULL, error_message text NOT NULL,
    attempts integer NOT NULL, first_failed_at timestamptz NOT NULL,
    last_failed_at timestamptz NOT NULL
  );
  CREATE INDEX dead_letters_in_order ON dead_letters (seq);

  CREATE TABLE records (
    collection text NOT NULL, tenant_id text NOT NULL, id text COLLATE "C" NOT NULL,
    data jsonb NOT NULL,
    PRIMARY KEY (collection, tenant_id, id)
  );

  CREATE TABLE uniques (
    scope text NOT NULL, key text NOT NULL, owner text NOT NULL,
    PRIMARY KEY (scope, key)
  );

  CREATE TABLE counters (
    tenant_id text NOT NULL, name text NOT NULL, value bigint NOT NULL,
    PRIMARY KEY (tenant_id, name)
  );
  `,
  // A saga's save can travel with the commit: a save that matched no row (a stale version)
  // raises, which aborts the transaction, instead of being counted by the caller.
  `
  CREATE OR REPLACE FUNCTION saas_expect_saved(saved bigint, saga_type text, saga_id text)
  RETURNS void LANGUAGE plpgsql AS $$
  BEGIN
    IF saved <> 1 THEN
      RAISE EXCEPTION 'saga % % was changed concurrently', saga_type, saga_id
        USING ERRCODE = 'SG409', DETAIL = json_build_object('type', saga_type, 'id', saga_id);
    END IF;
  END $$;
  `,
  // Dead letters found in a broker's `<queue>_error`: where they came from, and a body that is
  // not JSON (base64). Metrics count the letters per endpoint.
  `
  ALTER TABLE dead_letters ADD COLUMN source text, ADD COLUMN body text;
  CREATE INDEX dead_letters_by_endpoint ON dead_letters (endpoint);
  `,
  // A tenant's messages, in the order they were committed (`tenantMessages`).
  `
  CREATE INDEX outbox_by_tenant ON outbox ((envelope ->> 'tenantId'), id);
  `,
  // Rate limits and throttles, counted here so that every process on the database counts
  // together; `pruneWindows` deletes the closed windows.
  `
  CREATE TABLE throttle_windows (
    key text PRIMARY KEY, hits integer NOT NULL, reset_at timestamptz NOT NULL
  );
  CREATE INDEX throttle_windows_by_reset ON throttle_windows (reset_at);
  `,
];

/** A schema name we create and interpolate into SQL: plain lower-case identifiers only. */
export function checkSchemaName(name: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name))
    throw new Error(`schema name ${JSON.stringify(name)} must match [a-z_][a-z0-9_]*`);
  return name;
}

/**
 * Applies the migrations this database lacks. `schema` (already checked) is where the tables live;
 * the pool's connections have it as their `search_path`.
 */
export async function migratePostgres(pool: Pool, schema: string | undefined): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    // One lock per schema: processes migrating other schemas of the database do not wait.
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [
      `saas-gen:migrate:${schema ?? ''}`,
    ]);
    if (schema) await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await client.query('CREATE TABLE IF NOT EXISTS schema_version (version integer PRIMARY KEY)');
    const { rows } = await client.query<{ version: number | null }>(
      'SELECT MAX(version) AS version FROM schema_version',
    );
    const applied = rows[0]?.version ?? 0;
    for (const [index, sql] of migrations.entries()) {
      if (index + 1 <= applied) continue;
      await client.query(sql);
      await client.query('INSERT INTO schema_version (version) VALUES ($1)', [index + 1]);
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
