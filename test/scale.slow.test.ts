/**
 * The slow tier, scaled out: one generated product run as one `ROLE=api` process and two
 * `ROLE=worker` processes on the local PostgreSQL and RabbitMQ, a few hundred sign-ups at once,
 * and a failure in the middle of them: a worker killed with SIGKILL (and restarted), or every
 * broker connection of the product dropped. Every accepted tenant must end up Active with each
 * onboarding step done exactly once and no side effect twice.
 *
 * Needs `rabbitmq-server` (amqp://guest:guest@127.0.0.1:5672, `rabbitmqctl` usable by this user),
 * PostgreSQL (postgres://postgres@127.0.0.1:5432, trust auth, `psql` on the PATH) and `ss`.
 *
 * The broker is shared: the product's exchanges and queues are durable, so the runs of this file
 * use one `BUS_PREFIX` of their own (a prefix per run would leave a set of durable queues behind
 * on every run). Messages an earlier, interrupted run left in those queues name tenants this run's
 * database does not know: they end up as its dead letters, so the assertions look at this run's
 * tenants only. Two runs at the same time on one broker would take each other's messages: don't.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { execa } from 'execa';
import type { ResultPromise } from 'execa';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, saasGen, tempDir } from './support/cli.js';
import { useLocalRegistry } from './support/registry.js';

const minutes = 60_000;
const root = tempDir('saas-gen-scale-');
const product = join(root, 'acme');
const blueprintPath = join(repoRoot, 'examples/acme-analytics/blueprint.yaml');
const adminToken = 'scale-tier-admin-token-0123456789abcdef';
const jwtSecret = 'scale-tier-jwt-secret-0123456789abcdef0123456789';
const operator = { authorization: `Bearer ${adminToken}` };
const busUrl = 'amqp://guest:guest@127.0.0.1:5672/';
const postgres = { host: '127.0.0.1', port: '5432', user: 'postgres' };

const blueprint = parse(readFileSync(blueprintPath, 'utf8')) as {
  tenancy: { slug: string };
  workflows: {
    onboarding: {
      steps: Record<string, { emits?: string }>;
      reactions?: Record<string, { on: string; emits?: string }>;
    };
  };
};
const onboardingSteps = Object.keys(blueprint.workflows.onboarding.steps).sort();
/** What one onboarding publishes, each exactly once: a second one would be a step done twice. */
const onboardingEvents = [
  'TenantRegistered',
  ...Object.values(blueprint.workflows.onboarding.steps).map((step) => step.emits),
  ...Object.values(blueprint.workflows.onboarding.reactions ?? {}).map((step) => step.emits),
]
  .filter((type): type is string => type !== undefined)
  .sort();
const slugPattern = new RegExp(blueprint.tenancy.slug);

const signUps = 300;
const signUpConcurrency = 20;

// The product's install fetches its saas-gen devDependency from here: it is on no public registry.
const registry = useLocalRegistry();

beforeAll(async () => {
  const created = await saasGen(['new', product, '--blueprint', blueprintPath, '--skip-install']);
  expect(created.exitCode, created.stderr + created.stdout).toBe(0);
  // A product of the same generator installed elsewhere (test/product.slow.test.ts's, say) has
  // the same dependencies: borrow them instead of spending minutes in `npm install`.
  const modules = process.env.SAAS_GEN_PRODUCT_MODULES;
  if (modules) {
    expect(existsSync(modules), `SAAS_GEN_PRODUCT_MODULES=${modules} does not exist`).toBe(true);
    symlinkSync(modules, join(product, 'node_modules'));
  } else {
    const installed = await execa('npm', ['install', '--no-audit', '--no-fund'], {
      cwd: product,
      reject: false,
      all: true,
      env: { CI: 'true', NO_COLOR: '1', ...registry.env },
    });
    expect(installed.exitCode, installed.all?.slice(-4000)).toBe(0);
  }
}, 15 * minutes);

/** What a test that timed out may have left: killed and dropped here at the latest. */
const live = new Set<ProductProcess>();
const databases = new Set<string>();

