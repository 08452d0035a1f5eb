/**
 * Stopping a command half-way, as a user does: Ctrl-C (SIGINT to the terminal's whole process
 * group) or `kill` (SIGTERM to one process). A real `saas-gen new` is signalled while npm builds
 * better-sqlite3 and while it fetches; the local-registry script is signalled while it starts and
 * while it runs a command, and killed outright. Each must leave either nothing, or a product that
 * the command it prints completes, and no process behind it.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { binary, exampleBlueprint, repoRoot, tempDir } from './support/cli.js';
import { useLocalRegistry } from './support/registry.js';

const minutes = 60_000;
const registry = useLocalRegistry();
const root = tempDir('saas-gen-interrupt-');

afterAll(() => rmSync(root, { recursive: true, force: true }), 120_000);

interface Started {
  readonly child: ChildProcess;
  /** Everything it printed so far, stdout and stderr. */
  readonly output: () => string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts a command in a process group of its own, as a shell starts a foreground job. */
function start(command: string, args: string[], env: Record<string, string>): Started {
  const child = spawn(command, args, {
    cwd: repoRoot,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1', CI: 'true', ...env },
  });
  let text = '';
  child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.once('exit', (code, signal) => done({ code, signal })),
  );
  return { child, output: () => text, exited };
}

async function waitFor(started: Started, pattern: RegExp, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pattern.test(started.output())) {
    if (started.child.exitCode !== null || Date.now() > deadline)
      throw new Error(`never printed ${String(pattern)}:\n${started.output()}`);
    await new Promise((done) => setTimeout(done, 100));
  }
}

/** The processes whose working directory is in `dir`: what an interrupted command left running. */
function processesIn(dir: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((entry) => /^\d+$/.test(entry))) {
    try {
      if (readlinkSync(`/proc/${pid}/cwd`).startsWith(dir)) found.push(pid);
    } catch {
      // gone already, or not ours to read
    }
  }
  return found;
}

const newProduct = (dir: string) =>
  start('node', [binary, 'new', dir, '--blueprint', exampleBlueprint('field-ops')], registry.env);

describe('saas-gen new, interrupted', () => {
  it(
    'by Ctrl-C while better-sqlite3 builds: says so, removes the half-built install, and the printed command completes it',
    async () => {
      const dir = join(root, 'ctrl-c');
      const started = newProduct(dir);
      await waitFor(started, /better-sqlite3@\S+: building its native module/, 5 * minutes);
      await new Promise((done) => setTimeout(done, 1_000));
      process.kill(-started.child.pid!, 'SIGINT');
      const { code } = await started.exited;
      const output = started.output();
      expect(code, output).toBe(130);
      expect(output).toMatch(/interrupted \(SIGINT\): npm install was stopped/);
      if (Number(process.versions.node.split('.')[0]) < 22)
        expect(output).toContain(`Node.js ${process.version} is past its end of life`);
      expect(output).toContain(`To finish: cd ${dir} && npm install`);
      expect(existsSync(join(dir, 'node_modules')), 'the half-built install is removed').toBe(
        false,
      );
      expect(existsSync(join(dir, 'package.json'))).toBe(true);
      expect(processesIn(dir), 'no process of the install is left').toEqual([]);

      const finished = await execa('npm', ['install', '--no-audit', '--no-fund'], {
        cwd: dir,
        env: registry.env,
        reject: false,
        all: true,
      });
      expect(finished.exitCode, finished.all).toBe(0);
      const opened = await execa(
        'node',
        ['-e', "new (require('better-sqlite3'))(':memory:').prepare('select 1').get()"],
        { cwd: dir, reject: false, all: true },
      );
      expect(opened.exitCode, `better-sqlite3 is built and loads: ${opened.all}`).toBe(0);
    },
    15 * minutes,
  );

  it(
    'by SIGTERM to saas-gen alone while npm fetches: stops npm and all it started, and says what is left',
    async () => {
      const dir = join(root, 'sigterm');
      const started = newProduct(dir);
      await waitFor(started, /installing dependencies/, 2 * minutes);
      await new Promise((done) => setTimeout(done, 1_500));
      // To saas-gen only, as `kill <pid>` sends it: npm hears of it from saas-gen or not at all.
      started.child.kill('SIGTERM');
      const { code } = await started.exited;
      const output = started.output();
      expect(code, output).toBe(143);
      expect(output).toMatch(/interrupted \(SIGTERM\): npm install was stopped/);
      expect(existsSync(join(dir, 'node_modules'))).toBe(false);
      expect(existsSync(join(dir, 'blueprint.yaml'))).toBe(true);
      expect(processesIn(dir), 'no process of the install is left').toEqual([]);
    },
    5 * minutes,
  );
});

describe('scripts/local-registry.ts, interrupted', () => {
  /** Its folders live in TMPDIR: a fresh one per case shows what each left there. */
  const registryRun = (name: string, args: string[]) => {
    const tmp = join(root, `tmp-${name}`);
    mkdirSync(tmp);
    return {
      tmp,
      left: () => readdirSync(tmp).filter((entry) => entry.startsWith('saas-gen-registry-')),
      started: start('npx', ['tsx', 'scripts/local-registry.ts', '--no-build', ...args], {
        TMPDIR: tmp,
      }),
    };
  };
  const gone = async (left: () => string[]) => {
    // The registry's server removes the folder when its parent is killed outright: not at once.
    for (let tries = 0; tries < 100 && left().length > 0; tries++)
      await new Promise((done) => setTimeout(done, 100));
    return left();
  };

  it(
    'by Ctrl-C while it starts, while it runs a command, and when it is killed: its folder is removed every time',
    async () => {
      const starting = registryRun('starting', ['--', 'sleep', '60']);
      for (let tries = 0; tries < 600 && starting.left().length === 0; tries++)
        await new Promise((done) => setTimeout(done, 50));
      expect(starting.left(), 'its folder exists while it starts').toHaveLength(1);
      expect(starting.started.output()).not.toContain('published on');
      process.kill(-starting.started.child.pid!, 'SIGINT');
      await starting.started.exited;
      expect(await gone(starting.left), starting.started.output()).toEqual([]);

      const running = registryRun('running', ['--', 'sleep', '60']);
      await waitFor(running.started, /published on/, 2 * minutes);
      process.kill(-running.started.child.pid!, 'SIGINT');
      await running.started.exited;
      expect(await gone(running.left), running.started.output()).toEqual([]);

      const killed = registryRun('killed', ['--', 'sleep', '60']);
      await waitFor(killed.started, /published on/, 2 * minutes);
      // SIGKILL to every process but the server's: nothing of the script can tidy up.
      const group = (await execa('ps', ['-eo', 'pid=,pgid=,args='])).stdout
        .split('\n')
        .map((line) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line))
        .filter((match) => match !== null && Number(match[2]) === killed.started.child.pid);
      expect(group.length, 'npx, tsx, the script and its server').toBeGreaterThan(1);
      for (const match of group)
        if (!match![3]!.includes('runServer')) process.kill(Number(match![1]), 'SIGKILL');
      await killed.started.exited;
      expect(await gone(killed.left), killed.started.output()).toEqual([]);
      process.kill(-killed.started.child.pid!, 'SIGKILL');
    },
    6 * minutes,
  );
});
