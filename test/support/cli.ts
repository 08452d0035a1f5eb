import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { execa } from 'execa';

export const repoRoot = resolve(import.meta.dirname, '..', '..');
export const binary = join(repoRoot, 'bin', 'saas-gen.js');
export const referenceBlueprint = join(repoRoot, 'examples', 'acme-analytics', 'blueprint.yaml');

/** Runs the built CLI; never throws on a non-zero exit. */
export async function saasGen(args: readonly string[], cwd = repoRoot) {
  const result = await execa('node', [binary, ...args], {
    cwd,
    reject: false,
    env: { NO_COLOR: '1' },
  });
  return {
    exitCode: result.exitCode ?? -1,
    stdout: String(result.stdout),
    stderr: String(result.stderr),
  };
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