afterAll(async () => {
  await Promise.all([...live].map((process) => process.kill()));
  for (const database of databases) await dropDatabase(database);
  rmSync(root, { recursive: true, force: true });
}, 2 * minutes);

/** One process of the product: `npm start` in a process group of its own. */
class ProductProcess {
  readonly port: number;
  readonly #name: string;
  readonly #env: Record<string, string>;
  readonly #log: string;
  #child: ResultPromise | undefined;

  constructor(name: string, port: number, env: Record<string, string>, logDir: string) {
    this.#name = name;
    this.port = port;
    this.#env = env;
    this.#log = join(logDir, `${name}.log`);
  }

  get base(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The process group's id (npm's pid): npm, tsx and node all belong to it. */
  get group(): number | undefined {
    return this.#child?.pid;
  }

  async start(): Promise<void> {
    const file = { file: this.#log, append: true } as const;
    this.#child = execa('npm', ['start'], {
      cwd: product,
      detached: true,
      reject: false,
      extendEnv: false,
      env: { ...inheritedEnv(), ...this.#env, PORT: String(this.port) },
      stdin: 'ignore',
      stdout: file,
      stderr: file,
    });
    live.add(this);
    const child = this.#child;
    let exited = false;
    void child.then(() => (exited = true));
    await waitFor(
      async () => {
        if (exited) throw new Stop(`${this.#name} exited while starting:\n${this.logTail()}`);
        return (await fetch(`${this.base}/health`)).ok;
      },
      90_000,
      () => `${this.#name} never answered /health:\n${this.logTail()}`,
    );
  }

  /** SIGKILL to the whole process group, as a crash would. */
  async kill(): Promise<void> {
    const child = this.#child;
    this.#child = undefined;
    live.delete(this);
    if (!child?.pid) return;
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
    await child;
  }

  logTail(lines = 40): string {
    if (!existsSync(this.#log)) return '(no output)';
    return readFileSync(this.#log, 'utf8')
      .split('\n')
      .filter((line) => !line.includes('is a placeholder'))
      .slice(-lines)
      .join('\n');
  }
}

/** The test runner's environment without what makes a process think it is under test. */
function inheritedEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined || key === 'NODE_ENV' || /^_*VITEST/.test(key)) continue;
    env[key] = value;
  }
  return env;
}

interface Deployment {
  readonly database: string;
  readonly mailDir: string;
  readonly api: ProductProcess;
  readonly workers: readonly [ProductProcess, ProductProcess];
  readonly all: readonly ProductProcess[];
}

/**
 * An e-mail's text as a reader sees it: a quoted-printable body has its soft line breaks and
 * escapes undone, so a code the encoder happened to wrap is still found whole.
 */
function mailBody(message: string): string {
  const [headers = '', ...rest] = message.split('\r\n\r\n');
  const body = rest.join('\r\n\r\n');
  if (!/^Content-Transfer-Encoding: quoted-printable$/im.test(headers)) return body;
  return Buffer.from(
    body
      .replace(/=\r\n/g, '')
      .replace(/=([0-9A-F]{2})/g, (_match, hex: string) => String.fromCharCode(parseInt(hex, 16))),
    'latin1',
  ).toString('utf8');
}

let runs = 0;

