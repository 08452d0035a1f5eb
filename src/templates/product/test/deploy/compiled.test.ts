/**
 * The product as its image runs it: `npm run build` compiles it to dist/, and `node
 * dist/src/main.js` in production, with nothing but its compiled JavaScript and its
 * dependencies (no tsx), starts, answers its health checks and stops cleanly on SIGTERM.
 */
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { environment } from '../doubles.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

function run(command: string, args: readonly string[]): Promise<Exit & { output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, output }));
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

const exited = (child: ChildProcess): Promise<Exit> =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve({ code: child.exitCode, signal: child.signalCode })
    : new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));

async function get(url: string): Promise<{ status: number; body: unknown } | undefined> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    return { status: response.status, body: await response.json() };
  } catch {
    return undefined;
  }
}

describe('the compiled product (what the image runs)', () => {
  let child: ChildProcess | undefined;
  let output = '';
  let base = '';

  beforeAll(async () => {
    const build = await run('npm', ['run', 'build']);
    expect(build.code, `npm run build failed:\n${build.output}`).toBe(0);
    const dir = mkdtempSync(join(tmpdir(), 'compiled-'));
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    // Only what a container is given: none of the test run's own variables (DATABASE_URL, …).
    child = spawn(process.execPath, ['dist/src/main.js'], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        PATH: process.env.PATH ?? '',
        NODE_ENV: 'production',
        PORT: String(port),
        ADMIN_TOKEN: randomBytes(32).toString('base64url'),
        JWT_SECRET: randomBytes(32).toString('base64url'),
        PUBLIC_URL: 'https://app.example.com',
        DATABASE_URL: `file:${join(dir, 'app.db')}`,
        MAIL_DIR: join(dir, 'mail'),
        SHUTDOWN_TIMEOUT_MS: '5000',
        // The team's own variables (src/env.ts), as test/doubles.ts gives them.
        ...environment,
      },
    });
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const started = Date.now();
    while (!(await get(`${base}/health/live`))) {
      if (child.exitCode !== null) throw new Error(`the product exited:\n${output}`);
      if (Date.now() - started > 30_000) throw new Error(`the product did not answer:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }, 180_000);

  afterAll(() => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
  });

  it('answers /health/live and /health/ready', async () => {
    expect(await get(`${base}/health/live`)).toEqual({ status: 200, body: { status: 'ok' } });
    expect(await get(`${base}/health/ready`)).toEqual({
      status: 200,
      body: { status: 'ok', store: true, bus: true },
    });
    expect((await get(`${base}/health`))?.status).toBe(200);
  });

  it('refuses a configuration in one line that names the variable, never its value', async () => {
    const password = 'Zq7markerPw';
    const dir = mkdtempSync(join(tmpdir(), 'refused-'));
    for (const env of [
      { DATABASE_URL: `postgres://app:${password}@db:notaport/app` },
      { BUS_URL: `amqp://app:${password}@mq?heartbeat=soon` },
      // Well formed, but pg cannot read the certificate it names.
      {
        DATABASE_URL: `postgres://app:${password}@127.0.0.1/app?sslmode=verify-full&sslrootcert=${join(dir, 'none.pem')}`,
      },
      {
        NODE_ENV: 'production',
        PUBLIC_URL: 'https://app.example.com',
        ADMIN_TOKEN: password.repeat(4),
      },
    ]) {
      const name = Object.keys(env).find((key) => key !== 'NODE_ENV' && key !== 'PUBLIC_URL')!;
      const refused = await new Promise<Exit & { output: string }>((resolve, reject) => {
        const started = spawn(process.execPath, ['dist/src/main.js'], {
          cwd: root,
          stdio: ['ignore', 'pipe', 'pipe'],
          env: {
            PATH: process.env.PATH ?? '',
            JWT_SECRET: randomBytes(32).toString('base64url'),
            MAIL_DIR: join(dir, 'mail'),
            ...environment,
            ...env,
          },
        });
        let text = '';
        started.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
        started.stderr.on('data', (chunk: Buffer) => (text += chunk.toString()));
        started.on('error', reject);
        started.on('close', (code, signal) => resolve({ code, signal, output: text }));
      });
      expect(refused.code, refused.output).toBe(1);
      expect(refused.output).toMatch(new RegExp(`^configuration error: ${name} `));
      expect(refused.output).not.toContain(password);
      // A message, not a stack trace.
      expect(refused.output.trim().split('\n')).toHaveLength(1);
    }
  }, 60_000);

  it('drains and exits 0 on SIGTERM, within SHUTDOWN_TIMEOUT_MS', async () => {
    const started = Date.now();
    child!.kill('SIGTERM');
    expect(await exited(child!), output).toEqual({ code: 0, signal: null });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(output).toContain('shutting down');
  });
});
