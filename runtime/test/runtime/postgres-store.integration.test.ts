/**
 * The PostgreSQL store against a real server (`DATABASE_URL=postgres://…`, see integration.ts):
 * the shared store contract under both tenancy isolations, then what only several processes on
 * one database can show. Each store gets a schema of its own in a database made for this run.
 */
import { afterAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { ManualClock } from '../../src/runtime/clock.js';
import { silentLogger } from '../../src/runtime/logger.js';
import type { PostgresStoreOptions } from '../../src/runtime/postgres-store.js';
import { PostgresStore } from '../../src/runtime/postgres-store.js';
import { tenantSchemaName } from '../../src/runtime/postgres-tenancy.js';
import { ConcurrencyConflict, InvalidCursor } from '../../src/runtime/store.js';
import { scratchDatabase, serviceUrl } from './integration.js';
import { envelope } from './support.js';
import { storeContract } from './store.contract.js';

const serverUrl = serviceUrl('DATABASE_URL');
const database = serverUrl ? await scratchDatabase(serverUrl) : undefined;
afterAll(() => database?.drop());

let schemas = 0;
const newSchema = () => `store_${(schemas += 1)}`;

async function open(options: Partial<PostgresStoreOptions> = {}): Promise<PostgresStore> {
  const store = new PostgresStore({
    url: database!.url,
    schema: newSchema(),
    logger: silentLogger,
    ...options,
  });
  await store.migrate();
  return store;
}

describe.skipIf(!database)('postgres store', () => {
  storeContract('postgres (pooled)', (clock) => open({ clock }));
  storeContract('postgres (schema per tenant)', (clock) => open({ clock, isolation: 'schema' }));

  it('migrates once when several processes start at once', async () => {
    const schema = newSchema();
    const stores = Array.from({ length: 5 }, () => open({ schema }));
    const opened = await Promise.all(stores);
    const versions = await query(`SELECT version FROM ${schema}.schema_version`);
    expect(versions.map((row) => row.version)).toEqual([1, 2, 3, 4, 5]);
    await opened[0]!.migrate();
    await Promise.all(opened.map((store) => store.close()));
  });

  // Two stores on one schema behave like two processes (ROLE=api and ROLE=worker, say).
  describe('between two processes', () => {
    const pair = async (clock = new ManualClock()) => {
      const schema = newSchema();
      return [await open({ schema, clock }), await open({ schema, clock })] as const;
    };

    it('keeps saga saves optimistic', async () => {
      const [left, right] = await pair();
      const record = { type: 'onboarding', id: 'saga-1', tenantId: 't', state: { state: 'A' } };
      await left.transaction((tx) => tx.saveSaga(record, 0));
      await right.transaction((tx) => tx.saveSaga(record, 1));
      await expect(left.transaction((tx) => tx.saveSaga(record, 1))).rejects.toBeInstanceOf(
        ConcurrencyConflict,
      );
      await Promise.all([left.close(), right.close()]);
    });

    it('leaves the outbox rows one process wrote to it until its lease runs out', async () => {
      const clock = new ManualClock();
      const [writer, poller] = await pair(clock);
      const queued = await writer.transaction(async (tx) =>
        tx.publishAfterCommit([envelope('Mine')]),
      );
      const { id } = (await queued.committed)[0]!;
      expect(await poller.pendingOutbox(10)).toEqual([]);
      expect((await writer.pendingOutbox(10)).map((record) => record.id)).toEqual([id]);
      // The writer crashed before publishing: once its lease has run out, another takes over.
      clock.advance(60_000);
      expect((await poller.pendingOutbox(10)).map((record) => record.id)).toEqual([id]);
      expect(await writer.pendingOutbox(10)).toEqual([]);
      await poller.markDispatched([id]);
      clock.advance(60_000);
      expect(await writer.pendingOutbox(10)).toEqual([]);
      await Promise.all([writer.close(), poller.close()]);
    });

    it('never gives one outbox row or scheduled message to two processes', async () => {
      const clock = new ManualClock();
      const schema = newSchema();
      const stores = await Promise.all(Array.from({ length: 5 }, () => open({ schema, clock })));
      await stores[0]!.transaction(async (tx) => {
        tx.publishAfterCommit(Array.from({ length: 60 }, (_, index) => envelope(`Out${index}`)));
        for (let index = 0; index < 60; index += 1) {
          await tx.schedule({
            id: `due-${index}`,
            dueAt: clock.now().toISOString(),
            endpoint: null,
            envelope: envelope(`Due${index}`),
            attempt: 1,
          });
        }
      });
      clock.advance(60_000); // the writer's outbox lease is over: anyone may claim its rows
      const outbox = await Promise.all(stores.map((store) => store.pendingOutbox(15)));
      const outboxIds = outbox.flat().map((record) => record.id);
      expect(outboxIds).toHaveLength(60);
      expect(new Set(outboxIds).size).toBe(60);

      const due = await Promise.all(stores.map((store) => store.claimDue(clock.now(), 15)));
      const dueIds = due.flat().map((record) => record.id);
      expect(dueIds).toHaveLength(60);
      expect(new Set(dueIds).size).toBe(60);
      await Promise.all(stores.map((store) => store.close()));
    });
  });

  it('keeps each tenant’s records in a schema of its own under schema isolation', async () => {
    const store = await open({ isolation: 'schema' });
    const tenantId = '0b6e1d2c-7a51-4c3e-9d7f-1a2b3c4d5e6f';
    expect(await store.getRecord('users', tenantId, 'owner')).toBeUndefined();
    await Promise.all(
      ['owner', 'second', 'third'].map((id) =>
        store.transaction((tx) =>
          tx.putRecord({ collection: 'users', tenantId, id, data: { id } }),
        ),
      ),
    );
    const schema = tenantSchemaName(tenantId);
    expect(schema).toBe('tenant_0b6e1d2c7a514c3e9d7f1a2b3c4d5e6f');
    const rows = await query(`SELECT id FROM ${schema}.records ORDER BY id`);
    expect(rows.map((row) => row.id)).toEqual(['owner', 'second', 'third']);
    expect(await store.listRecords('users', tenantId)).toHaveLength(3);
    await store.close();
  });

  it('provisions a tenant’s schema on its own, once, and nothing under pooled isolation', async () => {
    const store = await open({ isolation: 'schema' });
    const tenantId = '5f0c2b9e-3d4a-4e1f-8b6c-7a9d0e1f2a3b';
    const schema = tenantSchemaName(tenantId);
    const spaces = await Promise.all(
      [1, 2, 3].map(() => store.transaction((tx) => tx.provisionTenantSpace(tenantId))),
    );
    expect(spaces).toEqual([schema, schema, schema]);
    expect(await query(`SELECT count(*)::int AS n FROM ${schema}.records`)).toEqual([{ n: 0 }]);
    await store.transaction((tx) =>
      tx.putRecord({ collection: 'users', tenantId, id: 'owner', data: {} }),
    );
    expect(await store.listRecords('users', tenantId)).toHaveLength(1);
    await store.close();

    const pooled = await open({ isolation: 'pooled' });
    const other = '6a1d3c0f-4e5b-4f20-9c7d-8b0e1f2a3b4c';
    expect(await pooled.transaction((tx) => tx.provisionTenantSpace(other))).toBeUndefined();
    const found = await query(
      `SELECT count(*)::int AS n FROM information_schema.schemata
       WHERE schema_name = '${tenantSchemaName(other)}'`,
    );
    expect(found).toEqual([{ n: 0 }]);
    await pooled.close();
  });

  it('rolls back the schema of a tenant whose first transaction failed', async () => {
    const store = await open({ isolation: 'schema' });
    const tenantId = 'd5b0a0c4-1f1e-4b8e-8a8e-52f1c54b3a11';
    await expect(
      store.transaction(async (tx) => {
        await tx.putRecord({ collection: 'users', tenantId, id: 'u', data: {} });
        throw new Error('abandoned');
      }),
    ).rejects.toThrow('abandoned');
    expect(await store.listRecords('users', tenantId)).toEqual([]);
    await store.transaction((tx) =>
      tx.putRecord({ collection: 'users', tenantId, id: 'u', data: { again: true } }),
    );
    expect(await store.getRecord('users', tenantId, 'u')).toMatchObject({ data: { again: true } });
    await store.close();
  });

  it('refuses a Tx used after its transaction ended, and a cursor it did not hand out', async () => {
    const store = await open();
    const tx = await store.transaction(async (tx) => tx);
    await expect(tx.receive('billing', 'late')).rejects.toThrow('has ended');
    await expect(
      store.listSagas({ type: 'onboarding', limit: 1, cursor: 'nope' }),
    ).rejects.toBeInstanceOf(InvalidCursor);
    await store.close();
  });
});

async function query(statement: string): Promise<Record<string, unknown>[]> {
  const client = new pg.Client({ connectionString: database!.url });
  await client.connect();
  try {
    return (await client.query(statement)).rows as Record<string, unknown>[];
  } finally {
    await client.end();
  }
}
