/**
 * `npx tsx scripts/capacity.ts --product <dir> [--tenants N] [--concurrency C] [--workers 0,1,2]`
 *
 * What one onboarding costs each kind of process on RabbitMQ + PostgreSQL, and what that predicts
 * for more cores. For each worker count it runs the product's `npm run bench -- --workers K` (a
 * database and a bus prefix of its own, on DATABASE_URL and BUS_URL, by default the local servers)
 * and samples, every 200 ms, the CPU time (/proc/<pid>/stat, user + system) of the processes of
 * each kind: `api` (the benchmark's own process: the HTTP API, and with no workers everything
 * else), `worker` (the `ROLE=worker` processes), `postgres` (every PostgreSQL server process) and
 * `rabbitmq` (the broker's `beam.smp`), and `clients` (the benchmark's load, in a process of its
 * own: on this machine it takes CPU the product does not get; in production the load comes from
 * elsewhere). Each kind's CPU-ms per onboarding is its CPU time over the run ÷ tenants.
 *
 * The model: a Node process runs on one core, so a kind whose work is in one process caps the
 * rate at 1,000 ÷ its ms per onboarding (the api; each worker at its share); K workers share the
 * worker work; and all of it together needs the sum of every kind's ms per onboarding on N cores:
 *
 *     tenants/s ≈ min(1000 / api, K × 1000 / worker, b × N × 1000 / (api + worker + postgres + rabbitmq))
 *
 * where b is how busy the cores get (the rest of the time the work waits on commits and round
 * trips), fitted as the mean over the runs of rate × Σ ÷ 1000 ÷ cores; `clients` is in the sum
 * when the model is checked against a run on this machine.
 *
 * PostgreSQL and RabbitMQ spread over cores by themselves. It prints each run, its measured rate
 * beside the model's for this machine's cores, and a table of predictions; then one JSON line.
 * `--product` is a product made by `saas-gen new` (its workers run the `src/main.ts` that `new`
 * writes); without node_modules of its own it gets this checkout's, which hold its dependencies.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, symlinkSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { withScratchDatabase } from './scratch-database.js';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const ticksPerMs = 100 / 1000; // USER_HZ: Linux reports CPU time in 1/100 s

type Kind = 'api' | 'worker' | 'postgres' | 'rabbitmq' | 'clients';
const kinds: readonly Kind[] = ['api', 'worker', 'postgres', 'rabbitmq', 'clients'];

interface Process {
  readonly pid: number;
  readonly ppid: number;
  readonly name: string;
  readonly command: string;
  /** User + system CPU time, in ms. */
  readonly cpuMs: number;
}

