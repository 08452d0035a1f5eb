/** How `new` and the other commands talk: the starter, the modeline, progress, JSON, help, colour. */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { colorEnabled } from '../src/cli/output.js';
import { referenceBlueprint, repoRoot, saasGen, tempDir } from './support/cli.js';

const pinnedModeline =
  '# yaml-language-server: $schema=./node_modules/saas-gen/schema/blueprint.schema.json';

/** A directory with an `npm` that prints `lines` and exits with `code`, for PATH. */
function fakeNpm(lines: string[], code = 0): string {
  const bin = tempDir('fake-npm-');
  const script = join(bin, 'npm');
  writeFileSync(
    script,
    `#!/bin/sh\n${lines.map((line) => `echo '${line}'`).join('\n')}\nexit ${code}\n`,
  );
  chmodSync(script, 0o755);
  return bin;
}
const withNpm = (bin: string) => ({ PATH: `${bin}${delimiter}${process.env.PATH}` });

describe('new', () => {
  it('starts from the commented starter blueprint without --blueprint, and says so', async () => {
    const dir = join(tempDir(), 'team-notes');
    const result = await saasGen(['new', dir, '--skip-install']);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain(
      'No --blueprint given: starting from the commented starter blueprint',
    );
    const blueprint = readFileSync(join(dir, 'blueprint.yaml'), 'utf8');
    expect(blueprint.split('\n')[0]).toBe(pinnedModeline);
    expect(blueprint).toMatch(/^ {2}name: team-notes\b/m);
    expect(blueprint).toContain('run `npx saas-gen generate`');
    expect((await saasGen(['validate', join(dir, 'blueprint.yaml')])).exitCode).toBe(0);
    expect((await saasGen(['check', dir])).exitCode).toBe(0);
  });

  it("rewrites a blueprint's modeline that points elsewhere, and says so", async () => {
    const dir = join(tempDir(), 'acme');
    const result = await saasGen(['new', dir, '--blueprint', referenceBlueprint, '--skip-install']);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain(
      'blueprint.yaml: its modeline pointed at `../../schema/blueprint.schema.json`; it now points at the schema of the pinned saas-gen',
    );
    expect(readFileSync(join(dir, 'blueprint.yaml'), 'utf8').split('\n')[0]).toBe(pinnedModeline);
  });

  it('adds a modeline to a blueprint without one', async () => {
    const source = join(tempDir(), 'bare.yaml');
    writeFileSync(source, readFileSync(referenceBlueprint, 'utf8').split('\n').slice(1).join('\n'));
    const dir = join(tempDir(), 'acme');
    const result = await saasGen(['new', dir, '--blueprint', source, '--skip-install']);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain('blueprint.yaml: added a modeline');
    expect(readFileSync(join(dir, 'blueprint.yaml'), 'utf8').split('\n')[0]).toBe(pinnedModeline);
  });

  it("streams npm's output while it installs, and says how long it took", async () => {
    const dir = join(tempDir(), 'acme');
    const npm = fakeNpm(['added 312 packages in 3s', 'better-sqlite3: install script done']);
    const result = await saasGen(['new', dir, '--blueprint', referenceBlueprint], {
      env: withNpm(npm),
    });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stderr).toContain('installing dependencies (npm install)');
    expect(result.stderr).toContain('│ added 312 packages in 3s');
    expect(result.stderr).toContain('│ better-sqlite3: install script done');
    expect(result.stderr).toMatch(/✓ dependencies installed in 0:\d\d \(\d+\.\d s\)/);
    expect(result.stdout).toContain('http://localhost:3000');
    expect(result.stdout).toContain(join(dir, 'data/secrets/admin-token'));
    expect(result.stdout).not.toMatch(/^ {2}npm install/m);
  });

  it("fails with npm's last lines when the install fails, keeping the product", async () => {
    const dir = join(tempDir(), 'acme');
    const npm = fakeNpm(['npm error code ENOTFOUND', 'npm error network down'], 1);
    const result = await saasGen(['new', dir, '--blueprint', referenceBlueprint], {
      env: withNpm(npm),
    });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('npm install failed');
    expect(result.stderr).toContain('npm error network down');
    expect(existsSync(join(dir, 'package.json'))).toBe(true);
  });

  it('prints one JSON document with --json: each file with its class and action', async () => {
    const dir = join(tempDir(), 'acme');
    const result = await saasGen([
      'new',
      dir,
      '--blueprint',
      referenceBlueprint,
      '--skip-install',
      '--json',
    ]);
    expect(result.exitCode, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as {
      command: string;
      ok: boolean;
      blueprint: { modeline: string };
      files: { path: string; class: string; action: string }[];
    };
    expect(report).toMatchObject({
      command: 'new',
      ok: true,
      blueprint: { modeline: 'rewritten' },
    });
    expect(report.files).toEqual(
      expect.arrayContaining([
        { path: 'package.json', class: 'merged', action: 'create' },
        { path: 'blueprint.yaml', class: 'user', action: 'create' },
        { path: 'src/product.ts', class: 'generated', action: 'create' },
      ]),
    );
  });

  it('prints its diagnostics in the JSON document for an invalid blueprint, and writes nothing', async () => {
    const source = join(tempDir(), 'blueprint.yaml');
    writeFileSync(
      source,
      readFileSync(referenceBlueprint, 'utf8').replace(
        'defaultEdition: free',
        'defaultEdition: fre',
      ),
    );
    const dir = join(tempDir(), 'acme');
    const result = await saasGen(['new', dir, '--blueprint', source, '--json']);
    expect(result.exitCode).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({
      command: 'new',
      ok: false,
      diagnostics: [expect.objectContaining({ code: 'unknown-edition' })],
    });
    expect(existsSync(dir)).toBe(false);
  });
});