/** A fresh database and mail folder, the api and two workers on them; torn down after `body`. */
async function withDeployment(body: (deployment: Deployment) => Promise<void>): Promise<void> {
  runs += 1;
  const tag = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
  const database = `scale_${tag}`;
  const dir = join(root, `run-${runs}`);
  const mailDir = join(dir, 'mail');
  mkdirSync(mailDir, { recursive: true });
  await psql('postgres', `CREATE DATABASE ${database}`);
  databases.add(database);
  const env = {
    DATABASE_URL: `postgres://${postgres.user}@${postgres.host}:${postgres.port}/${database}`,
    BUS_URL: busUrl,
    BUS_PREFIX: 'saas-gen-scale.',
    ADMIN_TOKEN: adminToken,
    // Set, so that no process writes a generated one under data/ while another reads it.
    JWT_SECRET: jwtSecret,
    LOG_LEVEL: 'warn',
    MAIL_DIR: mailDir,
    // Hundreds of sign-ups from one address: more than the per-client limit allows.
    SIGNUP_RATE_LIMIT: '0',
    NO_COLOR: '1',
  };
  const [apiPort, worker1Port, worker2Port] = await Promise.all([
    freePort(),
    freePort(),
    freePort(),
  ]);
  const api = new ProductProcess('api', apiPort, { ...env, ROLE: 'api' }, dir);
  const workers = [
    new ProductProcess('worker-1', worker1Port, { ...env, ROLE: 'worker' }, dir),
    new ProductProcess('worker-2', worker2Port, { ...env, ROLE: 'worker' }, dir),
  ] as const;
  const all = [api, ...workers];
  try {
    // The api first: the schema is migrated once before the workers race for it (they would
    // also cope, behind the migration lock).
    await api.start();
    await Promise.all(workers.map((worker) => worker.start()));
    await body({ database, mailDir, api, workers, all });
  } catch (error) {
    const logs = all.map((process) => `--- ${process.base}\n${process.logTail(20)}`).join('\n');
    if (error instanceof Error) error.message += `\n\nlast lines of the processes:\n${logs}`;
    throw error;
  } finally {
    await Promise.all(all.map((process) => process.kill()));
    await dropDatabase(database);
  }
}

/**
 * Signs up `signUps` tenants, `signUpConcurrency` at a time, with `disrupt` in the middle: it
 * starts once a third is accepted. While it is under way, sign-ups go on at a trickle (one at a
 * time, a pause between them) so that they do not run out before it is over; the rest follow at
 * full speed once it is. `during` counts the sign-ups accepted while it was under way.
 */
async function signUpMany(
  api: ProductProcess,
  disrupt: () => Promise<void>,
): Promise<{ accepted: string[]; refused: string[]; during: number }> {
  const accepted: string[] = [];
  const refused: string[] = [];
  let next = 0;
  let disruption: Promise<void> | undefined;
  let underWay = false;
  let during = 0;
  const startDisruption = () => {
    if (!disruption) {
      underWay = true;
      disruption = disrupt().finally(() => (underWay = false));
      // Awaited below; until then its failure must not count as unhandled.
      disruption.catch(() => undefined);
    }
    return disruption;
  };
  const signUp = async (index: number) => {
    const slug = `scale-${String(index).padStart(4, '0')}`;
    expect(slug).toMatch(slugPattern);
    const response = await fetch(`${api.base}/tenants`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        slug,
        name: `Scale ${index}`,
        owner: { email: `owner-${index}@example.com`, name: `Owner ${index}` },
      }),
    });
    if (response.status !== 202) {
      refused.push(`${slug}: ${response.status} ${await response.text()}`);
      return;
    }
    accepted.push(((await response.json()) as { tenantId: string }).tenantId);
    if (underWay) during += 1;
    if (accepted.length >= signUps / 3) void startDisruption();
  };
  await Promise.all(
    Array.from({ length: signUpConcurrency }, async (_, lane) => {
      while (next < signUps) {
        if (underWay) {
          if (lane > 0 || next >= (5 * signUps) / 6) {
            await disruption!.catch(() => undefined);
            continue;
          }
          await sleep(100);
        }
        await signUp(next++);
      }
    }),
  );
  await startDisruption();
  return { accepted, refused, during };
}

interface TenantView {
  readonly state: string;
  readonly steps: Record<string, string>;
  readonly failure?: unknown;
}

