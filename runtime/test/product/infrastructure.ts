/**
 * What the product tests run on: the embedded runtime by default (SQLite in the product's folder,
 * the memory transport), PostgreSQL when `DATABASE_URL=postgres://…` and RabbitMQ when
 * `BUS_URL=amqp://…` (each independently; see test/runtime/integration.ts).
 *
 * On PostgreSQL a test file gets a database of its own and each product folder a schema in it;
 * on RabbitMQ each product folder gets a queue prefix. A product restarted on the same folder
 * finds its data and its queues again, and its store takes back the outbox rows its predecessor
 * leased (it uses the same lease owner), as a restarted process would after the lease.
 */
import { createHash } from 'node:crypto';
import { afterAll } from 'vitest';
import { isolation } from '../../src/catalog.js';
import type { Clock } from '../../src/runtime/clock.js';
import { silentLogger } from '../../src/runtime/logger.js';
import { MemoryTransport } from '../../src/runtime/memory-transport.js';
import { PostgresStore } from '../../src/runtime/postgres-store.js';
import { RabbitMqTransport } from '../../src/runtime/rabbitmq-transport.js';
import type { Store } from '../../src/runtime/store.js';
import type { Transport } from '../../src/runtime/transport.js';
import type { ScratchDatabase } from '../runtime/integration.js';
import { optionalServiceUrl, runId, scratchDatabase } from '../runtime/integration.js';

const databaseUrl = optionalServiceUrl('DATABASE_URL');
const busUrl = optionalServiceUrl('BUS_URL');
const run = runId();

let database: Promise<ScratchDatabase> | undefined;
if (databaseUrl) afterAll(async () => (await database)?.drop());

/** Names the test runs on, for test titles and messages. */
export const infrastructure = `${databaseUrl ? 'postgres' : 'sqlite'} + ${busUrl ? 'rabbitmq' : 'memory'}`;

export interface Infrastructure {
  /** Absent: the app's own store from its DATABASE_URL (a SQLite file in the folder). */
  readonly store?: Store;
  readonly transport: Transport;
}

export async function infrastructureFor(dir: string, clock: Clock): Promise<Infrastructure> {
  const key = createHash('sha256').update(dir).digest('hex').slice(0, 12);
  const transport = busUrl
    ? new RabbitMqTransport({
        url: busUrl,
        prefix: `test-${run}-${key}.`,
        retryDelaysMs: [50, 200],
        reconnectDelayMs: { initial: 50, max: 1000 },
        expiresMs: 60_000,
        logger: silentLogger,
      })
    : new MemoryTransport();
  if (!databaseUrl) return { transport };
  database ??= scratchDatabase(databaseUrl);
  const store = new PostgresStore({
    url: (await database).url,
    schema: `product_${key}`,
    clock,
    isolation,
    owner: dir,
    logger: silentLogger,
  });
  return { store, transport };
}
