import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/runtime/clock.js';
import { migrateSqlite } from '../../src/runtime/sqlite-schema.js';
import { SqliteStore, sqlitePath, StoreBusy } from '../../src/runtime/sqlite-store.js';
import { RecentlyCommitted } from '../../src/runtime/sqlite-tx.js';
import { ConcurrencyConflict, InvalidCursor } from '../../src/runtime/store.js';
import { envelope } from './support.js';
import { storeContract } from './store.contract.js';

const directory = mkdtempSync(join(tmpdir(), 'sqlite-store-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));
let files = 0;
const newFile = () => `file:${join(directory, `nested/store-${(files += 1)}.db`)}`;

async function open(url: string, clock = new ManualClock()): Promise<SqliteStore> {
  const store = new SqliteStore({ url, clock });
  await store.migrate();
  return store;
}

storeContract('sqlite (file)', (clock) => open(newFile(), clock));
storeContract('sqlite (memory)', (clock) => open(':memory:', clock));

describe('sqlite store', () => {
  it('reads its file from a DATABASE_URL', () => {
    expect(sqlitePath('file:./data/app.db')).toBe('./data/app.db');
    expect(sqlitePath('file:///var/lib/app.db')).toBe('/var/lib/app.db');
    expect(sqlitePath('file::memory:')).toBe(':memory:');
    expect(sqlitePath(':memory:')).toBe(':memory:');
  });

  it('migrates idempotently, and keeps data across connections', async () => {
    const url = newFile();
    const first = await open(url);
    await first.migrate();
    await first.transaction(async (tx) => {
      tx.publishAfterCommit([envelope('Kept')]);
    });
    await first.close();
    const second = await open(url);
    expect((await second.pendingOutbox(10)).map((record) => record.envelope.type)).toEqual([
      'Kept',
    ]);
    await second.close();
  });

  it('finds the messages an older version of its schema published, once migrated', async () => {
    const url = newFile();
    const old = new Database(sqlitePath(url));
    migrateSqlite(old, 2); // before the outbox had event_id and type columns
    const published = envelope('PaymentPastDue');
    old
      .prepare('INSERT INTO outbox (envelope, created_at) VALUES (?, ?)')
      .run(JSON.stringify(published), Date.now());
    old.close();

    const store = await open(url);
    const cause = { eventId: published.eventId, types: ['PaymentPastDue'] };
    const receive = (eventId: string) =>
      store.transaction((tx) => tx.receive('billing', eventId, cause));
    expect(await receive('effect-1')).toBe('awaits-cause');
    await store.transaction((tx) => tx.receive('billing', published.eventId));
    expect(await receive('effect-2')).toBe('new');
    expect((await store.pendingOutbox(1)).map((record) => record.envelope)).toEqual([published]);
    expect(await store.tenantMessages(published.tenantId, 10)).toEqual([published]);
    await store.close();
  });

  it('commits units that queue up together in one go, each on its own savepoint', async () => {
    const url = newFile();
    const [store, reader] = [await open(url), await open(url)];
    const seenByReader = new Map<string, string[]>();
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, unit) =>
        store
          .transaction(async (tx) => {
            tx.publishAfterCommit([envelope(`Unit${unit}`)]);
            if (unit === 3) throw new Error('unit 3 fails');
          })
          .then(async () => {
            // A caller hears of its unit only once it is durable: another connection sees it.
            const pending = await reader.pendingOutbox(20);
            seenByReader.set(
              `Unit${unit}`,
              pending.map((record) => record.envelope.type),
            );
          }),
      ),
    );
    expect(results.map((result) => result.status)).toEqual(
      Array.from({ length: 10 }, (_, unit) => (unit === 3 ? 'rejected' : 'fulfilled')),
    );
    const committed = Array.from({ length: 10 }, (_, unit) => `Unit${unit}`).filter(
      (type) => type !== 'Unit3',
    );
    for (const type of committed) expect(seenByReader.get(type), type).toContain(type);
    expect((await reader.pendingOutbox(20)).map((record) => record.envelope.type)).toEqual(
      committed,
    );
    await Promise.all([store.close(), reader.close()]);
  });

  it('answers a cause check from what it committed: a unit rolled back in a group is not in it', async () => {
    const store = await open(newFile());
    const cause = envelope('Registered');
    await store.transaction(async (tx) => {
      tx.publishAfterCommit([cause]);
    });
    const results = await Promise.allSettled([
      store.transaction(async (tx) => {
        await tx.receive('saga', cause.eventId);
        throw new Error('handler failed');
      }),
      store.transaction((tx) => tx.receive('billing', cause.eventId)),
    ]);
    expect(results.map((result) => result.status)).toEqual(['rejected', 'fulfilled']);
    const receive = (endpoint: string, eventId: string) =>
      store.transaction((tx) =>
        tx.receive(endpoint, eventId, { eventId: cause.eventId, types: ['Registered'] }),
      );
    expect(await receive('saga', 'effect-1')).toBe('awaits-cause');
    expect(await receive('billing', 'effect-2')).toBe('new');
    await store.close();
  });

  it('remembers the newest inbox entries and messages, as many of each as it may', () => {
    const recent = new RecentlyCommitted(2);
    const cause = (eventId: string) => ({ eventId, types: ['Registered'] });
    recent.add({ received: [['saga', 'e1']], published: [['e1', 'Registered']] });
    expect(recent.rulesOut('saga', cause('e1'))).toBe(true);
    // Published here with a type the endpoint takes, not yet processed by it: ask the database.
    expect(recent.rulesOut('billing', cause('e1'))).toBe(false);
    recent.add({ received: [], published: [['e2', 'Invited']] });
    expect(recent.rulesOut('billing', cause('e2'))).toBe(true);
    expect(recent.rulesOut('billing', cause('unknown'))).toBe(false);

    recent.add({
      received: [
        ['saga', 'e3'],
        ['saga', 'e4'],
      ],
      published: [['e5', 'Invited']],
    });
    expect(recent.rulesOut('saga', cause('e1'))).toBe(false);
    expect(recent.rulesOut('saga', cause('e4'))).toBe(true);
    expect(recent.rulesOut('billing', cause('e2'))).toBe(true);
    expect(recent.rulesOut('billing', cause('e5'))).toBe(true);
  });

  it('reports no unit of a group done when SQLite rolled the whole transaction back', async () => {
    const url = newFile();
    const store = await open(url);
    // A trigger that aborts the whole transaction, as some errors (a full disk) do.
    const admin = new Database(sqlitePath(url));
    admin.exec(`CREATE TRIGGER boom BEFORE INSERT ON uniques WHEN NEW.key = 'boom'
                BEGIN SELECT RAISE(ROLLBACK, 'boom'); END`);
    admin.close();
    const publish = (type: string) =>
      store.transaction(async (tx) => {
        tx.publishAfterCommit([envelope(type)]);
      });
    const [before, failing, after] = await Promise.allSettled([
      publish('Before'),
      store.transaction((tx) => tx.claimUnique('slug', 'boom', 'tenant')),
      publish('After'),
    ]);
    expect(before.status, 'its writes were rolled back with the group').toBe('rejected');
    expect(failing.status).toBe('rejected');
    expect(after.status).toBe('fulfilled');
    expect((await store.pendingOutbox(10)).map((record) => record.envelope.type)).toEqual([
      'After',
    ]);
    await store.close();
  });

  // Two connections to one file behave like two processes (ROLE=api and ROLE=worker).
  it('keeps its guarantees between two connections to one file', async () => {
    const url = newFile();
    const [left, right] = [await open(url), await open(url)];
    const record = {
      type: 'onboarding',
      id: 'saga-1',
      tenantId: 't',
      state: { state: 'Registered' },
    };
    // One after the other: in one process, the second connection's BEGIN IMMEDIATE would block
    // the event loop that the first needs to finish (two processes do not have that problem).
    await left.transaction((tx) => tx.saveSaga(record, 0));
    await right.transaction((tx) => tx.saveSaga(record, 1));
    await expect(left.transaction((tx) => tx.saveSaga(record, 1))).rejects.toBeInstanceOf(
      ConcurrencyConflict,
    );

    const now = new Date('2030-01-01T00:00:00Z');
    for (let index = 0; index < 20; index += 1) {
      const id = `due-${index}`;
      const scheduled = {
        id,
        dueAt: now.toISOString(),
        endpoint: null,
        envelope: envelope(id),
        attempt: 1,
      };
      await left.transaction((tx) => tx.schedule(scheduled));
    }
    const claims = await Promise.all(
      [left, right, left, right].map((store) => store.claimDue(now, 6)),
    );
    const ids = claims.flat().map((claimed) => claimed.id);
    expect(ids).toHaveLength(20);
    expect(new Set(ids).size).toBe(20);
    await Promise.all([left.close(), right.close()]);
  });

  it('fails a Store call inside a transaction, which waits for itself, after lockTimeoutMs', async () => {
    const store = new SqliteStore({ url: ':memory:', lockTimeoutMs: 100 });
    await store.migrate();
    const waiting = store.transaction(async (tx) => {
      await tx.receive('billing', 'event-1');
      await store.pendingOutbox(1);
    });
    await expect(waiting).rejects.toThrow(StoreBusy);
    await expect(waiting).rejects.toThrow('use its Tx');
    // The transaction rolled back, and the store works on.
    expect(await store.transaction((tx) => tx.receive('billing', 'event-1'))).toBe('new');
    await store.close();
  });

  it('keeps work that waits its turn under lockTimeoutMs', async () => {
    const store = new SqliteStore({ url: ':memory:', lockTimeoutMs: 200 });
    await store.migrate();
    const slow = store.transaction(() => new Promise((resolve) => setTimeout(resolve, 100)));
    await expect(Promise.all([slow, store.pendingOutbox(1)])).resolves.toEqual([undefined, []]);
    await store.close();
  });

  it('refuses a Tx used after its transaction ended', async () => {
    const store = await open(':memory:');
    const tx = await store.transaction(async (tx) => tx);
    await expect(tx.receive('billing', 'late')).rejects.toThrow('has ended');
    await store.close();
  });

  it('rejects a cursor it did not hand out', async () => {
    const store = await open(':memory:');
    await expect(
      store.listSagas({ type: 'onboarding', limit: 1, cursor: 'nope' }),
    ).rejects.toBeInstanceOf(InvalidCursor);
    await store.close();
  });
});