/** Polls `GET /tenants/{id}` until every tenant is Active; fails early on a failed one. */
async function waitUntilActive(api: ProductProcess, tenants: readonly string[]): Promise<void> {
  let pending = [...tenants];
  let last: Record<string, TenantView> = {};
  await waitFor(
    async () => {
      const views = await mapLimit(pending, 25, async (id) => {
        const response = await fetch(`${api.base}/tenants/${id}`, { headers: operator });
        expect(response.status, `GET /tenants/${id}`).toBe(200);
        return [id, (await response.json()) as TenantView] as const;
      });
      last = Object.fromEntries(views);
      const failed = views.filter(([, view]) => view.state === 'ProvisioningFailed');
      if (failed.length > 0)
        throw new Stop(`tenants failed onboarding: ${JSON.stringify(failed.slice(0, 3))}`);
      pending = views.filter(([, view]) => view.state !== 'Active').map(([id]) => id);
      return pending.length === 0;
    },
    5 * minutes,
    () =>
      `${pending.length} of ${tenants.length} tenants are not Active, e.g. ${JSON.stringify(
        pending.slice(0, 3).map((id) => ({ id, ...last[id] })),
      )}`,
  );
}

/** Everything that must hold once every accepted tenant is Active. */
async function expectEachStepOnce(deployment: Deployment, tenants: readonly string[]) {
  const { api, database, mailDir } = deployment;

  // The audit trail: registered once, each step succeeded once, activated once.
  await mapLimit(tenants, 25, async (id) => {
    const response = await fetch(`${api.base}/tenants/${id}/timeline`, { headers: operator });
    expect(response.status, `GET /tenants/${id}/timeline`).toBe(200);
    const { entries } = (await response.json()) as {
      entries: { action: string; detail: { step?: string } }[];
    };
    const succeeded = entries
      .filter((entry) => entry.action === 'stepSucceeded')
      .map((entry) => entry.detail.step);
    expect(succeeded.sort(), `succeeded steps of ${id}`).toEqual(onboardingSteps);
    const count = (action: string) => entries.filter((entry) => entry.action === action).length;
    expect(count('register'), `register of ${id}`).toBe(1);
    expect(count('startProvisioning'), `startProvisioning of ${id}`).toBe(1);
    expect(count('allStepsSucceeded'), `allStepsSucceeded of ${id}`).toBe(1);
    expect(count('stepFailed'), `stepFailed of ${id}`).toBe(0);
  });

  const ours = new Set(tenants);
  const sqlList = tenants.map((id) => `'${id}'`).join(',');

  // Every message the product committed is in the outbox (kept for the inbox retention): a step
  // whose handler committed twice would have published its event twice, under two event ids.
  const published = await psql(
    database,
    `SELECT envelope->>'tenantId', envelope->>'type', count(DISTINCT envelope->>'eventId')
       FROM outbox WHERE envelope->>'tenantId' IN (${sqlList}) GROUP BY 1, 2`,
  );
  const events = new Map<string, Record<string, number>>();
  for (const [tenant, type, count] of published) {
    const byType = events.get(tenant!) ?? {};
    byType[type!] = Number(count);
    events.set(tenant!, byType);
  }
  for (const id of tenants) {
    const byType = events.get(id) ?? {};
    for (const type of onboardingEvents) expect(byType[type], `${type} of ${id}`).toBe(1);
  }

  // One subscription and one owner per tenant, and they are the ones the events announced.
  const records = await psql(
    database,
    `SELECT tenant_id, collection, id, data FROM records
      WHERE collection IN ('subscriptions', 'users') AND tenant_id IN (${sqlList})`,
  );
  const invited = new Map<string, { userId: string; invitationId: string }>();
  const activated = new Map<string, { subscriptionId: string }>();
  for (const [tenant, type, payload] of await psql(
    database,
    `SELECT envelope->>'tenantId', envelope->>'type', envelope->'payload' FROM outbox
      WHERE envelope->>'type' IN ('UserInvited', 'SubscriptionActivated')
        AND envelope->>'tenantId' IN (${sqlList})`,
  )) {
    if (type === 'UserInvited') invited.set(tenant!, JSON.parse(payload!));
    else activated.set(tenant!, JSON.parse(payload!));
  }
  const subscriptions = new Map<string, unknown[]>();
  const owners = new Map<string, unknown[]>();
  for (const [tenant, collection, , data] of records) {
    const doc = JSON.parse(data!) as Record<string, unknown>;
    if (collection === 'subscriptions')
      subscriptions.set(tenant!, [...(subscriptions.get(tenant!) ?? []), doc]);
    else if (doc.role === 'owner') owners.set(tenant!, [...(owners.get(tenant!) ?? []), doc]);
  }
  for (const id of tenants) {
    const subscription = subscriptions.get(id) ?? [];
    expect(subscription, `subscriptions of ${id}`).toHaveLength(1);
    expect(subscription[0], `subscription of ${id}`).toMatchObject({
      subscriptionId: activated.get(id)?.subscriptionId,
      status: expect.not.stringMatching(/^canceled$/),
    });
    const owner = owners.get(id) ?? [];
    expect(owner, `owners of ${id}`).toHaveLength(1);
    expect(owner[0], `owner of ${id}`).toMatchObject({
      userId: invited.get(id)?.userId,
      status: 'Invited',
    });
  }

  // One activation e-mail per tenant, carrying the code of the invitation that was committed
  // (derived from it with the runtime's own code and JWT_SECRET; no message carries the code).
  const runtimeEntry = join(product, 'node_modules/@saas-gen/runtime/dist/index.js');
  const { activationCodes } = (await import(runtimeEntry)) as {
    activationCodes: (secret: string) => { code(tenantId: string, invitationId: string): string };
  };
  const codes = activationCodes(jwtSecret);
  const mails = readdirSync(mailDir).filter((name) => name.endsWith('.eml'));
  for (const id of tenants) {
    const mine = mails.filter((name) => name.startsWith(`${id}-activation-`));
    expect(mine, `activation e-mails of ${id}`).toHaveLength(1);
    const owner = owners.get(id)![0] as { invitationId: string };
    expect(owner.invitationId, `invitation of ${id}`).toBe(invited.get(id)?.invitationId);
    expect(
      mailBody(readFileSync(join(mailDir, mine[0]!), 'utf8')),
      `activation e-mail of ${id}`,
    ).toContain(`code: ${codes.code(id, owner.invitationId)}`);
  }
  expect(
    mails.filter((name) => !ours.has(name.slice(0, 36))),
    'e-mails to nobody signed up',
  ).toEqual([]);

  // Nothing gave up on any of this run's tenants.
  const dead = await psql(
    database,
    `SELECT endpoint, type, error_type, error_message FROM dead_letters
      WHERE tenant_id IN (${sqlList})`,
  );
  expect(dead, 'dead letters').toEqual([]);
}

