/**
 * `npm run bench:compare -- --base <commit> [--head <commit>] [options]`
 *
 * The product's throughput at two commits of saas-gen, side by side. This machine's speed swings
 * several-fold from one minute to the next, so a figure means something only beside another taken
 * in the same minutes: this builds each commit's generator, makes each one's product from the same
 * blueprint, and runs their `npm run bench` interleaved (base, head, base, head, …), pausing
 * between runs. It prints every run, every pair's ratio (head ÷ base) and the median ratio, for the
 * embedded runtime and for RabbitMQ + PostgreSQL, then the raw limits of the machine's SQLite,
 * PostgreSQL and RabbitMQ measured in the same run (scripts/raw-limits.ts) and each product's
 * figure as a share of them, and last one JSON line with all of it.
 *
 * Options:
 *   --base <rev>            the commit to compare against (required)
 *   --head <rev>            the commit to compare; default: this checkout as it is, uncommitted
 *                           changes included
 *   --blueprint <file>      default examples/acme-analytics/blueprint.yaml
 *   --pairs <n>             base/head pairs per mode (default 3)
 *   --mode <m>              embedded, postgres or both (default both)
 *   --tenants <n>           embedded: tenants per run (default 2000)
 *   --concurrency <n>       embedded: clients (default 200)
 *   --pg-tenants <n>        RabbitMQ + PostgreSQL: tenants per run (default 500)
 *   --pg-concurrency <n>    RabbitMQ + PostgreSQL: clients (default 50)
 *   --workers <n>           RabbitMQ + PostgreSQL: worker processes beside the API (default 0)
 *   --pause <s>             seconds between embedded runs (default 60: a run's scratch files
 *                           freed less than a minute before slow the next one down; see
 *                           docs/performance.md)
 *   --pg-pause <s>          seconds between RabbitMQ + PostgreSQL runs (default 10)
 *   --keep                  keep the scratch folder (its path is printed)
 *
 * RabbitMQ + PostgreSQL runs use DATABASE_URL and BUS_URL (default: the local servers at
 * 127.0.0.1 with the `postgres` user and guest/guest); each run gets a database and a bus prefix
 * of its own.
 */
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import semver from 'semver';
import { measureRawLimits } from './raw-limits.js';
import type { RawLimits } from './raw-limits.js';
import { withScratchDatabase } from './scratch-database.js';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');

type Mode = 'embedded' | 'postgres';

interface Options {
  readonly base: string;
  readonly head: string | undefined;
  readonly blueprint: string;
  readonly pairs: number;
  readonly modes: readonly Mode[];
  readonly embedded: {
    readonly tenants: number;
    readonly concurrency: number;
    readonly pauseS: number;
  };
  readonly postgres: {
    readonly tenants: number;
    readonly concurrency: number;
    readonly workers: number;
    readonly pauseS: number;
  };
  readonly keep: boolean;
  readonly databaseUrl: string;
  readonly busUrl: string;
}

/** One line of a product's `npm run bench`. */
interface BenchResult {
  readonly tenants: number;
  readonly concurrency: number;
  readonly tenantsPerSecond: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly p99Ms: number;
  readonly allActive: boolean;
  readonly duplicates: number;
  readonly rssMb: number;
  readonly cpuMsPerTenant?: number;
}

interface Side {
  readonly label: 'base' | 'head';
  readonly commit: string;
  readonly product: string;
}

interface Pair {
  readonly base: BenchResult;
  readonly head: BenchResult;
  readonly ratio: number;
}

