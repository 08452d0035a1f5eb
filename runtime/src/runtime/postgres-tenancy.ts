/**
 * Where a tenant's records live on PostgreSQL. Under `pooled` isolation every tenant shares the
 * `records` table and `tenant_id` is on every row; under `schema` isolation each tenant has its
 * own schema (`tenant_<uuid without dashes>`) holding its own `records` table, created when its
 * onboarding starts (`provision`, in the saga's transaction) or else by the first write. Sagas, the inbox, the outbox and the audit trail stay
 * shared: they are the platform's bookkeeping, not the tenant's data.
 */
import { createHash } from 'node:crypto';
import type { QueryResult, QueryResultRow } from 'pg';
import type { Batch, Value } from './postgres-batch.js';
import type { RecordDoc } from './store.js';

export type Isolation = 'pooled' | 'schema';

/** A transaction's `Batch`, or the pool (for reads outside any transaction). */
export interface Queryable {
  query<Row extends QueryResultRow>(
    text: string,
    values?: readonly Value[],
  ): Promise<QueryResult<Row>>;
}

/** A schema name per tenant; ids that are not uuids are hashed, so any id gives a safe name. */
export function tenantSchemaName(tenantId: string): string {
  const hex = tenantId.toLowerCase().replaceAll('-', '');
  if (/^[0-9a-f]{32}$/.test(hex)) return `tenant_${hex}`;
  return `tenant_${createHash('sha256').update(tenantId).digest('hex').slice(0, 32)}`;
}

interface RecordRow {
  collection: string;
  tenant_id: string;
  id: string;
  data: unknown;
}

const toRecord = <Data>(row: RecordRow): RecordDoc<Data> => ({
  collection: row.collection,
  tenantId: row.tenant_id,
  id: row.id,
  data: row.data as Data,
});

/** Reads and writes the records of tenants under one isolation mode. */
export class TenantRecords {
  readonly #isolation: Isolation;
  /** Tenant schemas known to exist (committed), so that each is checked or created once. */
  readonly #known = new Set<string>();

  constructor(isolation: Isolation) {
    this.#isolation = isolation;
  }

  async get<Data>(
    db: Queryable,
    collection: string,
    tenantId: string,
    id: string,
  ): Promise<RecordDoc<Data> | undefined> {
    const table = await this.#readable(db, tenantId);
    if (!table) return undefined;
    const { rows } = await db.query<RecordRow>(
      `SELECT collection, tenant_id, id, data FROM ${table}
       WHERE collection = $1 AND tenant_id = $2 AND id = $3`,
      [collection, tenantId, id],
    );
    return rows[0] && toRecord<Data>(rows[0]);
  }

  async list<Data>(
    db: Queryable,
    collection: string,
    tenantId: string,
  ): Promise<RecordDoc<Data>[]> {
    const table = await this.#readable(db, tenantId);
    if (!table) return [];
    const { rows } = await db.query<RecordRow>(
      `SELECT collection, tenant_id, id, data FROM ${table}
       WHERE collection = $1 AND tenant_id = $2 ORDER BY id`,
      [collection, tenantId],
    );
    return rows.map((row) => toRecord<Data>(row));
  }

  /**
   * Upserts a record inside the transaction of `batch` (the write travels with its next
   * statement); returns the tenant schema it created, if any, which the caller reports to
   * `created` once the transaction has committed.
   */
  async put<Data>(batch: Batch, record: RecordDoc<Data>): Promise<string | undefined> {
    const { collection, tenantId, id, data } = record;
    const [table, created] = await this.#writable(batch, tenantId);
    batch.hold(
      `INSERT INTO ${table} (collection, tenant_id, id, data) VALUES ($1, $2, $3, $4)
       ON CONFLICT (collection, tenant_id, id) DO UPDATE SET data = excluded.data`,
      [collection, tenantId, id, JSON.stringify(data)],
    );
    return created;
  }

  /**
   * Creates the tenant's schema and its tables inside the transaction of `client` (under
   * `schema` isolation; `pooled` has nothing to create). Returns the schema's name, which the
   * caller reports to `created` once the transaction has committed.
   */
  async provision(client: Queryable, tenantId: string): Promise<string | undefined> {
    if (this.#isolation === 'pooled') return undefined;
    const schema = tenantSchemaName(tenantId);
    await this.#create(client, schema);
    return schema;
  }

  /** The transaction that created these schemas committed: they exist for everyone now. */
  created(schemas: Iterable<string>): void {
    for (const schema of schemas) this.#known.add(schema);
  }

  /** The table to read, or undefined when the tenant's schema does not exist (no records yet). */
  async #readable(db: Queryable, tenantId: string): Promise<string | undefined> {
    if (this.#isolation === 'pooled') return 'records';
    const schema = tenantSchemaName(tenantId);
    if (!this.#known.has(schema)) {
      // to_regclass answers without an error, which would abort an open transaction.
      const { rows } = await db.query<{ present: boolean }>(
        'SELECT to_regclass($1) IS NOT NULL AS present',
        [`${schema}.records`],
      );
      if (!rows[0]?.present) return undefined;
      this.#known.add(schema);
    }
    return `${schema}.records`;
  }

  async #writable(client: Queryable, tenantId: string): Promise<[string, string | undefined]> {
    if (this.#isolation === 'pooled') return ['records', undefined];
    const schema = tenantSchemaName(tenantId);
    const table = `${schema}.records`;
    if (this.#known.has(schema)) return [table, undefined];
    await this.#create(client, schema);
    return [table, schema];
  }

  async #create(client: Queryable, schema: string): Promise<void> {
    const table = `${schema}.records`;
    // Concurrent `CREATE … IF NOT EXISTS` of one name can fail on a catalog unique index; the
    // lock makes the second creator wait for the first and then find the schema there.
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`saas-gen:${schema}`]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    // tenant_id is kept although the schema implies it: rows read the same under both modes.
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${table} (
         collection text NOT NULL, tenant_id text NOT NULL, id text COLLATE "C" NOT NULL,
         data jsonb NOT NULL,
         PRIMARY KEY (collection, tenant_id, id)
       )`,
    );
  }
}
