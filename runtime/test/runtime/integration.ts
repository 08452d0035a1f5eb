/**
 * The external services that integration tests (and the product tests, see
 * test/product/harness.ts) run against, named by the product's own configuration variables:
 * `DATABASE_URL=postgres://…` and `BUS_URL=amqp://…`. Without them the integration tests skip,
 * loudly; under `CI=true` they fail instead, because a CI without its services must not pass green.
 *
 * Every run works in a space of its own, so parallel runs on one server cannot collide: a database
 * created for the run (dropped at its end) on PostgreSQL, a queue prefix on RabbitMQ (its
 * queues expire once unused).
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

type Variable = 'DATABASE_URL' | 'BUS_URL';

const schemes: Record<Variable, RegExp> = {
  DATABASE_URL: /^postgres(ql)?:\/\//,
  BUS_URL: /^amqps?:\/\//,
};

/** The variable's URL when it names the service, else undefined (after warning, outside CI). */
export function serviceUrl(variable: Variable, env = process.env): string | undefined {
  const url = env[variable];
  if (url && schemes[variable].test(url)) return url;
  const why = url ? `${variable}=${url} does not name one` : `${variable} is not set`;
  const expected = variable === 'DATABASE_URL' ? 'postgres://…' : 'amqp://…';
  if (env.CI === 'true')
    throw new Error(`CI=true runs the integration tests, which need ${expected}: ${why}`);
  console.warn(`⚠ SKIPPING ${expected} integration tests: ${why} (CI=true makes this an error)`);
  return undefined;
}

/** Like `serviceUrl`, without the warning or the CI check: for tests that also run without. */
export function optionalServiceUrl(variable: Variable, env = process.env): string | undefined {
  const url = env[variable];
  return url && schemes[variable].test(url) ? url : undefined;
}

export const runId = (): string => randomBytes(4).toString('hex');

export interface ScratchDatabase {
  readonly url: string;
  drop(): Promise<void>;
}

/** Creates an empty database on the server of `url`, for this run only. */
export async function scratchDatabase(url: string): Promise<ScratchDatabase> {
  const name = `test_${Date.now().toString(36)}_${runId()}`;
  await adminQuery(url, `CREATE DATABASE ${name}`);
  const scratch = new URL(url);
  scratch.pathname = `/${name}`;
  return {
    url: scratch.toString(),
    drop: () => adminQuery(url, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

async function adminQuery(url: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}
