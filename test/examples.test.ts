import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { repoRoot, saasGen, tempDir } from './support/cli.js';

interface ComposeService {
  readonly build?: string;
  readonly environment: Record<string, string>;
  readonly ports?: readonly string[];
  readonly healthcheck?: { readonly test: readonly string[] };
}

/** The one example committed as a whole product; the others are committed as blueprints. */
const reference = 'acme-analytics';

const examples = readdirSync(join(repoRoot, 'examples'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name);
const blueprintOnly = examples.filter((example) => example !== reference);

// The committed product is the generator's golden output: a template change must show up as a
// reviewed diff of generated code, so it must be exactly what the generator emits.
describe(`examples/${reference}`, () => {
  it('is in sync with its blueprint (saas-gen check)', async () => {
    const result = await saasGen(['check', join('examples', reference)]);
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
  });

  it('has a deployment with an api, workers, PostgreSQL, RabbitMQ and no fixed credentials', () => {
    expectSafeCompose(join(repoRoot, 'examples', reference));
  });
});

// A runtime change is reviewed once, in the reference product: the other examples keep only
// what is theirs, and what they generate is checked here and run in the slow tier.
describe.each(blueprintOnly)('examples/%s', (example) => {
  let product: string;
  beforeAll(async () => {
    product = join(tempDir(), example);
    const blueprint = join(repoRoot, 'examples', example, 'blueprint.yaml');
    const created = await saasGen(['new', product, '--blueprint', blueprint, '--skip-install']);
    expect(created.exitCode, created.stderr).toBe(0);
  });

  it('commits its blueprint and README only', () => {
    expect(readdirSync(join(repoRoot, 'examples', example)).sort()).toEqual([
      'README.md',
      'blueprint.yaml',
    ]);
  });

  it('generates a product in sync with its blueprint (saas-gen check)', async () => {
    const result = await saasGen(['check', product]);
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
  });

  it('generates a deployment with an api, workers, PostgreSQL, RabbitMQ and no fixed credentials', () => {
    expectSafeCompose(product);
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
