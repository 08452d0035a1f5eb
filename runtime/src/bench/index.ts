/**
 * `@saas-gen/runtime/bench`: a product's benchmark. Its `scripts/bench.ts` calls `runBench` with
 * its definition and handlers, and `npm run bench -- --tenants N --concurrency C [--workers K]`
 * runs it:
 *
 * Onboards N tenants with C clients, on whatever `DATABASE_URL` and `BUS_URL` name (by default a
 * fresh SQLite file and the in-process bus): each client signs a tenant up through the HTTP API,
 * waits until its onboarding has finished, then signs up the next, so that C onboardings are in
 * flight at any time. Then it checks that every tenant is `Active` with each step done exactly
 * once, and prints one JSON line: throughput, the latency of sign-up → `Active` (p50/p95/p99, from
 * the request to the audit entry of the move to `Active`), duplicates and peak RSS. A progress
 * line goes to stderr while it runs.
 *
 * The clients run in a process of their own (client.ts), as a load from elsewhere would:
 * this process is the product's. This process runs the API and, without `--workers`, everything else
 * too (`ROLE=all`). With
 * `--workers K` (RabbitMQ and PostgreSQL only) it runs the API alone and starts K worker
 * processes (`ROLE=worker`), to see how throughput grows with workers.
 *
 * `--hold <step>` (embedded only) holds the onboarding step back: the clients sign every tenant up
 * without waiting for its onboarding, the step's deliveries are set aside until all N tenants have
 * reached it, and then given back to the bus, so that N onboardings are in flight at once; the
 * JSON line adds the RSS while they were held. Its latencies include the wait.
 */
import type { ChildProcess } from 'node:child_process';
import { fork, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import type { ProductDefinition } from '../product-definition.js';
import { onboardingOf } from '../product-definition.js';
import { createApp, createTransport, productRoutes } from '../app.js';
import { loadConfig } from '../config.js';
import type { AuditEntry } from '../runtime/store.js';
import type {
  Delivery,
  DeliveryHandler,
  SubscribeOptions,
  Transport,
} from '../runtime/transport.js';
import { tapped } from '../runtime/transport.js';
import { sagaRetry } from '../saga/endpoints.js';
import { stepEndpointName } from '../services/steps.js';
import type { ClientJob, ClientReport, EndedNotice } from './client.js';

/** What a product benchmarks: its definition, and its domain handlers (with stand-ins). */
export interface BenchedProduct<Handlers> {
  readonly product: ProductDefinition<Handlers>;
  readonly handlers: Handlers;
}

interface Options {
  readonly tenants: number;
  readonly concurrency: number;
  readonly workers: number;
  readonly timeoutMs: number;
  /** The onboarding step held back until every tenant has reached it (`--hold`). */
  readonly hold: string | undefined;
}

function options(args: readonly string[]): Options {
  const { values } = parseArgs({
    args: [...args],
    options: {
      tenants: { type: 'string', default: '500' },
      concurrency: { type: 'string', default: '50' },
      workers: { type: 'string', default: '0' },
      timeout: { type: 'string', default: '600' },
      hold: { type: 'string' },
    },
  });
  const number = (name: string, value: string, min: number): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min)
      throw new Error(`--${name} must be a whole number of at least ${min}, not "${value}"`);
    return n;
  };
  return {
    tenants: number('tenants', values.tenants, 1),
    concurrency: number('concurrency', values.concurrency, 1),
    workers: number('workers', values.workers, 0),
    timeoutMs: number('timeout', values.timeout, 1) * 1000,
    hold: values.hold,
  };
}

/** The messages that end an onboarding. */
const outcomeTypes = ['TenantProvisioned', 'TenantProvisioningFailed'];

/**
 * Runs the benchmark with the command line's options (`args`) and prints its JSON line; sets the
 * exit code to 1 when a check fails, and exits 1 with the message when it cannot run.
 */
