/**
 * What the machine's stores and broker do with nothing of the product in the way: the ceilings a
 * product's throughput is read against (`npm run bench:compare` measures them in the same run).
 *
 * - SQLite: saga-like transactions per second, one connection, the product's pragmas (WAL,
 *   `synchronous = NORMAL`). A transaction does what a delivery's unit of work does at least: an
 *   inbox row, a saga read and versioned write, an outbox row, an audit row, one commit.
 * - PostgreSQL: the same transaction from `concurrency` connections at once.
 * - RabbitMQ: persistent messages of an envelope's size published with publisher confirms to a
 *   durable queue, up to `window` unconfirmed at a time, as the product's outbox dispatcher does.
 *
 * `npx tsx scripts/raw-limits.ts [--seconds S]` prints one JSON line; PostgreSQL and RabbitMQ are
 * measured when DATABASE_URL and BUS_URL name them.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import amqp from 'amqplib';
import Database from 'better-sqlite3';
import pg from 'pg';
import { withScratchDatabase } from './scratch-database.js';

/** About the size of an onboarding envelope as the outbox stores it. */
const envelope = JSON.stringify({
  eventId: randomUUID(),
  type: 'SubscriptionActivated',
  version: 1,
  occurredAt: new Date().toISOString(),
  tenantId: randomUUID(),
  correlationId: randomUUID(),
  causationId: randomUUID(),
  traceId: `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`,
  payload: { edition: 'pro', trialEndsAt: new Date().toISOString(), note: 'x'.repeat(200) },
});

const schema = [
  'CREATE TABLE inbox (endpoint TEXT NOT NULL, event_id TEXT NOT NULL, PRIMARY KEY (endpoint, event_id))',
  'CREATE TABLE sagas (id TEXT PRIMARY KEY, state TEXT NOT NULL, version INTEGER NOT NULL)',
  'CREATE TABLE outbox (id INTEGER PRIMARY KEY AUTOINCREMENT, envelope TEXT NOT NULL)',
  'CREATE TABLE audit (id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, detail TEXT NOT NULL)',
];

export interface RawLimits {
  readonly sqliteTransactionsPerSecond: number;
  readonly postgresTransactionsPerSecond?: number;
  readonly rabbitmqConfirmedPerSecond?: number;
}