describe('one api and two workers on PostgreSQL and RabbitMQ', () => {
  it(
    'onboards every sign-up exactly once while a worker is killed with SIGKILL and restarted',
    async () => {
      await withDeployment(async (deployment) => {
        const [victim] = deployment.workers;
        const { accepted, refused, during } = await signUpMany(deployment.api, async () => {
          await victim.kill();
          // The other worker carries on alone for a while, then the killed one comes back.
          await sleep(3000);
          await victim.start();
        });
        expect(refused, 'refused sign-ups').toEqual([]);
        expect(accepted).toHaveLength(signUps);
        expect(during, 'sign-ups accepted while the worker was down').toBeGreaterThan(0);
        await waitUntilActive(deployment.api, accepted);
        await expectEachStepOnce(deployment, accepted);
      });
    },
    10 * minutes,
  );

  it(
    'onboards every sign-up exactly once while the broker drops every connection',
    async () => {
      await withDeployment(async (deployment) => {
        const { accepted, refused, during } = await signUpMany(deployment.api, () =>
          dropBrokerConnections(deployment.all),
        );
        expect(refused, 'refused sign-ups').toEqual([]);
        expect(accepted).toHaveLength(signUps);
        expect(during, 'sign-ups accepted while the connections were dropped').toBeGreaterThan(0);
        await waitUntilActive(deployment.api, accepted);
        await expectEachStepOnce(deployment, accepted);
      });
    },
    10 * minutes,
  );
});

