/**
 * The slow tier: generate real products, install them, type-check them, run their own tests,
 * and run one as a user would with `npm start`, killed with SIGKILL mid-run and restarted.
 */
import { existsSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import type { ResultPromise } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, saasGen, tempDir } from './support/cli.js';
import { useLocalRegistry } from './support/registry.js';

const minutes = 60_000;
const root = tempDir('saas-gen-slow-');
const acme = join(root, 'acme');
const clinic = join(root, 'clinic');
const fieldOps = join(root, 'field-ops');

const run = (command: string, args: string[], cwd: string, env: Record<string, string> = {}) =>
  execa(command, args, {
    cwd,
    reject: false,
    all: true,
    env: { CI: 'true', NO_COLOR: '1', ...env },
  });

/** The machine's PostgreSQL and RabbitMQ (CI runs them: .ci/run), unless the environment says. */
const services = {
  DATABASE_URL: process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres',
  BUS_URL: process.env.BUS_URL || 'amqp://guest:guest@127.0.0.1:5672',
};

// The product's install fetches its saas-gen devDependency from here: it is on no public registry.
const registry = useLocalRegistry();

beforeAll(async () => {
  const created = await saasGen(
    ['new', acme, '--blueprint', join(repoRoot, 'examples/acme-analytics/blueprint.yaml')],
    { env: registry.env },
  );
  expect(created.exitCode, created.stderr + created.stdout).toBe(0);
  expect(created.stderr).toContain('dependencies installed');
  // Same generator, same dependencies: the second product borrows the first one's.
  const second = await saasGen([
    'new',
    clinic,
    '--blueprint',
    join(repoRoot, 'examples/clinic-scheduling.blueprint.yaml'),
    '--skip-install',
  ]);
  expect(second.exitCode, second.stderr).toBe(0);
  expect(
    readFileSync(join(clinic, 'package.json'), 'utf8')
      .replace(/"name": "[^"]+"/, '')
      .replace(/"description": "[^"]+"/, ''),
  ).toBe(
    readFileSync(join(acme, 'package.json'), 'utf8')
      .replace(/"name": "[^"]+"/, '')
      .replace(/"description": "[^"]+"/, ''),
  );
  symlinkSync(join(acme, 'node_modules'), join(clinic, 'node_modules'));
  const third = await saasGen([
    'new',
    fieldOps,
    '--blueprint',
    join(repoRoot, 'examples/field-ops.blueprint.yaml'),
    '--skip-install',
  ]);
  expect(third.exitCode, third.stderr).toBe(0);
  symlinkSync(join(acme, 'node_modules'), join(fieldOps, 'node_modules'));
}, 15 * minutes);

describe.each([
  ['acme-analytics', acme],
  ['clinic-scheduling', clinic],
  ['field-ops', fieldOps],
])('the product generated from %s', (_name, dir) => {
  it(
    'type-checks under strict TypeScript',
    async () => {
      const result = await run('npx', ['tsc', '--noEmit', '-p', '.'], dir);
      expect(result.exitCode, result.all).toBe(0);
    },
    5 * minutes,
  );

  it(
    'passes its own tests on the embedded runtime',
    async () => {
      // The adapters' integration tests need the services: the next test runs them.
      const result = await run(
        'npx',
        ['vitest', 'run', '--exclude', 'test/runtime/*.integration.test.ts'],
        dir,
        { DATABASE_URL: '', BUS_URL: '' },
      );
      expect(result.exitCode, result.all?.slice(-4000)).toBe(0);
      expect(result.all).toMatch(/Tests\s+\d+ passed/);
      expect(result.all).not.toMatch(/skipped/);
    },
    10 * minutes,
  );
});

describe('the product generated from acme-analytics on PostgreSQL and RabbitMQ', () => {
  it(
    'passes all its tests, the adapters’ integration tests included',
    async () => {
      const result = await run('npx', ['vitest', 'run'], acme, services);
      expect(result.exitCode, result.all?.slice(-4000)).toBe(0);
      expect(result.all).toMatch(/Tests\s+\d+ passed/);
      expect(result.all).not.toMatch(/skipped/i);
    },
    20 * minutes,
  );
});