export function sqliteTransactions(seconds: number): number {
  const dir = mkdtempSync(join(tmpdir(), 'raw-sqlite-'));
  const db = new Database(join(dir, 'raw.db'));
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    for (const statement of schema) db.exec(statement);
    const receive = db.prepare('INSERT OR IGNORE INTO inbox (endpoint, event_id) VALUES (?, ?)');
    const load = db.prepare('SELECT state, version FROM sagas WHERE id = ?');
    const insert = db.prepare('INSERT INTO sagas (id, state, version) VALUES (?, ?, 1)');
    const update = db.prepare(
      'UPDATE sagas SET state = ?, version = version + 1 WHERE id = ? AND version = ?',
    );
    const enqueue = db.prepare('INSERT INTO outbox (envelope) VALUES (?)');
    const audit = db.prepare('INSERT INTO audit (id, tenant_id, detail) VALUES (?, ?, ?)');
    const ids = Array.from({ length: 1000 }, () => randomUUID());
    const unit = db.transaction((n: number) => {
      const id = ids[n % ids.length]!;
      receive.run('saga', `${n}`);
      const saga = load.get(id) as { state: string; version: number } | undefined;
      if (saga) update.run(envelope, id, saga.version);
      else insert.run(id, envelope);
      enqueue.run(envelope);
      audit.run(`${n}`, id, envelope);
    });
    let n = 0;
    const end = performance.now() + seconds * 1000;
    const begin = performance.now();
    while (performance.now() < end) unit(n++);
    return Math.round((n / (performance.now() - begin)) * 1000);
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function postgresTransactions(
  url: string,
  seconds: number,
  concurrency: number,
): Promise<number> {
  return withScratchDatabase(url, 'raw_limits', (database) =>
    transactionsOn(database, seconds, concurrency),
  );
}

async function transactionsOn(url: string, seconds: number, concurrency: number): Promise<number> {
  const pool = new pg.Pool({ connectionString: url, max: concurrency });
  // Dropping the database at the end ends the pool's idle connections from the server's side.
  pool.on('error', () => undefined);
  try {
    for (const statement of schema)
      await pool.query(
        statement.replace('INTEGER PRIMARY KEY AUTOINCREMENT', 'BIGSERIAL PRIMARY KEY'),
      );
    let n = 0;
    const end = performance.now() + seconds * 1000;
    const begin = performance.now();
    const worker = async (slot: number) => {
      const client = await pool.connect();
      try {
        const id = randomUUID();
        await client.query('INSERT INTO sagas (id, state, version) VALUES ($1, $2, 1)', [
          id,
          envelope,
        ]);
        while (performance.now() < end) {
          const event = `${slot}-${n++}`;
          await client.query('BEGIN');
          await client.query(
            'INSERT INTO inbox (endpoint, event_id) VALUES ($1, $2) ON CONFLICT DO NOTHING',
            ['saga', event],
          );
          const { rows } = await client.query<{ version: number }>(
            'SELECT version FROM sagas WHERE id = $1',
            [id],
          );
          await client.query(
            'UPDATE sagas SET state = $1, version = version + 1 WHERE id = $2 AND version = $3',
            [envelope, id, rows[0]!.version],
          );
          await client.query('INSERT INTO outbox (envelope) VALUES ($1)', [envelope]);
          await client.query('INSERT INTO audit (id, tenant_id, detail) VALUES ($1, $2, $3)', [
            event,
            id,
            envelope,
          ]);
          await client.query('COMMIT');
        }
      } finally {
        client.release();
      }
    };
    await Promise.all(Array.from({ length: concurrency }, (_, slot) => worker(slot)));
    return Math.round((n / (performance.now() - begin)) * 1000);
  } finally {
    await pool.end();
  }
}

export async function rabbitmqConfirmed(
  url: string,
  seconds: number,
  window = 500,
): Promise<number> {
  const connection = await amqp.connect(url);
  const channel = await connection.createConfirmChannel();
  const queue = `raw-limits-${randomBytes(4).toString('hex')}`;
  try {
    await channel.assertQueue(queue, { durable: true });
    const body = Buffer.from(envelope);
    let confirmed = 0;
    let inFlight = 0;
    let failed: Error | undefined;
    let wake: (() => void) | undefined;
    const end = performance.now() + seconds * 1000;
    const begin = performance.now();
    while (performance.now() < end && !failed) {
      if (inFlight >= window) {
        await new Promise<void>((resolve) => (wake = resolve));
        continue;
      }
      inFlight++;
      channel.sendToQueue(queue, body, { persistent: true }, (error) => {
        inFlight--;
        if (error) failed = error instanceof Error ? error : new Error(String(error));
        else confirmed++;
        wake?.();
        wake = undefined;
      });
      // Let the socket drain and the confirms come in now and then.
      if (inFlight % 50 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    await channel.waitForConfirms();
    if (failed) throw failed;
    return Math.round((confirmed / (performance.now() - begin)) * 1000);
  } finally {
    await channel.deleteQueue(queue).catch(() => undefined);
    await connection.close();
  }
}

export async function measureRawLimits(
  options: { seconds?: number; concurrency?: number; databaseUrl?: string; busUrl?: string } = {},
): Promise<RawLimits> {
  const seconds = options.seconds ?? 5;
  const limits: { -readonly [K in keyof RawLimits]: RawLimits[K] } = {
    sqliteTransactionsPerSecond: sqliteTransactions(seconds),
  };
  if (options.databaseUrl)
    limits.postgresTransactionsPerSecond = await postgresTransactions(
      options.databaseUrl,
      seconds,
      options.concurrency ?? 50,
    );
  if (options.busUrl)
    limits.rabbitmqConfirmedPerSecond = await rabbitmqConfirmed(options.busUrl, seconds);
  return limits;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { values } = parseArgs({ options: { seconds: { type: 'string', default: '5' } } });
  const named = (value: string | undefined, scheme: RegExp) =>
    value && scheme.test(value) ? value : undefined;
  const databaseUrl = named(process.env.DATABASE_URL, /^postgres(ql)?:\/\//);
  const busUrl = named(process.env.BUS_URL, /^amqps?:\/\//);
  const limits = await measureRawLimits({
    seconds: Number(values.seconds),
    ...(databaseUrl ? { databaseUrl } : {}),
    ...(busUrl ? { busUrl } : {}),
  });
  console.log(JSON.stringify(limits));
}
