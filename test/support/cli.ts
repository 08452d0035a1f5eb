/** Runs the built CLI (`npm run build` first; `npm test` does) as a user would. */
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
export const binary = join(repoRoot, 'bin', 'saas-gen.js');
export const referenceBlueprint = join(repoRoot, 'examples', 'acme-analytics', 'blueprint.yaml');

/** An example's blueprint: the reference product's own, or one committed alone (examples/README.md). */
export const exampleBlueprint = (name: string): string =>
  name === 'acme-analytics'
    ? referenceBlueprint
    : join(repoRoot, 'examples', `${name}.blueprint.yaml`);

export interface CliResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CLI; never throws on a non-zero exit. */
export async function saasGen(
  args: readonly string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
): Promise<CliResult> {
  if (!existsSync(join(repoRoot, 'dist', 'cli', 'main.js'))) {
    throw new Error('the CLI is not built: run `npm run build` (or `npm test`) first');
  }
  const result = await execa('node', [binary, ...args], {
    cwd: options.cwd ?? repoRoot,
    reject: false,
    env: { NO_COLOR: '1', ...options.env },
    stdin: 'ignore',
    // Output is compared as printed, final newline included.
    stripFinalNewline: false,
  });
  return { exitCode: result.exitCode ?? -1, stdout: result.stdout, stderr: result.stderr };
}

export const tempDir = (prefix = 'saas-gen-'): string => mkdtempSync(join(tmpdir(), prefix));

/** Every file under `dir` with its content, for before/after comparisons. */
export function snapshot(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (path: string): void => {
    for (const entry of readdirSync(path)) {
      const full = join(path, entry);
      if (statSync(full).isDirectory()) walk(full);
      else files[relative(dir, full)] = readFileSync(full, 'utf8');
    }
  };
  walk(dir);
  return files;
}

/** A line of a JavaScript stack trace: user errors must never print one. */
export const stackTraceLine = /^\s+at .+[(:]\d+/m;