function options(): Options {
  const { values } = parseArgs({
    options: {
      base: { type: 'string' },
      head: { type: 'string' },
      blueprint: { type: 'string', default: 'examples/acme-analytics/blueprint.yaml' },
      pairs: { type: 'string', default: '3' },
      mode: { type: 'string', default: 'both' },
      tenants: { type: 'string', default: '2000' },
      concurrency: { type: 'string', default: '200' },
      'pg-tenants': { type: 'string', default: '500' },
      'pg-concurrency': { type: 'string', default: '50' },
      workers: { type: 'string', default: '0' },
      pause: { type: 'string', default: '60' },
      'pg-pause': { type: 'string', default: '10' },
      keep: { type: 'boolean', default: false },
    },
  });
  if (!values.base) throw new Error('--base <commit> is required: the commit to compare against');
  const number = (name: string, value: string, min: number): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min)
      throw new Error(`--${name} must be a whole number of at least ${min}, not "${value}"`);
    return n;
  };
  const modes: Record<string, readonly Mode[]> = {
    embedded: ['embedded'],
    postgres: ['postgres'],
    both: ['embedded', 'postgres'],
  };
  const selected = modes[values.mode];
  if (!selected) throw new Error(`--mode must be embedded, postgres or both, not "${values.mode}"`);
  const blueprint = resolve(values.blueprint);
  if (!existsSync(blueprint)) throw new Error(`--blueprint ${values.blueprint}: no such file`);
  return {
    base: values.base,
    head: values.head,
    blueprint,
    pairs: number('pairs', values.pairs, 1),
    modes: selected,
    embedded: {
      tenants: number('tenants', values.tenants, 1),
      concurrency: number('concurrency', values.concurrency, 1),
      pauseS: number('pause', values.pause, 0),
    },
    postgres: {
      tenants: number('pg-tenants', values['pg-tenants'], 1),
      concurrency: number('pg-concurrency', values['pg-concurrency'], 1),
      workers: number('workers', values.workers, 0),
      pauseS: number('pg-pause', values['pg-pause'], 0),
    },
    keep: values.keep,
    databaseUrl: process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres',
    busUrl: process.env.BUS_URL || 'amqp://guest:guest@127.0.0.1:5672',
  };
}

const log = (line: string) => process.stderr.write(`${line}\n`);