function processes(): Process[] {
  const found: Process[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // The name is in parentheses and may hold spaces: the fields after it are split safely.
      const close = stat.lastIndexOf(')');
      const name = stat.slice(stat.indexOf('(') + 1, close);
      const fields = stat.slice(close + 2).split(' ');
      const command = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ');
      found.push({
        pid: Number(entry),
        ppid: Number(fields[1]),
        name,
        command,
        cpuMs: (Number(fields[11]) + Number(fields[12])) / ticksPerMs,
      });
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

/** Which kind a process is, for the benchmark whose process is `benchPid`. */
function kindOf(process: Process, benchPid: number | undefined): Kind | undefined {
  if (process.name === 'postgres' || process.command.includes('bin/postgres')) return 'postgres';
  if (process.name === 'beam.smp') return 'rabbitmq';
  if (benchPid === undefined) return undefined;
  if (process.pid === benchPid) return 'api';
  if (process.ppid === benchPid && process.command.includes('src/main.ts')) return 'worker';
  if (process.ppid === benchPid && process.command.includes('bench-client')) return 'clients';
  return undefined;
}

interface Run {
  readonly workers: number;
  readonly tenantsPerSecond: number;
  readonly p99Ms: number;
  readonly allActive: boolean;
  readonly duplicates: number;
  /** CPU-ms per onboarding, by kind. */
  readonly cpuMsPerTenant: Record<Kind, number>;
}

/** Runs the benchmark once while sampling every process's CPU time. */
async function measure(
  product: string,
  workers: number,
  tenants: number,
  concurrency: number,
  env: Record<string, string>,
): Promise<Run> {
  // The timed window only, as the benchmark's own figures: from the first sign-up to the last
  // onboarding's end (its progress line says both), not its start-up or its checks afterwards.
  let before = new Map<number, number>();
  let window: 'before' | 'open' | 'closed' = 'before';
  const used = new Map<number, { kind: Kind; ms: number }>();
  // The benchmark's process: tsx's node, the child of the npm-less spawn below.
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'scripts/bench.ts',
      '--tenants',
      String(tenants),
      '--concurrency',
      String(concurrency),
      '--workers',
      String(workers),
    ],
    { cwd: product, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const sample = () => {
    if (window !== 'open') return;
    for (const p of processes()) {
      const kind = kindOf(p, child.pid);
      if (!kind) continue;
      used.set(p.pid, { kind, ms: p.cpuMs - (before.get(p.pid) ?? 0) });
    }
  };
  const sampler = setInterval(sample, 200);
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => {
    const text = chunk.toString();
    process.stderr.write(text);
    if (window === 'before' && /signed up [1-9]/.test(text)) {
      before = new Map(processes().map((p) => [p.pid, p.cpuMs]));
      window = 'open';
    }
    if (window === 'open' && text.includes(`finished ${tenants}/${tenants}`)) {
      sample();
      window = 'closed';
    }
  });
  const code = await new Promise<number | null>((done) => child.on('close', done));
  clearInterval(sampler);
  const result = JSON.parse(stdout.trim().split('\n').pop() ?? '') as {
    tenants: number;
    tenantsPerSecond: number;
    p99Ms: number;
    allActive: boolean;
    duplicates: number;
  };
  if (code !== 0) process.stderr.write(`the benchmark exited ${code}\n`);
  const perTenant = Object.fromEntries(kinds.map((kind) => [kind, 0])) as Record<Kind, number>;
  for (const { kind, ms } of used.values()) perTenant[kind] += ms / result.tenants;
  for (const kind of kinds) perTenant[kind] = Math.round(perTenant[kind] * 100) / 100;
  return {
    workers,
    tenantsPerSecond: result.tenantsPerSecond,
    p99Ms: result.p99Ms,
    allActive: result.allActive,
    duplicates: result.duplicates,
    cpuMsPerTenant: perTenant,
  };
}

/** The model's tenants/s for `cores` cores and `workers` worker processes. */
export function predict(
  cost: Record<Kind, number>,
  cores: number,
  workers: number,
  busy: number,
  withClients = false,
): number {
  const total =
    cost.api + cost.worker + cost.postgres + cost.rabbitmq + (withClients ? cost.clients : 0);
  const limits = [1000 / cost.api, (busy * cores * 1000) / total];
  if (workers > 0) limits.push((workers * 1000) / cost.worker);
  return Math.round(Math.min(...limits) * 10) / 10;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      product: { type: 'string' },
      tenants: { type: 'string', default: '500' },
      concurrency: { type: 'string', default: '50' },
      workers: { type: 'string', default: '0,1,2' },
      pause: { type: 'string', default: '10' },
    },
  });
  if (!values.product)
    throw new Error('--product <dir> is required: a product made by `saas-gen new`');
  const product = resolve(values.product);
  if (!existsSync(join(product, 'node_modules')))
    symlinkSync(join(repo, 'node_modules'), join(product, 'node_modules'));
  const databaseUrl = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
  const busUrl = process.env.BUS_URL || 'amqp://guest:guest@127.0.0.1:5672';
  const cores = availableParallelism();
  const runs: Run[] = [];
  for (const workers of values.workers.split(',').map(Number)) {
    if (runs.length > 0) await new Promise((done) => setTimeout(done, Number(values.pause) * 1000));
    const run = await withScratchDatabase(databaseUrl, 'capacity', (url) =>
      measure(product, workers, Number(values.tenants), Number(values.concurrency), {
        DATABASE_URL: url,
        BUS_URL: busUrl,
        BUS_PREFIX: `capacity-${randomBytes(3).toString('hex')}`,
      }),
    );
    runs.push(run);
  }
  // How busy the run kept the cores: the one constant of the model, fitted over the runs.
  const busyness = runs.map(
    (run) =>
      (run.tenantsPerSecond * kinds.reduce((sum, kind) => sum + run.cpuMsPerTenant[kind], 0)) /
      1000 /
      cores,
  );
  const busy = Math.round((busyness.reduce((a, b) => a + b, 0) / runs.length) * 100) / 100;
  runs.forEach((run, i) => {
    const cost = run.cpuMsPerTenant;
    console.log(
      `${run.workers} worker(s): ${run.tenantsPerSecond} tenants/s measured, ${predict(cost, cores, run.workers, busy, true)} by the model on ${cores} cores (clients included); ` +
        `cores ${Math.round(busyness[i]! * 100)} % busy; ` +
        `CPU-ms per onboarding: api ${cost.api}, worker ${cost.worker}, postgres ${cost.postgres}, rabbitmq ${cost.rabbitmq}, clients ${cost.clients}` +
        `${run.allActive && run.duplicates === 0 ? '' : ' (NOT ALL ACTIVE, OR DUPLICATES)'}`,
    );
  });
  console.log(`the model's share of busy cores, fitted over the runs: ${busy}`);
  // Predictions from the run with the most workers: its split of the work is the one that scales.
  const basis = runs[runs.length - 1]!;
  const predictions = [2, 4, 8, 16].flatMap((n) =>
    [1, 2, 4, 8]
      .filter((k) => k < n)
      .map((k) => ({
        cores: n,
        workers: k,
        tenantsPerSecond: predict(basis.cpuMsPerTenant, n, k, busy),
      })),
  );
  console.log(`predicted from the ${basis.workers}-worker run's costs, the load from elsewhere:`);
  for (const p of predictions)
    console.log(`  ${p.cores} cores, ${p.workers} worker(s): ${p.tenantsPerSecond} tenants/s`);
  console.log(JSON.stringify({ cores, busy, runs, basis: basis.workers, predictions }));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((error: unknown) => {
    process.stderr.write(`capacity: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}
