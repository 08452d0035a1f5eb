/**
 * The slow tier: generate real products, install them (saas-gen and @saas-gen/runtime from a
 * local registry), type-check them, run their own tests, complete one as its team would, and run
 * one as a user would with `npm start`, killed with SIGKILL mid-run and restarted.
 */
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import type { ResultPromise } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
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
      const result = await run('npx', ['vitest', 'run'], dir, { DATABASE_URL: '', BUS_URL: '' });
      expect(result.exitCode, result.all?.slice(-4000)).toBe(0);
      expect(result.all).toMatch(/Tests\s+\d+ passed/);
      expect(result.all).not.toMatch(/skipped/);
    },
    10 * minutes,
  );

  it('has a prometheus.yml promtool accepts as generated, and as the compose stack mounts it', async () => {
    const asGenerated = await run(
      'promtool',
      ['check', 'config', 'observability/prometheus.yml'],
      dir,
    );
    expect(asGenerated.exitCode, asGenerated.all).toBe(0);
    expect(asGenerated.all).toContain('SUCCESS: 1 rule files found');

    // The container's view: what docker-compose.yml bind-mounts into Prometheus, each at its
    // container path under a temporary root, and the token file its entrypoint writes.
    const prometheus = (
      parse(readFileSync(join(dir, 'docker-compose.yml'), 'utf8')) as {
        services: { prometheus: { volumes: string[]; entrypoint: string[]; command: string[] } };
      }
    ).services.prometheus;
    const container = tempDir('saas-gen-prometheus-');
    const inside = (path: string) => join(container, path);
    for (const volume of prometheus.volumes) {
      const [host, target] = volume.split(':') as [string, string];
      if (!host.startsWith('./')) continue; // a named volume: empty at first
      mkdirSync(dirname(inside(target)), { recursive: true });
      cpSync(join(dir, host), inside(target));
    }
    const configFile = inside(
      prometheus.command.find((arg) => arg.startsWith('--config.file='))!.split('=')[1]!,
    );
    const unwritten = await run('promtool', ['check', 'config', configFile], container);
    expect(unwritten.exitCode, 'the token file comes from the entrypoint, not a mount').not.toBe(0);
    expect(unwritten.all).toContain('metrics-token');
    const tokenFile = /"\$\$METRICS_TOKEN" > (\/\S+) &&/.exec(prometheus.entrypoint.join(' '))?.[1];
    expect(tokenFile, prometheus.entrypoint.join(' ')).toBeDefined();
    writeFileSync(inside(tokenFile!), 'a-metrics-token', { mode: 0o600 });
    const mounted = await run('promtool', ['check', 'config', configFile], container);
    expect(mounted.exitCode, mounted.all).toBe(0);
    expect(mounted.all).toContain('SUCCESS: 1 rule files found');
    rmSync(container, { recursive: true, force: true });
  });

  it(
    'serves an OpenAPI document Redocly (recommended) and Spectral (spectral:oas) find nothing in',
    async () => {
      const port = await freePort();
      const server = execa('npm', ['start'], {
        cwd: dir,
        detached: true,
        reject: false,
        env: { PORT: String(port), LOG_LEVEL: 'warn' },
      });
      let document: string;
      try {
        await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/health`)).ok, 60_000);
        const response = await fetch(`http://127.0.0.1:${port}/openapi.json`);
        expect(response.status).toBe(200);
        document = await response.text();
      } finally {
        if (server.pid) process.kill(-server.pid, 'SIGKILL');
        await server;
      }
      const lint = tempDir('saas-gen-openapi-');
      const file = join(lint, 'openapi.json');
      writeFileSync(file, document);
      const bin = (name: string) => join(repoRoot, 'node_modules/.bin', name);

      const redocly = await execa(
        bin('redocly'),
        ['lint', '--extends', 'recommended', '--format', 'json', file],
        { cwd: lint, reject: false, env: { NO_COLOR: '1' } },
      );
      const found = JSON.parse(redocly.stdout) as {
        totals: { errors: number; warnings: number };
        problems: { ruleId: string; message: string }[];
      };
      expect(found.problems, redocly.stderr).toEqual([]);
      expect(found.totals).toMatchObject({ errors: 0, warnings: 0 });
      expect(redocly.exitCode, redocly.stderr).toBe(0);

      writeFileSync(join(lint, 'spectral.yaml'), 'extends: ["spectral:oas"]\n');
      const results = join(lint, 'spectral.json');
      const spectral = await execa(
        bin('spectral'),
        ['lint', '-r', join(lint, 'spectral.yaml'), '-f', 'json', '-o', results, file],
        { cwd: lint, reject: false, env: { NO_COLOR: '1' } },
      );
      expect(spectral.exitCode, spectral.stdout + spectral.stderr).toBe(0);
      const problems = JSON.parse(readFileSync(results, 'utf8')) as {
        code: string;
        message: string;
        path: string[];
      }[];
      expect(problems).toEqual([]);
      rmSync(lint, { recursive: true, force: true });
    },
    3 * minutes,
  );
});