function run(command: string, args: readonly string[], cwd: string): string {
  try {
    return execFileSync(command, args, {
      cwd,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(
      `${command} ${args.join(' ')} (in ${cwd}) failed:\n${stderr ?? ''}${stdout ?? ''}`,
    );
  }
}

const git = (...args: string[]) => run('git', args, repo).trim();

/** The generator at `rev` (or this checkout), built, in `dir`. */
function generatorAt(rev: string | undefined, dir: string): { root: string; commit: string } {
  if (rev === undefined) {
    const dirty = git('status', '--porcelain').length > 0;
    log(
      `head: this checkout (${git('rev-parse', '--short', 'HEAD')}${dirty ? ' with changes' : ''}), building`,
    );
    run('npm', ['run', '--silent', 'build'], repo);
    return { root: repo, commit: `${git('rev-parse', 'HEAD')}${dirty ? '+changes' : ''}` };
  }
  const commit = git('rev-parse', '--verify', `${rev}^{commit}`);
  mkdirSync(dir, { recursive: true });
  execFileSync('bash', ['-c', `git -C "${repo}" archive "${commit}" | tar -x -C "${dir}"`]);
  const sameLock =
    existsSync(join(dir, 'package-lock.json')) &&
    readFileSync(join(dir, 'package-lock.json'), 'utf8') ===
      readFileSync(join(repo, 'package-lock.json'), 'utf8');
  if (sameLock) symlinkSync(join(repo, 'node_modules'), join(dir, 'node_modules'));
  else {
    log(`${commit.slice(0, 7)}: installing its dependencies`);
    run('npm', ['ci', '--no-audit', '--no-fund'], dir);
  }
  log(`${commit.slice(0, 7)}: building`);
  run('npm', ['run', '--silent', 'build'], dir);
  return { root: dir, commit };
}

/**
 * Gives the product its dependencies: this repository's own node_modules when every range the
 * product asks for is satisfied there (it has the runtime's dependencies, hoisted from its
 * workspace), else an install of its own. The product's pin of saas-gen is left out: the
 * benchmark does not run the generator.
 */
function installProduct(product: string, scratch: string, generatorRoot: string): void {
  const manifest = JSON.parse(readFileSync(join(product, 'package.json'), 'utf8')) as {
    dependencies?: Record<string, string>;
    devDependencies?: Record<string, string>;
    overrides?: Record<string, string>;
  };
  const wanted = { ...manifest.dependencies, ...manifest.devDependencies };
  delete wanted['saas-gen'];
  // The runtime is the generator's own workspace, built beside it: that commit's, not this one's.
  const runtime = wanted['@saas-gen/runtime'] !== undefined;
  delete wanted['@saas-gen/runtime'];
  if (runtime && generatorRoot !== repo) {
    const modules = join(scratch, `modules-${randomBytes(3).toString('hex')}`, 'node_modules');
    mkdirSync(join(modules, '@saas-gen'), { recursive: true });
    for (const entry of readdirSync(join(repo, 'node_modules')))
      if (entry !== '@saas-gen')
        symlinkSync(join(repo, 'node_modules', entry), join(modules, entry));
    symlinkSync(join(generatorRoot, 'runtime'), join(modules, '@saas-gen', 'runtime'));
    symlinkSync(modules, join(product, 'node_modules'));
    return;
  }
  const installed = (name: string): string | undefined => {
    const path = join(repo, 'node_modules', name, 'package.json');
    return existsSync(path)
      ? (JSON.parse(readFileSync(path, 'utf8')) as { version: string }).version
      : undefined;
  };
  const unmet = Object.entries(wanted).filter(([name, range]) => {
    const version = installed(name);
    return !version || !semver.satisfies(version, range);
  });
  if (unmet.length === 0) {
    symlinkSync(join(repo, 'node_modules'), join(product, 'node_modules'));
    return;
  }
  const modules = join(scratch, `modules-${randomBytes(3).toString('hex')}`);
  mkdirSync(modules, { recursive: true });
  writeFileSync(
    join(modules, 'package.json'),
    JSON.stringify({
      private: true,
      type: 'module',
      dependencies: wanted,
      overrides: manifest.overrides ?? {},
    }),
  );
  log(
    `installing the product's dependencies (${unmet.map(([name]) => name).join(', ')} not in this checkout)`,
  );
  run('npm', ['install', '--no-audit', '--no-fund'], modules);
  symlinkSync(join(modules, 'node_modules'), join(product, 'node_modules'));
}

function makeProduct(
  label: Side['label'],
  generator: { root: string; commit: string },
  blueprint: string,
  scratch: string,
): Side {
  const product = join(scratch, label, 'product');
  run(
    'node',
    [
      join(generator.root, 'bin/saas-gen.js'),
      'new',
      product,
      '--blueprint',
      blueprint,
      '--skip-install',
    ],
    scratch,
  );
  installProduct(product, scratch, generator.root);
  return { label, commit: generator.commit, product };
}

/** Runs the product's benchmark once; its one JSON line. */
async function bench(
  side: Side,
  args: readonly string[],
  env: Record<string, string>,
): Promise<BenchResult> {
  const child = spawn('npm', ['run', '--silent', 'bench', '--', ...args], {
    cwd: side.product,
    env: { ...process.env, ...env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((done) => child.on('close', done));
  const line = stdout.trim().split('\n').pop() ?? '';
  try {
    const result = JSON.parse(line) as BenchResult;
    if (code !== 0)
      log(`  ${side.label}: the benchmark exited ${code} (not every tenant Active, or duplicates)`);
    return result;
  } catch {
    throw new Error(
      `${side.label}'s benchmark printed no result (exit ${code}):\n${stderr.slice(-3000)}${stdout.slice(-2000)}`,
    );
  }
}

const sleep = (s: number) => new Promise((done) => setTimeout(done, s * 1000));
const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};
const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

const describe = (r: BenchResult) =>
  `${r.tenantsPerSecond.toFixed(1).padStart(7)} tenants/s  p99 ${(r.p99Ms / 1000).toFixed(2)} s  ` +
  `${r.cpuMsPerTenant === undefined ? '' : `${r.cpuMsPerTenant} ms CPU/tenant  `}${r.rssMb} MB` +
  `${r.allActive ? '' : '  NOT ALL ACTIVE'}${r.duplicates ? `  ${r.duplicates} DUPLICATES` : ''}`;

async function compare(mode: Mode, sides: readonly [Side, Side], o: Options): Promise<Pair[]> {
  const settings = mode === 'embedded' ? o.embedded : o.postgres;
  const args = [
    '--tenants',
    String(settings.tenants),
    '--concurrency',
    String(settings.concurrency),
  ];
  if (mode === 'postgres' && o.postgres.workers > 0)
    args.push('--workers', String(o.postgres.workers));
  const title = mode === 'embedded' ? 'embedded (SQLite, in-process bus)' : 'RabbitMQ + PostgreSQL';
  console.log(
    `\n${title}: ${settings.tenants} tenants, concurrency ${settings.concurrency}, ${o.pairs} pairs, ${settings.pauseS} s between runs`,
  );
  const pairs: Pair[] = [];
  for (let i = 1; i <= o.pairs; i++) {
    const results: BenchResult[] = [];
    for (const side of sides) {
      if (i > 1 || side !== sides[0]) await sleep(settings.pauseS);
      log(`${mode} pair ${i}/${o.pairs}: ${side.label}`);
      const result =
        mode === 'embedded'
          ? await bench(side, args, { DATABASE_URL: '', BUS_URL: '' })
          : await withScratchDatabase(o.databaseUrl, 'bench', (url) =>
              bench(side, args, {
                DATABASE_URL: url,
                BUS_URL: o.busUrl,
                BUS_PREFIX: `bench-${randomBytes(3).toString('hex')}`,
              }),
            );
      results.push(result);
    }
    const [base, head] = results as [BenchResult, BenchResult];
    const pair = { base, head, ratio: round(head.tenantsPerSecond / base.tenantsPerSecond, 3) };
    pairs.push(pair);
    console.log(`  pair ${i}  base ${describe(base)}`);
    console.log(`          head ${describe(head)}`);
    console.log(`          head ÷ base ${pair.ratio.toFixed(3)}`);
  }
  console.log(`  median head ÷ base: ${median(pairs.map((p) => p.ratio)).toFixed(3)}`);
  return pairs;
}

async function main(): Promise<void> {
  const o = options();
  const scratch = mkdtempSync(join(tmpdir(), 'bench-compare-'));
  const started = new Date();
  try {
    const baseGenerator = generatorAt(o.base, join(scratch, 'base', 'saas-gen'));
    const headGenerator = generatorAt(o.head, join(scratch, 'head', 'saas-gen'));
    const sides = [
      makeProduct('base', baseGenerator, o.blueprint, scratch),
      makeProduct('head', headGenerator, o.blueprint, scratch),
    ] as const;
    console.log(`bench:compare ${started.toISOString()}`);
    console.log(`  base ${sides[0].commit}`);
    console.log(`  head ${sides[1].commit}`);
    console.log(`  blueprint ${o.blueprint}`);
    const results: Partial<Record<Mode, Pair[]>> = {};
    for (const mode of o.modes) results[mode] = await compare(mode, sides, o);
    log('measuring the raw limits');
    const limits: RawLimits = await measureRawLimits({
      seconds: 5,
      concurrency: o.postgres.concurrency,
      ...(o.modes.includes('postgres') ? { databaseUrl: o.databaseUrl, busUrl: o.busUrl } : {}),
    });
    console.log('\nraw limits, measured after the runs:');
    console.log(`  SQLite saga-like transactions/s      ${limits.sqliteTransactionsPerSecond}`);
    if (limits.postgresTransactionsPerSecond !== undefined)
      console.log(
        `  PostgreSQL transactions/s (${o.postgres.concurrency} conns)  ${limits.postgresTransactionsPerSecond}`,
      );
    if (limits.rabbitmqConfirmedPerSecond !== undefined)
      console.log(`  RabbitMQ confirmed messages/s        ${limits.rabbitmqConfirmedPerSecond}`);
    const share = (mode: Mode, side: 'base' | 'head', limit: number | undefined) => {
      const pairs = results[mode];
      if (!pairs || !limit) return undefined;
      return round((median(pairs.map((p) => p[side].tenantsPerSecond)) / limit) * 1000, 1);
    };
    const shares = {
      embeddedPerThousandSqliteTransactions: {
        base: share('embedded', 'base', limits.sqliteTransactionsPerSecond),
        head: share('embedded', 'head', limits.sqliteTransactionsPerSecond),
      },
      postgresPerThousandPostgresTransactions: {
        base: share('postgres', 'base', limits.postgresTransactionsPerSecond),
        head: share('postgres', 'head', limits.postgresTransactionsPerSecond),
      },
    };
    console.log(
      '  onboardings per 1,000 raw transactions (median tenants/s ÷ raw transactions/s × 1,000):',
    );
    for (const [name, values] of Object.entries(shares))
      if (values.base !== undefined)
        console.log(`    ${name}: base ${values.base}, head ${values.head}`);
    console.log(
      JSON.stringify({
        startedAt: started.toISOString(),
        endedAt: new Date().toISOString(),
        base: sides[0].commit,
        head: sides[1].commit,
        blueprint: o.blueprint,
        ...Object.fromEntries(
          Object.entries(results).map(([mode, pairs]) => [
            mode,
            { pairs, medianRatio: median(pairs.map((p) => p.ratio)) },
          ]),
        ),
        limits,
        shares,
      }),
    );
  } finally {
    if (o.keep) log(`scratch kept: ${scratch}`);
    else rmSync(scratch, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  log(`bench:compare: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
