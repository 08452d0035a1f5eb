/**
 * How `npm run bench` times one CLI run: a real child process of the built CLI, wall-clock from
 * spawn to exit, and its peak RSS when GNU time is there to report it (`getrusage` of a child is
 * not reachable from Node otherwise).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RunResult {
  readonly ms: number;
  /** Peak resident set size in MB, when measurable. */
  readonly rssMb: number | undefined;
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

const gnuTime = '/usr/bin/time';

/** Whether `/usr/bin/time -f %M` works here (GNU time; BusyBox and BSD differ). */
export const canMeasureRss: boolean = (() => {
  if (!existsSync(gnuTime)) return false;
  const dir = mkdtempSync(join(tmpdir(), 'saas-gen-bench-probe-'));
  try {
    const out = join(dir, 'rss');
    const probe = spawnSync(gnuTime, ['-f', '%M', '-o', out, 'true'], { stdio: 'ignore' });
    return probe.status === 0 && /^\d+\s*$/.test(readFileSync(out, 'utf8'));
  } catch {
    return false;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
})();

/** Runs `command args` to completion; `rssFile` (a path that need not exist) enables RSS. */
export async function timeRun(
  command: string,
  args: readonly string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; rssFile?: string },
): Promise<RunResult> {
  const wrapped = canMeasureRss && options.rssFile !== undefined;
  const [file, argv] = wrapped
    ? [gnuTime, ['-f', '%M', '-o', options.rssFile!, command, ...args]]
    : [command, [...args]];
  const started = performance.now();
  const child = spawn(file, argv, {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exitCode = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolve(code ?? (signal ? 128 : -1)));
  });
  const ms = performance.now() - started;
  let rssMb: number | undefined;
  if (wrapped) {
    // GNU time appends "Command exited with non-zero status" before the figure on failure.
    const kb = Number(readFileSync(options.rssFile!, 'utf8').trim().split('\n').at(-1));
    rssMb = Number.isFinite(kb) ? Math.round(kb / 1024) : undefined;
  }
  return { ms, rssMb, exitCode, stdout, stderr };
}

export const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

export const round = (ms: number): number => Math.round(ms);
