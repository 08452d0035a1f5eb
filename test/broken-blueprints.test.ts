/**
 * Every blueprint under test/fixtures/broken has one or two mistakes, and says in its leading
 * comment where the CLI must report them: `# expect: <code> <line>:<col>`, one line per error.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, saasGen, stackTraceLine } from './support/cli.js';

interface Expected {
  readonly code: string;
  readonly line: number;
  readonly col: number;
}

const fixtureDir = join(repoRoot, 'test', 'fixtures', 'broken');
const fixtures = readdirSync(fixtureDir)
  .filter((name) => name.endsWith('.yaml'))
  .sort()
  .map((name) => {
    const file = relative(repoRoot, join(fixtureDir, name));
    return { name, file, expected: expectationsOf(readFileSync(join(repoRoot, file), 'utf8')) };
  });

function expectationsOf(text: string): Expected[] {
  return text.split('\n').flatMap((line) => {
    const match = /^# expect: ([a-z][a-z-]*) (\d+):(\d+)\s*$/.exec(line);
    return match ? [{ code: match[1]!, line: Number(match[2]), col: Number(match[3]) }] : [];
  });
}

const sorted = (list: readonly Expected[]): Expected[] =>
  [...list].sort((a, b) => a.line - b.line || a.col - b.col || a.code.localeCompare(b.code));

/** `file:line:col: error CODE message` lines of the text format. */
function errorsInText(file: string, stdout: string): Expected[] {
  const escaped = file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const pattern = new RegExp(`^${escaped}:(\\d+):(\\d+): error ([a-z][a-z-]*) `, 'gm');
  return [...stdout.matchAll(pattern)].map((match) => ({
    code: match[3]!,
    line: Number(match[1]),
    col: Number(match[2]),
  }));
}

interface JsonDiagnostic {
  code: string;
  severity: string;
  line: number;
  column: number;
}

function errorsInJson(stdout: string): Expected[] {
  const report = JSON.parse(stdout) as { files: { diagnostics: JsonDiagnostic[] }[] };
  return report.files[0]!.diagnostics.filter((diagnostic) => diagnostic.severity === 'error').map(
    ({ code, line, column }) => ({ code, line, col: column }),
  );
}

describe('the broken blueprints', () => {
  it('are at least two dozen', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(24);
  });

  it.each(fixtures)('$name says what it expects', ({ expected }) => {
    expect(expected.length).toBeGreaterThan(0);
  });
});

describe.concurrent('saas-gen validate on a broken blueprint', () => {
  it.for(fixtures)(
    '$name: prints each expected error at its line and column, and exits 1',
    async ({ file, expected }, { expect }) => {
      const result = await saasGen(['validate', file]);
      expect(result.exitCode).toBe(1);
      expect(sorted(errorsInText(file, result.stdout))).toEqual(sorted(expected));
      expect(result.stdout).toMatch(/✗ \d+ errors?, \d+ warnings?/);
      expect(`${result.stdout}\n${result.stderr}`).not.toMatch(stackTraceLine);
    },
  );

  it.for(fixtures)(
    '$name: reports the same errors with --format json',
    async ({ file, expected }, { expect }) => {
      const result = await saasGen(['validate', '--format', 'json', file]);
      expect(result.exitCode).toBe(1);
      expect(sorted(errorsInJson(result.stdout))).toEqual(sorted(expected));
      expect(result.stderr).not.toMatch(stackTraceLine);
    },
  );
});

const exampleBlueprints = findBlueprints(join(repoRoot, 'examples'));

function findBlueprints(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : findBlueprints(path);
    return /(^|\.)blueprint\.yaml$/.test(entry.name) ? [relative(repoRoot, path)] : [];
  });
}

describe('the example blueprints', () => {
  it('exist', () => {
    expect(exampleBlueprints.length).toBeGreaterThan(0);
  });

  it.concurrent.for(exampleBlueprints)('%s validates with exit 0', async (file, { expect }) => {
    const result = await saasGen(['validate', file]);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain(`${file}: valid`);
    expect(result.exitCode).toBe(0);
  });
});
