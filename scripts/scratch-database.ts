/** A PostgreSQL database of its own for one measurement, dropped afterwards whatever happened. */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** Runs `work` with the URL of a new database on the server `url` names, then drops it. */
export async function withScratchDatabase<T>(
  url: string,
  prefix: string,
  work: (url: string) => Promise<T>,
): Promise<T> {
  const database = `${prefix}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${database}`);
    const target = new URL(url);
    target.pathname = `/${database}`;
    return await work(target.toString());
  } finally {
    // FORCE: connections the work left open (a pool's idle ones) must not keep it alive.
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).catch(() => undefined);
    await admin.end();
  }
}