/**
 * Has the broker close every AMQP connection of these processes (as `rabbitmqctl
 * close_connection` does: CONNECTION_FORCED), and waits until each process has connected again.
 * Only theirs: `rabbitmqctl close_all_connections` would also cut whatever else uses this broker
 * (other test runs, other products' tests), so the connections are picked by their port. One
 * `rabbitmqctl eval` closes them all: each `rabbitmqctl` call boots an Erlang VM, which takes
 * seconds on a busy machine, and the sign-ups should still be in flight when the close lands.
 */
async function dropBrokerConnections(processes: readonly ProductProcess[]): Promise<void> {
  const groups = new Set(processes.map((process) => process.group));
  const before = await amqpSockets(groups);
  expect(
    new Set(before.map((socket) => socket.group)),
    'every process holds a broker connection',
  ).toEqual(groups);
  const ports = before.map((socket) => socket.port);
  const closed = await execa('rabbitmqctl', [
    'eval',
    `[rabbit_networking:close_connection(P, "saas-gen scale test: connection dropped")
       || P <- rabbit_networking:connections(),
          lists:member((catch rabbit_networking:connection_info(P, [peer_port])),
                       [[{peer_port, Port}] || Port <- [${ports.join(', ')}]])].`,
  ]);
  expect(closed.stdout.match(/\bok\b/g) ?? [], `connections closed: ${closed.stdout}`).toHaveLength(
    ports.length,
  );
  const gone = new Set(ports);
  await waitFor(
    async () => {
      const now = await amqpSockets(groups);
      const reconnected = new Set(now.map((socket) => socket.group));
      return now.every((socket) => !gone.has(socket.port)) && reconnected.size === groups.size;
    },
    60_000,
    () => 'the processes did not reconnect to the broker',
  );
}

/** The established connections to port 5672 of processes in these process groups. */
async function amqpSockets(groups: ReadonlySet<number | undefined>) {
  const { stdout } = await execa('ss', ['-tnpH', 'state', 'established', 'dport', '= :5672']);
  const sockets: { port: number; group: number }[] = [];
  for (const line of stdout.split('\n')) {
    const local = /\s\S+:(\d+)\s+\S+:5672\s/.exec(line);
    if (!local) continue;
    for (const [, pid] of line.matchAll(/pid=(\d+)/g)) {
      const group = processGroup(Number(pid));
      if (groups.has(group)) sockets.push({ port: Number(local[1]), group: group! });
    }
  }
  return sockets;
}

function processGroup(pid: number): number | undefined {
  try {
    // pid (comm) state ppid pgrp …; comm may hold spaces and parentheses.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
  } catch {
    return undefined;
  }
}

async function dropDatabase(database: string): Promise<void> {
  // FORCE: connections a SIGKILLed process left open do not hold the drop up.
  await psql('postgres', `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).catch(() => undefined);
  databases.delete(database);
}

/** Rows of a query, as text fields. */
async function psql(database: string, sql: string): Promise<string[][]> {
  const { stdout } = await execa('psql', [
    '-h',
    postgres.host,
    '-p',
    postgres.port,
    '-U',
    postgres.user,
    '-d',
    database,
    '-v',
    'ON_ERROR_STOP=1',
    '-AtX',
    '-F',
    '\t',
    '-c',
    sql,
  ]);
  return stdout === '' ? [] : stdout.split('\n').map((line) => line.split('\t'));
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await work(items[index]!);
      }
    }),
  );
  return results;
}

/** Thrown from a `waitFor` check: stop waiting, this will not get better. */
class Stop extends Error {}

async function waitFor(
  check: () => Promise<boolean>,
  timeoutMs: number,
  explain: () => string = () => '',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await check()) return;
    } catch (error) {
      if (error instanceof Stop) throw error;
      // not there yet
    }
    if (Date.now() > deadline) throw new Error(`gave up after ${timeoutMs} ms: ${explain()}`);
    await sleep(250);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
