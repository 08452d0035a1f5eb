import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { environmentVariables } from '@saas-gen/runtime';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { exampleBlueprint, repoRoot, saasGen, tempDir } from './support/cli.js';

interface ComposeService {
  readonly build?: string;
  readonly environment: Record<string, string>;
  readonly ports?: readonly string[];
  readonly healthcheck?: { readonly test: readonly string[] };
}

const entries = readdirSync(join(repoRoot, 'examples'), { withFileTypes: true });
/** Examples committed as whole products: the reference, acme-analytics. */
const products = entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name);
/** Examples committed as a blueprint alone (examples/README.md). */
const blueprintOnly = entries
  .map((entry) => /^(.+)\.blueprint\.yaml$/.exec(entry.name)?.[1])
  .filter((name) => name !== undefined);

// A committed product is the generator's golden output: a template change must show up as a
// reviewed diff of generated code, so it must be exactly what the generator emits.
describe.each(products)('examples/%s', (example) => {
  it('is in sync with its blueprint (saas-gen check)', async () => {
    const result = await saasGen(['check', join('examples', example)]);
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
  });

  it('has a deployment with an api, workers, PostgreSQL, RabbitMQ and no fixed credentials', () => {
    expectSafeCompose(join(repoRoot, 'examples', example));
  });

  it('passes every variable of the runtime through its deployment, and documents each', () => {
    expectEveryVariable(join(repoRoot, 'examples', example));
  });
});

// A runtime change is reviewed once, in the reference product: the other examples keep only
// their blueprint, and what they generate is checked here and run in the slow tier.
describe.each(blueprintOnly)('examples/%s.blueprint.yaml', (example) => {
  let product: string;
  beforeAll(async () => {
    product = join(tempDir(), example);
    const created = await saasGen([
      'new',
      product,
      '--blueprint',
      exampleBlueprint(example),
      '--skip-install',
    ]);
    expect(created.exitCode, created.stderr).toBe(0);
  });

  it('generates a product in sync with its blueprint (saas-gen check)', async () => {
    const result = await saasGen(['check', product]);
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
  });

  it('generates a deployment with an api, workers, PostgreSQL, RabbitMQ and no fixed credentials', () => {
    expectSafeCompose(product);
  });

  it('generates a deployment and a reference with every variable of the runtime', () => {
    expectEveryVariable(product);
  });
});

function expectSafeCompose(product: string): void {
  const compose = parse(readFileSync(join(product, 'docker-compose.yml'), 'utf8'), {
    merge: true,
  }) as { services: Record<string, ComposeService> };
  const { api, worker, postgres, rabbitmq } = compose.services;
  expect(api?.environment).toMatchObject({ ROLE: 'api', NODE_ENV: 'production' });
  expect(worker?.environment).toMatchObject({ ROLE: 'worker' });
  // `${NAME:?message}`: docker compose refuses to start without it.
  const required = (name: string) => new RegExp(`\\$\\{${name}:\\?[^}]+\\}`);
  for (const service of [api, worker]) {
    expect(service?.build).toBe('.');
    expect(service?.environment.DATABASE_URL).toMatch(/^postgres:\/\/[^@]+@postgres:5432\//);
    expect(service?.environment.DATABASE_URL).toMatch(required('POSTGRES_PASSWORD'));
    expect(service?.environment.BUS_URL).toMatch(/^amqp:\/\/[^@]+@rabbitmq:5672/);
    expect(service?.environment.BUS_URL).toMatch(required('RABBITMQ_PASSWORD'));
    expect(service?.environment.JWT_SECRET).toMatch(required('JWT_SECRET'));
    expect(service?.healthcheck?.test.join(' ')).toMatch(/\/health\/(ready|live)/);
  }
  expect(api?.environment.ADMIN_TOKEN).toMatch(required('ADMIN_TOKEN'));
  expect(postgres?.environment.POSTGRES_PASSWORD).toMatch(required('POSTGRES_PASSWORD'));
  expect(rabbitmq?.environment.RABBITMQ_DEFAULT_PASS).toMatch(required('RABBITMQ_PASSWORD'));
  // Neither the database nor the broker (nor its management UI) is published.
  expect(postgres?.ports).toBeUndefined();
  expect(rabbitmq?.ports).toBeUndefined();
}

/**
 * Every variable the runtime reads (its `environmentVariables`) is passed to the processes of
 * docker-compose.yml that use it, and has its row in the reference's configuration table: a
 * variable added to the runtime and forgotten in either fails here.
 */
function expectEveryVariable(product: string): void {
  const compose = parse(readFileSync(join(product, 'docker-compose.yml'), 'utf8'), {
    merge: true,
  }) as { services: Record<string, ComposeService> };
  const reference = readFileSync(join(product, 'docs', 'reference.md'), 'utf8');
  const configuration = /^## Configuration\n([\s\S]*?)^## /m.exec(reference)?.[1] ?? '';
  const rows = new Set(
    configuration
      .split('\n')
      .filter((line) => line.startsWith('| `'))
      .flatMap((line) => [...(line.split(' | ')[0] ?? '').matchAll(/`([A-Z_]+)`/g)])
      .map((match) => match[1]),
  );
  for (const variable of environmentVariables) {
    expect(rows, `docs/reference.md: Configuration has no row for ${variable.name}`).toContain(
      variable.name,
    );
    if (variable.developmentOnly) continue;
    for (const role of ['api', 'worker'] as const) {
      const environment = compose.services[role]?.environment ?? {};
      const uses = !variable.roles || variable.roles.includes(role);
      if (uses)
        expect(
          Object.keys(environment),
          `docker-compose.yml: the ${role} is not given ${variable.name}`,
        ).toContain(variable.name);
    }
  }
}
