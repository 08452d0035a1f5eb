/**
 * `npm run bench`: times the built CLI (`new --skip-install`, a `generate` that changes nothing,
 * `check`) on the reference blueprint and on a synthetic one of 50 workflows and 400 steps, each
 * command a real child process, `--runs` times (median and min). "Warm" runs share a cache
 * directory that a first `new` filled; "cold" runs each get an empty one (the cache lives under
 * `os.tmpdir()`, so a fresh `TMPDIR` empties it), as a first `new` or a `check` in a fresh CI
 * container would. Progress goes to stderr; stdout gets exactly one JSON line.
 *
 *   npm run --silent bench [-- --runs 5 --skip-build]
 *
 * (`--silent` keeps npm's own banner off stdout.)
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parse } from 'yaml';
import { canMeasureRss, median, round, timeRun } from './bench-measure.js';
import type { RunResult } from './bench-measure.js';
import { largeShape, syntheticBlueprint } from './synthetic-blueprint.js';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const referenceBlueprint = join(repoRoot, 'examples', 'acme-analytics', 'blueprint.yaml');

const { values: options } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    'skip-build': { type: 'boolean', default: false },
  },
});
const runs = Number(options.runs);
if (!Number.isInteger(runs) || runs < 1)
  fail(`--runs must be a positive integer, not ${options.runs}`);

const log = (line: string): void => void process.stderr.write(`${line}\n`);

function fail(message: string): never {
  process.stderr.write(`bench: ${message}\n`);
  process.exit(1);
}

/** Series of one command; cold ones each start from an empty cache. */
const series = ['new', 'newCold', 'generate', 'check', 'checkCold'] as const;
type Series = (typeof series)[number];

interface Case {
  readonly name: string;
  readonly blueprint: string;
  readonly dir: string;
}

if (!options['skip-build']) {
  log('building (npm run build)…');
  // Its output goes to stderr: stdout carries the JSON line alone.
  const built = spawnSync('npm', ['run', 'build'], { cwd: repoRoot, stdio: ['ignore', 2, 2] });
  if (built.status !== 0) fail('npm run build failed');
}

const work = mkdtempSync(join(tmpdir(), 'saas-gen-bench-'));
log(`working in ${work} (left there if the bench fails)`);
const bin = snapshotCli(join(work, 'cli'));
const load1 = loadavg()[0]!;
const large = await writeLargeBlueprint(join(work, 'large'));
const reference = await benchCase({
  name: 'reference',
  blueprint: copy(referenceBlueprint, join(work, 'reference.yaml')),
  dir: join(work, 'reference'),
});
const largeResult = await benchCase({ name: 'large', blueprint: large.path, dir: large.dir });
const result = {
  reference,
  large: { workflows: large.workflows, steps: large.steps, ...largeResult },
  runs,
  node: process.version,
  cpus: availableParallelism(),
  // Other work on the machine inflates every figure: the 1-minute load average when we began.
  loadavg: Math.round(load1 * 100) / 100,
};
process.stdout.write(`${JSON.stringify(result)}\n`);
rmSync(work, { recursive: true, force: true });

/**
 * A copy of the built package (what `npm pack` would ship, dependencies linked): every run then
 * times the same generator, even if someone edits a template or rebuilds while the bench runs —
 * which would also make a `generate` that should change nothing change something.
 */