export async function runBench<Handlers>(
  benched: BenchedProduct<Handlers>,
  args: readonly string[] = process.argv.slice(2),
): Promise<void> {
  try {
    await bench(benched, args);
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
}

async function bench<Handlers>(
  benched: BenchedProduct<Handlers>,
  args: readonly string[],
): Promise<void> {
  const onboardingSteps = onboardingOf(benched.product).workflow.steps;
  const { slugPattern } = benched.product.catalog;
  const { tenants, concurrency, workers, timeoutMs, hold } = options(args);
  const held = hold === undefined ? undefined : onboardingSteps.find((step) => step.id === hold);
  if (hold !== undefined && !held)
    throw new Error(
      `--hold ${hold}: the onboarding has no such step (${onboardingSteps.map((step) => step.id).join(', ')})`,
    );
  if (held && (workers > 0 || (process.env.BUS_URL ?? '').startsWith('amqp')))
    throw new Error(
      '--hold holds a step back on the in-process bus: not with BUS_URL or --workers',
    );
  const scratch = mkdtempSync(join(tmpdir(), 'bench-'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: process.env.DATABASE_URL || `file:${join(scratch, 'app.db')}`,
    BUS_URL: process.env.BUS_URL || 'memory://',
    MAIL_DIR: join(scratch, 'mail'),
    ADMIN_TOKEN: randomBytes(24).toString('base64url'),
    JWT_SECRET: randomBytes(32).toString('base64url'),
    // Placeholder steps warn on every call: only errors would say something here.
    LOG_LEVEL: process.env.LOG_LEVEL || 'error',
    SAAS_FAULTS: '',
    // Every sign-up comes from this machine: the per-client limit would refuse the run.
    SIGNUP_RATE_LIMIT: '0',
    PORT: '0',
    ROLE: workers > 0 ? 'api' : 'all',
  };
  const config = loadConfig(env);
  // The product's own script passes its handlers with the tests' stand-ins (test/doubles.ts):
  // the benchmark measures the product, not the services a team's handlers call. Workers run
  // src/main.ts, as deployed.
  const product = benched;
  if (
    workers > 0 &&
    (config.busUrl.startsWith('memory:') || config.databaseUrl.startsWith('file:'))
  )
    throw new Error('--workers needs BUS_URL=amqp://… and DATABASE_URL=postgres://…');

  // The distinct events this process publishes, per tenant and type: a step that ran twice would
  // emit two (a message published again, by the outbox after a lost confirm, is the same event).
  const emitted = new Map<string, Set<string>>();
  const stepEvents = new Set(onboardingSteps.map((step) => step.emits).filter(Boolean));
  // Which onboardings ended: seen as the saga publishes their outcome when it runs here, or
  // through an endpoint of this process when workers run it.
  let clients: ChildProcess | undefined;
  const ended = new Set<string>();
  let allEnded = () => {};
  const everyOnboardingEnded = new Promise<void>((resolve) => (allEnded = resolve));
  const onEnded = (tenantId: string) => {
    if (ended.has(tenantId)) return;
    ended.add(tenantId);
    if (clients?.connected) clients.send({ tenantId } satisfies EndedNotice);
    if (ended.size === tenants) allEnded();
  };
  let heldRss: number | undefined;
  const tap = tapped(
    createTransport(config.busUrl, () => productRoutes(config, product), {
      prefix: config.busPrefix,
    }),
    (envelope) => {
      if (outcomeTypes.includes(envelope.type)) onEnded(envelope.tenantId);
      if (!stepEvents.has(envelope.type)) return;
      const key = `${envelope.tenantId} ${envelope.type}`;
      emitted.set(key, (emitted.get(key) ?? new Set()).add(envelope.eventId));
    },
    outcomeTypes,
  );
  const aside = held ? holding(tap, stepEndpointName(held)) : undefined;
  const transport = aside?.transport ?? tap;
  const app = createApp(config, { ...product, transport });
  const children: ChildProcess[] = [];
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 100);
  try {
    if (workers > 0)
      app.runtime.register({
        name: 'bench-observer',
        types: outcomeTypes,
        retry: sagaRetry,
        handle: async ({ message }) => onEnded(message.tenantId),
      });
    await app.start();
    // A worker that exits before the run is over ends it: its share would never be done.
    const workerLost = new Promise<never>((_, reject) => {
      for (let i = 0; i < workers; i++) children.push(startWorker(env, i, reject));
    });
    workerLost.catch(() => undefined);
    const address = app.server.server.address();
    if (!address || typeof address === 'string') throw new Error('the API has no TCP address');

    const slugs = slugMaker(slugPattern);
    const job: ClientJob = {
      base: `http://127.0.0.1:${address.port}`,
      tenants,
      concurrency,
      slugs: Array.from({ length: tenants }, slugs),
      awaitEnd: !held,
    };
    const startedAt = new Map<string, number>();
    const ids: string[] = [];
    let refused = 0;
    const progress = setInterval(() => {
      const holdNote = aside && heldRss === undefined ? `, held ${aside.held()}` : '';
      process.stderr.write(
        `\rsigned up ${ids.length}/${tenants}${holdNote}, finished ${ended.size}/${tenants}   `,
      );
      if (aside && heldRss === undefined && aside.held() === tenants) {
        // Every onboarding is in flight, waiting at the held step: measure, then let them go.
        heldRss = process.memoryUsage().rss;
        aside.release();
      }
    }, 500);
    // The clock starts once the clients' process has started and been given the job.
    let begin = performance.now();
    let cpuAtBegin = process.cpuUsage();
    const finished = new Promise<void>((resolve, reject) => {
      clients = fork(clientFile, {
        // From the runtime's sources (its own tests), tsx runs the client; built, node does.
        execArgv: clientFile.endsWith('.ts') ? ['--import', 'tsx'] : [],
        stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      });
      clients.on('message', (report: ClientReport) => {
        if (report.kind === 'ready') {
          begin = performance.now();
          cpuAtBegin = process.cpuUsage();
          return clients?.send(job);
        }
        // Clients that do not wait for each onboarding (--hold) are done once they signed up.
        if (report.kind === 'done')
          return void (held ? everyOnboardingEnded : Promise.resolve()).then(resolve);
        if (report.kind === 'refused') {
          refused += 1;
          process.stderr.write(`\nsign-up refused: ${report.status} ${report.body}\n`);
          return;
        }
        startedAt.set(report.tenantId, report.sentAt);
        ids.push(report.tenantId);
      });
      clients.on('error', reject);
      // Clients that signed everyone up (and said so) may leave before the onboardings end.
      let signedUp = false;
      clients.on('message', (report: ClientReport) => void (signedUp ||= report.kind === 'done'));
      clients.on('exit', (code) => {
        if (!signedUp) reject(new Error(`the bench clients exited (${code})`));
      });
    });
    const timeout = new Promise<never>((_, reject) =>
      setTimeout(
        () => reject(new Error(`not every onboarding finished within ${timeoutMs / 1000} s`)),
        timeoutMs,
      ).unref(),
    );
    await Promise.race([finished, timeout, workerLost]);
    const elapsedMs = performance.now() - begin;
    const cpu = process.cpuUsage(cpuAtBegin);
    clearInterval(progress);
    process.stderr.write(
      `\rsigned up ${ids.length}/${tenants}, finished ${ids.length}/${tenants}\n`,
    );

    // Verification, after the clock stopped: every tenant Active, each step done once.
    let allActive = refused === 0;
    let duplicates = 0;
    const latencies: number[] = [];
    for (const tenantId of ids) {
      const timeline = await app.store.timeline(tenantId);
      const active = timeline.find(
        (entry) => entry.toState === 'Active' && entry.fromState !== 'Active',
      );
      if (!active) {
        allActive = false;
        continue;
      }
      latencies.push(Date.parse(active.at) - (startedAt.get(tenantId) ?? 0));
      for (const step of onboardingSteps) {
        const times = succeeded(timeline, step.id);
        if (times === 0) allActive = false;
        duplicates += Math.max(0, times - 1);
        if (workers === 0 && step.emits) {
          const published = emitted.get(`${tenantId} ${step.emits}`)?.size ?? 0;
          duplicates += Math.max(0, published - 1);
        }
      }
    }
    duplicates += duplicateMails(config.mailDir, ids);
    latencies.sort((a, b) => a - b);
    const result = {
      tenants: ids.length,
      concurrency,
      tenantsPerSecond: round((ids.length / elapsedMs) * 1000),
      p50Ms: round(percentile(latencies, 0.5)),
      p95Ms: round(percentile(latencies, 0.95)),
      p99Ms: round(percentile(latencies, 0.99)),
      allActive,
      duplicates,
      rssMb: round(Math.max(peakRss, process.memoryUsage().rss) / 2 ** 20),
      ...(held && heldRss !== undefined
        ? { held: held.id, inFlight: tenants, heldRssMb: round(heldRss / 2 ** 20) }
        : {}),
      // CPU time (user and system, all threads) of this process per tenant: what an onboarding
      // costs, whatever the machine's speed at the time. With --workers, the API's share only.
      cpuMsPerTenant: Math.round((cpu.user + cpu.system) / 10 / Math.max(1, ids.length)) / 100,
      store: app.store.kind,
      transport: app.transport.kind,
      workers,
    };
    console.log(JSON.stringify(result));
    if (!allActive || duplicates > 0) process.exitCode = 1;
  } finally {
    clearInterval(sampler);
    clients?.kill();
    for (const child of children) child.kill('SIGTERM');
    await app.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
}

/**
 * `transport` with one endpoint's deliveries set aside until `release`, then sent to it again. A
 * delivery set aside counts as handled for the bus (the in-process bus holds a publisher's outbox
 * row until its message is handled, so waiting in the handler would stall the outbox): fine for a
 * benchmark, which loses nothing while it runs, never for a product.
 */
function holding(transport: Transport, endpoint: string) {
  const aside: Delivery[] = [];
  let released = false;
  const subscribe = (
    name: string,
    types: readonly string[],
    handler: DeliveryHandler,
    options?: SubscribeOptions,
  ) => {
    const setAside: DeliveryHandler = async (delivery) => {
      if (released) return handler(delivery);
      aside.push(delivery);
    };
    return transport.subscribe(name, types, name === endpoint ? setAside : handler, options);
  };
  return {
    // The rest is `transport`'s own, read through the prototype (a `tapped` transport's members
    // close over the real one).
    transport: Object.create(transport, { subscribe: { value: subscribe } }) as Transport,
    held: () => aside.length,
    release: () => {
      released = true;
      for (const delivery of aside.splice(0)) void transport.send(endpoint, delivery);
    },
  };
}

/** The times the saga recorded `step` as succeeded for this tenant. */
function succeeded(timeline: readonly AuditEntry[], step: string): number {
  return timeline.filter(
    (entry) =>
      entry.action === 'stepSucceeded' && (entry.detail as { step?: string }).step === step,
  ).length;
}

/** Activation e-mails beyond one per tenant (a step that ran twice would send two). */
function duplicateMails(dir: string, ids: readonly string[]): number {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return 0;
  }
  const perTenant = new Map<string, number>();
  const tenants = new Set(ids);
  for (const name of names) {
    // `<tenantId>-activation-<…>`: a tenant id is a uuid, five groups of hex digits.
    const id = name.split('-').slice(0, 5).join('-');
    if (tenants.has(id) && name.startsWith(`${id}-activation-`))
      perTenant.set(id, (perTenant.get(id) ?? 0) + 1);
  }
  let extra = 0;
  for (const count of perTenant.values()) extra += Math.max(0, count - 1);
  return extra;
}

/** A worker process (`src/main.ts` with `ROLE=worker`); `lost` hears of it ending on its own. */
function startWorker(
  env: NodeJS.ProcessEnv,
  index: number,
  lost: (error: Error) => void,
): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: { ...env, ROLE: 'worker', PORT: '0' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  child.on('exit', (code, signal) => {
    if (signal === 'SIGTERM') return; // the benchmark stopping it
    lost(
      new Error(
        `worker ${index} (src/main.ts, ROLE=worker) exited (${code ?? signal}) before the run ` +
          'ended: does src/main.ts still start the app?',
      ),
    );
  });
  return child;
}

/** Fresh slugs the blueprint's pattern accepts: a random run prefix, then a counter. */
function slugMaker(slugPattern: RegExp): () => string {
  const length = [12, 10, 16, 8, 20, 24, 32, 9, 7, 6].find(
    (n) => slugPattern.test('a'.repeat(n)) && slugPattern.test('z'.repeat(n)),
  );
  if (length === undefined) throw new Error(`no lower-case slug matches ${slugPattern}`);
  let counter = Array.from(randomBytes(6)).reduce((n, byte) => n * 256 + byte, 0);
  return () => {
    counter += 1;
    let n = counter;
    let slug = '';
    for (let i = 0; i < length; i++) {
      slug = String.fromCharCode(97 + (n % 26)) + slug;
      n = Math.floor(n / 26);
    }
    return slug;
  };
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? 0;
}

const round = (n: number): number => Math.round(n * 10) / 10;

const clientFile = fileURLToPath(
  new URL(import.meta.url.endsWith('.ts') ? './client.ts' : './client.js', import.meta.url),
);