describe('a team completing the acme-analytics product, as a new user would', () => {
  // Its handlers call a warehouse service over HTTP, at a URL of a variable the team declares;
  // main.ts builds the client and adds a route; test/doubles.ts gives the tests a stand-in. These
  // are examples/acme-analytics' own files, the team's part of the reference product.
  const teamFiles = [
    'src/warehouse.ts',
    'src/env.ts',
    'src/main.ts',
    'src/services/analytics/handlers.ts',
    'test/doubles.ts',
  ];
  const team = join(root, 'team');
  const teamToken = 'team-admin-token-0123456789abcdef';

  beforeAll(async () => {
    const created = await saasGen([
      'new',
      team,
      '--blueprint',
      join(repoRoot, 'examples/acme-analytics/blueprint.yaml'),
      '--skip-install',
    ]);
    expect(created.exitCode, created.stderr).toBe(0);
    symlinkSync(join(acme, 'node_modules'), join(team, 'node_modules'));
    for (const file of teamFiles)
      cpSync(join(repoRoot, 'examples/acme-analytics', file), join(team, file));
    // A test of the team's own: the real client against a warehouse that answers over HTTP.
    writeFileSync(join(team, 'test/warehouse.test.ts'), warehouseTest);
  }, 5 * minutes);

  const checks = async () => {
    const typecheck = await run('npx', ['tsc', '--noEmit', '-p', '.'], team);
    expect(typecheck.exitCode, typecheck.all).toBe(0);
    const tests = await run('npm', ['test'], team);
    expect(tests.exitCode, tests.all?.slice(-4000)).toBe(0);
    expect(tests.all).toMatch(/Tests\s+\d+ passed/);
    const checked = await run('npx', ['saas-gen', 'check'], team);
    expect(checked.exitCode, checked.all).toBe(0);
  };

  it('type-checks, passes its tests, including its own, and saas-gen check', checks, 10 * minutes);

  it(
    'refuses to start without the variable it declared, naming it',
    async () => {
      const started = await run('npm', ['start'], team, { PORT: '0', WAREHOUSE_URL: '' });
      expect(started.exitCode).not.toBe(0);
      expect(started.all).toContain('configuration error: WAREHOUSE_URL must be set');
      const bad = await run('npm', ['start'], team, { PORT: '0', WAREHOUSE_URL: 'warehouse:80' });
      expect(bad.all).toContain('configuration error: WAREHOUSE_URL must be a http: or https: URL');

      // With it, the product starts and answers the route main.ts added.
      const port = await freePort();
      const server = execa('npm', ['start'], {
        cwd: team,
        detached: true,
        reject: false,
        env: {
          PORT: String(port),
          LOG_LEVEL: 'warn',
          ADMIN_TOKEN: teamToken,
          WAREHOUSE_URL: 'http://warehouse.test:8080/',
        },
      });
      try {
        await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/health`)).ok, 60_000);
        // A route says who may call it (`config.access`); saying nothing, it is for operators.
        const url = `http://127.0.0.1:${port}/status/warehouse`;
        expect((await fetch(url)).status).toBe(401);
        const status = await fetch(url, { headers: { authorization: `Bearer ${teamToken}` } });
        expect(await status.json()).toEqual({ origin: 'http://warehouse.test:8080' });
      } finally {
        if (server.pid) process.kill(-server.pid, 'SIGKILL');
        await server;
      }
    },
    3 * minutes,
  );

  it(
    'gets the placeholder of a step added to its service, and still type-checks and passes its tests',
    async () => {
      const blueprint = join(team, 'blueprint.yaml');
      writeFileSync(
        blueprint,
        readFileSync(blueprint, 'utf8').replace(
          '      upload: {',
          '      archive: { service: analytics, on: ExportUploaded, emits: ExportArchived }\n      upload: {',
        ),
      );
      const generated = await run('npx', ['saas-gen', 'generate'], team);
      expect(generated.exitCode, generated.all).toBe(0);
      expect(generated.all).toContain(
        "UPDATE src/services/analytics/handlers.ts (added `onArchive`: placeholders for the blueprint's new steps)",
      );
      await checks();
    },
    10 * minutes,
  );
});