describe.each([
  ['clinic-scheduling', clinic],
  ['field-ops', fieldOps],
])('the product generated from %s under npm start', (_name, dir) => {
  it(
    'turns a sign-up into an Active tenant',
    async () => {
      const port = 20000 + Math.floor(Math.random() * 20000);
      const base = `http://127.0.0.1:${port}`;
      const server = execa('npm', ['start'], {
        cwd: dir,
        detached: true,
        reject: false,
        env: { PORT: String(port), LOG_LEVEL: 'warn' },
      });
      try {
        await waitFor(async () => (await fetch(`${base}/health`)).ok, 60_000);
        // Without ADMIN_TOKEN, development generates one and keeps it where the README says.
        const token = readFileSync(join(dir, 'data/secrets/admin-token'), 'utf8').trim();
        const operator = { authorization: `Bearer ${token}` };
        expect((await fetch(`${base}/tenants`)).status, 'no token, no tenants').toBe(401);
        const response = await fetch(`${base}/tenants`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            slug: 'demotenant',
            name: 'Demo',
            owner: { email: 'owner@example.com', name: 'Owner' },
          }),
        });
        expect(response.status, await response.clone().text()).toBe(202);
        const { tenantId } = (await response.json()) as { tenantId: string };
        await waitFor(
          async () =>
            (
              (await (
                await fetch(`${base}/tenants/${tenantId}`, { headers: operator })
              ).json()) as { state: string }
            ).state === 'Active',
          60_000,
        );
      } finally {
        if (server.pid) process.kill(-server.pid, 'SIGKILL');
        await server;
      }
    },
    3 * minutes,
  );
});

describe('npm start', () => {
  const port = 3000 + Math.floor(Math.random() * 2000) + 20000;
  const base = `http://127.0.0.1:${port}`;
  const adminToken = 'slow-tier-admin-token-0123456789';
  const operator = { authorization: `Bearer ${adminToken}` };
  let server: ResultPromise | undefined;

  const start = () => {
    server = execa('npm', ['start'], {
      cwd: acme,
      detached: true,
      reject: false,
      env: {
        PORT: String(port),
        LOG_LEVEL: 'warn',
        ADMIN_TOKEN: adminToken,
        // 120 sign-ups from one address: more than the per-client limit allows.
        SIGNUP_RATE_LIMIT: '0',
      },
    });
    return waitFor(async () => (await fetch(`${base}/health`)).ok, 60_000);
  };
  /** SIGKILL to the whole process group: npm, tsx and node alike. */
  const kill = async () => {
    if (server?.pid) process.kill(-server.pid, 'SIGKILL');
    await server;
  };
  afterAll(async () => {
    await kill().catch(() => undefined);
    rmSync(root, { recursive: true, force: true });
  }, 2 * minutes);

  it(
    'onboards every accepted sign-up exactly once across a kill -9 and a restart',
    async () => {
      await start();
      const accepted: string[] = [];
      const signUps = Array.from({ length: 120 }, async (_, index) => {
        const slug = `tenant${String(index).padStart(4, '0')}`;
        try {
          const response = await fetch(`${base}/tenants`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({
              slug,
              name: slug,
              owner: { email: `${slug}@example.com`, name: 'Owner' },
            }),
          });
          if (response.status === 202)
            accepted.push(((await response.json()) as { tenantId: string }).tenantId);
        } catch {
          // The process died under this request: it was never accepted.
        }
      });
      await waitFor(() => Promise.resolve(accepted.length >= 40), 30_000);
      await kill();
      await Promise.all(signUps);
      expect(accepted.length).toBeGreaterThanOrEqual(40);

      await start();
      await waitFor(async () => {
        const states = await Promise.all(
          accepted.map(
            async (id) =>
              (
                (await (await fetch(`${base}/tenants/${id}`, { headers: operator })).json()) as {
                  state: string;
                }
              ).state,
          ),
        );
        return states.every((state) => state === 'Active');
      }, 120_000);
      for (const id of accepted) {
        const { entries } = (await (
          await fetch(`${base}/tenants/${id}/timeline`, { headers: operator })
        ).json()) as {
          entries: { action: string; detail: { step?: string } }[];
        };
        const succeeded = entries
          .filter((entry) => entry.action === 'stepSucceeded')
          .map((entry) => entry.detail.step);
        expect(succeeded.sort(), `steps of ${id}`).toEqual([...new Set(succeeded)].sort());
      }
      const mails = existsSync(join(acme, 'data/mail')) ? readdirSync(join(acme, 'data/mail')) : [];
      for (const id of accepted)
        expect(
          mails.filter((name) => name.startsWith(`${id}-activation-`)),
          `mail of ${id}`,
        ).toHaveLength(1);
    },
    10 * minutes,
  );
});

async function waitFor(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await check()) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`gave up after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
