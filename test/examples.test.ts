import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { repoRoot, saasGen } from './support/cli.js';

const examples = readdirSync(join(repoRoot, 'examples'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name);

// The committed products are the generator's golden output: a template change must show up as
// a reviewed diff of generated code, so each example must be exactly what the generator emits.
describe.each(examples)('examples/%s', (example) => {
  it('is in sync with its blueprint (saas-gen check)', async () => {
    const result = await saasGen(['check', join('examples', example)]);
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
  });

  it('has a docker-compose.yml with an api, workers, PostgreSQL and RabbitMQ', () => {
    const compose = parse(
      readFileSync(join(repoRoot, 'examples', example, 'docker-compose.yml'), 'utf8'),
      { merge: true },
    ) as { services: Record<string, { environment: Record<string, string>; build?: string }> };
    const { api, worker, postgres, rabbitmq } = compose.services;
    expect(api?.environment).toMatchObject({ ROLE: 'api', NODE_ENV: 'production' });
    expect(worker?.environment).toMatchObject({ ROLE: 'worker' });
    for (const service of [api, worker]) {
      expect(service?.build).toBe('.');
      expect(service?.environment.DATABASE_URL).toMatch(/^postgres:\/\/[^@]+@postgres:5432\//);
      expect(service?.environment.BUS_URL).toMatch(/^amqp:\/\/[^@]+@rabbitmq:5672/);
    }
    expect(postgres).toBeDefined();
    expect(rabbitmq).toBeDefined();
  });
});
