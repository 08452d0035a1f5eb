/**
 * What `new` shows of `npm install` (src/cli/install.ts), against a stand-in `npm` on PATH that
 * prints what npm 11 prints with --foreground-scripts when better-sqlite3 has to be compiled.
 */
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { installDependencies } from '../src/cli/install.js';
import type { Output } from '../src/cli/output.js';
import { tempDir } from './support/cli.js';

const compilerLines = Array.from(
  { length: 130 },
  (_, index) => `  CXX(target) Release/obj.target/better_sqlite3/src/part${index}.o`,
);

const transcript = [
  'npm warn EBADENGINE Unsupported engine {',
  "npm warn EBADENGINE   package: 'cookie@2.0.2',",
  "npm warn EBADENGINE   required: { node: '>=22' },",
  "npm warn EBADENGINE   current: { node: 'v20.20.2', npm: '11.19.1' }",
  'npm warn EBADENGINE }',
  'npm warn deprecated inflight@1.0.6: This module is not supported, and leaks memory.',
  '',
  '> better-sqlite3@12.11.1 install',
  '> prebuild-install || node-gyp rebuild --release',
  '',
  'prebuild-install warn install request to https://example.invalid failed',
  'gyp info it worked if it ends with ok',
  ...compilerLines,
  'gyp info ok ',
  '',
  '> esbuild@0.25.0 postinstall',
  '> node install.js',
  '',
  'added 312 packages in 41s',
];

let dir: string;
let path: string | undefined;
let tmp: string | undefined;

beforeEach(() => {
  dir = tempDir('saas-gen-progress-');
  mkdirSync(join(dir, 'bin'));
  mkdirSync(join(dir, 'product'));
  path = process.env.PATH;
  // The log goes to the temp directory: this test's own, removed with it.
  tmp = process.env.TMPDIR;
  process.env.TMPDIR = dir;
});
afterEach(() => {
  process.env.PATH = path;
  if (tmp === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = tmp;
  rmSync(dir, { recursive: true, force: true });
});

/** A stand-in npm that prints `lines` and exits with `code`. */
function fakeNpm(lines: readonly string[], code: number): void {
  writeFileSync(join(dir, 'transcript.txt'), `${lines.join('\n')}\n`);
  const npm = join(dir, 'bin', 'npm');
  writeFileSync(npm, `#!/bin/sh\ncat "${join(dir, 'transcript.txt')}"\nexit ${code}\n`);
  chmodSync(npm, 0o755);
  process.env.PATH = `${join(dir, 'bin')}:${path}`;
}

function capture(): Output & { text: () => string } {
  let text = '';
  return {
    out: (chunk) => (text += chunk),
    err: (chunk) => (text += chunk),
    color: false,
    interactive: false,
    text: () => text,
  };
}

const logNamed = (text: string): string => {
  const log = /npm's full output: (\S+\.log)/.exec(text)?.[1];
  if (!log) throw new Error(`no log named in:\n${text}`);
  expect(log.startsWith(dir), 'in the temp directory').toBe(true);
  return log;
};

describe('the install progress of new', () => {
  it("shows npm's own lines, a native build as one line with its time, and names the full log", async () => {
    fakeNpm(transcript, 0);
    const output = capture();
    await installDependencies(join(dir, 'product'), output);
    const shown = output.text();
    expect(shown).toContain('│ npm warn deprecated inflight@1.0.6');
    // npm's five-line engine warning is one line.
    expect(shown).toContain(
      '│ npm warn EBADENGINE cookie@2.0.2 needs node >=22 (this is v20.20.2)\n',
    );
    expect(shown).not.toContain('Unsupported engine {');
    expect(shown).toContain('│ better-sqlite3@12.11.1: building its native module');
    expect(shown).toMatch(/│ better-sqlite3@12\.11\.1: native module built in \d+:\d\d/);
    expect(shown).toMatch(/│ esbuild@0\.25\.0: install script done in \d+:\d\d/);
    expect(shown).toContain('│ added 312 packages in 41s');
    expect(shown).not.toContain('CXX(target)');
    expect(shown).not.toContain('gyp info');
    expect(shown.split('\n').length, 'a handful of lines, not 140').toBeLessThan(15);
    const log = readFileSync(logNamed(shown), 'utf8');
    for (const line of compilerLines) expect(log).toContain(line);
  });

  it('on failure, quotes the end of the output and names the log', async () => {
    fakeNpm(
      [
        ...transcript.slice(0, 14),
        'gyp ERR! stack Error: not found: make',
        'npm error code 1',
        'npm error path /product/node_modules/better-sqlite3',
        'npm error command failed',
      ],
      1,
    );
    const output = capture();
    const failed = installDependencies(join(dir, 'product'), output);
    await expect(failed).rejects.toThrow(/npm install failed in .* \(exit 1\)/);
    const message = await failed.then(
      () => '',
      (error: Error) => error.message,
    );
    expect(message).toContain('gyp ERR! stack Error: not found: make');
    expect(message).toContain('npm error command failed');
    expect(readFileSync(logNamed(message), 'utf8')).toContain('CXX(target)');
    expect(output.text()).toMatch(/better-sqlite3@12\.11\.1: its install script failed after/);
  });
});