describe('init', () => {
  it('writes a modeline that resolves from where it writes the file', async () => {
    const file = join(tempDir(), 'deep', 'down', 'blueprint.yaml');
    expect((await saasGen(['init', file])).exitCode).toBe(0);
    const schema = /\$schema=(\S+)/.exec(readFileSync(file, 'utf8'))![1]!;
    expect(existsSync(resolve(dirname(file), schema)), schema).toBe(true);
  });

  it('points at the saas-gen installed where it writes, when there is one', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'node_modules/saas-gen/schema'), { recursive: true });
    writeFileSync(join(dir, 'node_modules/saas-gen/schema/blueprint.schema.json'), '{}');
    expect((await saasGen(['init', join(dir, 'blueprint.yaml')])).exitCode).toBe(0);
    expect(readFileSync(join(dir, 'blueprint.yaml'), 'utf8').split('\n')[0]).toBe(pinnedModeline);
  });
});

describe('help', () => {
  it.each(['new', 'generate', 'check', 'validate', 'schema', 'init', 'diagram'])(
    '`%s --help` shows examples',
    async (command) => {
      const result = await saasGen([command, '--help']);
      expect(result.exitCode).toBe(0);
      expect(result.stdout).toMatch(/Examples:\n {2}\$ (npx )?saas-gen/);
    },
  );
});

describe('colour', () => {
  it.each([
    [{}, true, true],
    [{}, false, false],
    [{ NO_COLOR: '1' }, true, false],
    [{ NO_COLOR: '' }, true, true],
    [{ FORCE_COLOR: '1' }, false, true],
    [{ FORCE_COLOR: '' }, false, false],
    [{ FORCE_COLOR: '0' }, true, false],
    [{ FORCE_COLOR: '1', NO_COLOR: '1' }, false, true],
  ])('%j on a terminal: %s → %s', (env, terminal, expected) => {
    expect(colorEnabled(env, terminal)).toBe(expected);
  });

  it('follows FORCE_COLOR into a pipe, and NO_COLOR otherwise', async () => {
    const broken = join(tempDir(), 'blueprint.yaml');
    writeFileSync(
      broken,
      readFileSync(referenceBlueprint, 'utf8').replace(
        'defaultEdition: free',
        'defaultEdition: fre',
      ),
    );
    const forced = await saasGen(['validate', broken], { env: { NO_COLOR: '', FORCE_COLOR: '1' } });
    expect(forced.stdout).toContain('\u001b[31m');
    const plain = await saasGen(['validate', broken], { env: { NO_COLOR: '1' } });
    expect(plain.stdout).not.toContain('\u001b[');
  });
});

describe('pipes', () => {
  it('ends quietly when the reader closes the pipe early', async () => {
    const result = await execa(
      'sh',
      ['-c', `node '${join(repoRoot, 'bin/saas-gen.js')}' schema | head -c 1`],
      {
        reject: false,
      },
    );
    expect(result.stdout).toBe('{');
    expect(result.stderr).not.toMatch(/EPIPE|Error/);
  });
});