function snapshotCli(dir: string): string {
  for (const path of ['bin', 'dist', 'schema', 'src/templates', 'package.json']) {
    cpSync(join(repoRoot, path), join(dir, path), { recursive: true });
  }
  symlinkSync(join(repoRoot, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return join(dir, 'bin', 'saas-gen.js');
}

function copy(from: string, to: string): string {
  copyFileSync(from, to);
  return to;
}

/** Writes the synthetic blueprint, and refuses to go on unless `saas-gen validate` accepts it. */
async function writeLargeBlueprint(dir: string) {
  mkdirSync(dir, { recursive: true });
  const built = syntheticBlueprint(largeShape);
  const path = join(dir, 'blueprint.yaml');
  writeFileSync(path, built.text);
  const validated = await timeRun(process.execPath, [bin, 'validate', path], cliOptions(dir, dir));
  // Warnings count as failures too: the bench should measure a blueprint without surprises.
  if (validated.exitCode !== 0 || !/: valid\n$/.test(validated.stdout)) {
    fail(
      `the synthetic blueprint is not valid (exit ${validated.exitCode}):\n${validated.stdout}${validated.stderr}`,
    );
  }
  const data = parse(built.text) as { workflows: Record<string, { steps: object }> };
  const workflows = Object.values(data.workflows);
  const steps = workflows.reduce((sum, w) => sum + Object.keys(w.steps).length, 0);
  if (workflows.length !== largeShape.workflows || steps !== largeShape.steps) {
    fail(`the synthetic blueprint has ${workflows.length} workflows and ${steps} steps`);
  }
  log(`large blueprint: ${workflows.length} workflows, ${steps} steps, valid (${path})`);
  return { path, dir, workflows: workflows.length, steps };
}

async function benchCase(target: Case) {
  mkdirSync(target.dir, { recursive: true });
  const warmTmp = join(target.dir, 'tmp-warm');
  mkdirSync(warmTmp);
  const product = join(target.dir, 'product');
  // The first `new` fills the warm cache, and is the product `generate` and `check` run on.
  const first = await cli(target, ['new', product, '--blueprint', target.blueprint], warmTmp);
  const files = Number(/^Created (\d+) files/m.exec(first.stdout)?.[1]);
  if (!Number.isInteger(files))
    fail(`\`new\` did not say how many files it created:\n${first.stdout}`);
  const before = digest(product);

  const results = {} as Record<Series, RunResult[]>;
  for (const name of series) {
    results[name] = [];
    for (let i = 0; i < runs; i++) {
      const tmp = name.endsWith('Cold') ? mkdtempSync(join(target.dir, 'tmp-cold-')) : warmTmp;
      const args = name.startsWith('new')
        ? ['new', join(target.dir, `new-${i}`), '--blueprint', target.blueprint]
        : [name.replace('Cold', ''), product];
      const result = await cli(target, args, tmp);
      if (name === 'generate' && !/^Up to date: nothing to change\.$/m.test(result.stdout)) {
        fail(`\`generate\` on an unchanged product was not a no-op:\n${result.stdout}`);
      }
      log(`${target.name} ${name} #${i + 1}: ${round(result.ms)} ms`);
      results[name].push(result);
      if (name.startsWith('new')) rmSync(args[1]!, { recursive: true, force: true });
      if (tmp !== warmTmp) rmSync(tmp, { recursive: true, force: true });
    }
  }
  if (digest(product) !== before) fail('`generate` or `check` changed the product');
  return summarize(results, files);
}

function summarize(results: Record<Series, RunResult[]>, files: number) {
  const figures: Record<string, number> = {};
  const rss: Record<string, number> = {};
  for (const name of series) {
    const ms = results[name].map((result) => result.ms);
    figures[`${name}Ms`] = round(median(ms));
    figures[`${name}MinMs`] = round(Math.min(...ms));
    const peaks = results[name].flatMap((result) => result.rssMb ?? []);
    if (peaks.length > 0) rss[name] = Math.max(...peaks);
  }
  return { ...figures, files, ...(canMeasureRss ? { peakRssMb: rss } : {}) };
}

/** Runs the built CLI; any exit but 0 ends the bench, with what the CLI printed. */
async function cli(target: Case, args: string[], tmp: string): Promise<RunResult> {
  const full = args[0] === 'new' ? [...args, '--skip-install'] : args;
  const result = await timeRun(process.execPath, [bin, ...full], {
    ...cliOptions(target.dir, tmp),
    rssFile: join(target.dir, 'rss'),
  });
  if (result.exitCode !== 0) {
    fail(
      `\`saas-gen ${full.join(' ')}\` exited ${result.exitCode}:\n${result.stdout}${result.stderr}`,
    );
  }
  return result;
}

function cliOptions(cwd: string, tmp: string) {
  const env: NodeJS.ProcessEnv = { ...process.env, TMPDIR: tmp, NO_COLOR: '1' };
  delete env.SAAS_GEN_CACHE; // a cache turned off in the caller's shell would void "warm"
  return { cwd, env };
}

/** One hash of every file under `dir`, to prove that `generate` and `check` left it alone. */
function digest(dir: string): string {
  const hash = createHash('sha256');
  const walk = (path: string): void => {
    for (const entry of readdirSync(path, { withFileTypes: true }).sort((a, b) =>
      a.name < b.name ? -1 : 1,
    )) {
      const full = join(path, entry.name);
      if (entry.isDirectory()) walk(full);
      else
        hash
          .update(`${relative(dir, full)}\0`)
          .update(readFileSync(full))
          .update('\0');
    }
  };
  walk(dir);
  return hash.digest('hex');
}