/** The team's own test: its warehouse client against a warehouse that answers over HTTP. */
const warehouseTest = `import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startTestProduct } from '@saas-gen/runtime/testing';
import { afterAll, expect, it } from 'vitest';
import { productDefinition } from '../src/product.js';
import { productHandlers } from '../src/services/registry.js';
import { httpWarehouse } from '../src/warehouse.js';

const seeded: string[] = [];
const warehouse = createServer((request, response) => {
  seeded.push(\`\${request.method} \${request.url}\`);
  response.setHeader('content-type', 'application/json');
  response.end(JSON.stringify({ workspaceId: crypto.randomUUID(), sampleRows: 7 }));
});
await new Promise<void>((resolve) => warehouse.listen(0, '127.0.0.1', resolve));
afterAll(() => new Promise((resolve) => warehouse.close(resolve)));

it('seeds the workspace of a new tenant in the warehouse', async () => {
  const url = new URL(\`http://127.0.0.1:\${(warehouse.address() as AddressInfo).port}/\`);
  const product = await startTestProduct({
    product: productDefinition,
    handlers: productHandlers({ analytics: { warehouse: httpWarehouse(url) }, storage: {} }),
  });
  try {
    const { tenantId } = await product.signUp();
    await product.settle();
    expect((await product.tenant(tenantId)).state).toBe('Active');
    expect(seeded).toEqual([\`PUT /workspaces/\${tenantId}\`]);
  } finally {
    await product.stop();
  }
});
`;

/** A `payment.settled` delivery as the provider sends it, signed as Standard Webhooks. */
function settledWebhook(secret: string, tenantId: string) {
  const body = JSON.stringify({ type: 'payment.settled', tenantId });
  const id = `msg_${randomUUID()}`;
  const timestamp = String(Math.floor(Date.now() / 1000));
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const mac = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64');
  return {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': timestamp,
      'webhook-signature': `v1,${mac}`,
    },
    body,
  };
}

// clinic-scheduling's default edition has a trial, so a sign-up is Active at once; field-ops's is
// paid without one, so its sign-up waits until the provider says the payment settled.
describe.each([
  ['clinic-scheduling', clinic, 'trial'],
  ['field-ops', fieldOps, 'paid'],
])('the product generated from %s under npm start', (_name, dir, terms) => {
  it(
    'turns a sign-up into an Active tenant',
    async () => {
      const port = 20000 + Math.floor(Math.random() * 20000);
      const base = `http://127.0.0.1:${port}`;
      const webhookSecret = `whsec_${randomBytes(32).toString('base64')}`;
      const server = execa('npm', ['start'], {
        cwd: dir,
        detached: true,
        reject: false,
        env: {
          PORT: String(port),
          LOG_LEVEL: 'warn',
          BILLING_WEBHOOK_SECRET: webhookSecret,
          CHECKOUT_URL: 'https://pay.example.com/checkout?tenant={tenantId}',
        },
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
        const { tenantId, payment } = (await response.json()) as {
          tenantId: string;
          payment: { terms: string; checkoutUrl?: string };
        };
        expect(payment).toEqual({
          terms,
          checkoutUrl: `https://pay.example.com/checkout?tenant=${tenantId}`,
        });
        const tenant = async () =>
          (await (await fetch(`${base}/tenants/${tenantId}`, { headers: operator })).json()) as {
            state: string;
            billing: { status: string } | null;
          };
        if (terms === 'paid') {
          await waitFor(
            async () => (await tenant()).billing?.status === 'awaiting_payment',
            60_000,
          );
          expect((await tenant()).state, 'not Active before the payment').toBe('Provisioning');
          const settled = await fetch(
            `${base}/webhooks/billing`,
            settledWebhook(webhookSecret, tenantId),
          );
          expect(settled.status, await settled.clone().text()).toBe(202);
        }
        await waitFor(async () => (await tenant()).state === 'Active', 60_000);
        expect((await tenant()).billing?.status).toBe(terms === 'paid' ? 'active' : 'trialing');
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

/** A port nothing listens on now: another test's product may be running on a random one. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

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
