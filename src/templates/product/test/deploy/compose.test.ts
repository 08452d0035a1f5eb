/**
 * docker-compose.yml, read as `docker compose` reads it (YAML with merge keys): which services
 * there are, what each publishes, where its credentials come from and how its health is checked.
 * No Docker engine is needed.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

interface Service {
  readonly image?: string;
  readonly build?: string;
  readonly environment?: Record<string, string>;
  readonly ports?: readonly string[];
  readonly profiles?: readonly string[];
  readonly healthcheck?: { readonly test: readonly string[] };
  readonly depends_on?: Record<string, { condition: string }>;
  readonly stop_grace_period?: string;
}

const text = readFileSync(
  fileURLToPath(new URL('../../docker-compose.yml', import.meta.url)),
  'utf8',
);
const compose = parse(text, { merge: true }) as { services: Record<string, Service> };
const { services } = compose;
const service = (name: string): Service => {
  const found = services[name];
  if (!found) throw new Error(`docker-compose.yml has no service ${name}`);
  return found;
};
/** The services `docker compose up` starts: those in no profile. */
const byDefault = Object.entries(services).filter(([, s]) => !s.profiles?.length);

/** A variable `docker compose` refuses to start without: `${NAME:?message}`. */
const required = (name: string) => new RegExp(`\\$\\{${name}:\\?[^}]+\\}`);

describe('docker-compose.yml', () => {
  it('runs an api, workers, PostgreSQL, RabbitMQ and a mail catcher', () => {
    expect(Object.keys(services).sort()).toEqual(
      expect.arrayContaining(['api', 'mailpit', 'postgres', 'rabbitmq', 'worker']),
    );
    expect(service('api').environment).toMatchObject({ ROLE: 'api', NODE_ENV: 'production' });
    expect(service('worker').environment).toMatchObject({ ROLE: 'worker', NODE_ENV: 'production' });
    for (const name of ['api', 'worker']) {
      expect(service(name).build).toBe('.');
      expect(service(name).environment?.DATABASE_URL).toMatch(
        /^postgres:\/\/app:.+@postgres:5432\/app$/,
      );
      expect(service(name).environment?.BUS_URL).toMatch(/^amqp:\/\/app:.+@rabbitmq:5672$/);
      expect(service(name).depends_on).toMatchObject({
        postgres: { condition: 'service_healthy' },
        rabbitmq: { condition: 'service_healthy' },
      });
    }
  });

  it('publishes only the API, and the mail catcher on this machine only', () => {
    const published = Object.fromEntries(byDefault.map(([name, s]) => [name, s.ports ?? []]));
    expect(published.postgres).toEqual([]);
    expect(published.rabbitmq).toEqual([]);
    expect(published.worker).toEqual([]);
    expect(published.api).toEqual(['${PORT:-3000}:3000']);
    for (const port of published.mailpit ?? []) expect(port).toMatch(/^127\.0\.0\.1:/);
    // No admin UI in the stack: the broker's image is the one without the management plugin.
    expect(service('rabbitmq').image).toMatch(/^rabbitmq:[\d.]+$/);
    for (const [name, s] of byDefault)
      for (const port of s.ports ?? [])
        expect(port, `${name} publishes ${port}`).not.toMatch(/\b(5432|5672|15672|1025)\b/);
  });

  it('has no fixed credentials: each one is a variable that must be set', () => {
    const api = service('api').environment ?? {};
    const worker = service('worker').environment ?? {};
    expect(api.ADMIN_TOKEN).toMatch(required('ADMIN_TOKEN'));
    expect(api.JWT_SECRET).toMatch(required('JWT_SECRET'));
    expect(worker.JWT_SECRET).toMatch(required('JWT_SECRET'));
    // A worker serves no API: it is not given the operators' token.
    expect(worker.ADMIN_TOKEN).toBeUndefined();
    expect(service('postgres').environment?.POSTGRES_PASSWORD).toMatch(
      required('POSTGRES_PASSWORD'),
    );
    expect(service('rabbitmq').environment?.RABBITMQ_DEFAULT_PASS).toMatch(
      required('RABBITMQ_PASSWORD'),
    );
    for (const name of ['api', 'worker']) {
      const env = service(name).environment ?? {};
      expect(env.DATABASE_URL).toMatch(required('POSTGRES_PASSWORD'));
      expect(env.BUS_URL).toMatch(required('RABBITMQ_PASSWORD'));
    }
    // Whatever else looks like a credential has no value of its own: required, or empty.
    for (const [name, s] of Object.entries(services))
      for (const [key, value] of Object.entries(s.environment ?? {})) {
        if (/TOKEN|SECRET|PASSWORD|PASS$/.test(key))
          expect(String(value), `${name}.${key}`).toMatch(/^\$\{[A-Z_]+:(\?[^}]+|-)\}$/);
        // A password inside a URL comes from a variable too.
        const inUrl = /^[a-z]+:\/\/[^:/@]+:([^@]*)@/.exec(String(value));
        if (inUrl) expect(inUrl[1], `${name}.${key}`).toMatch(/^\$\{[A-Z_]+:\?[^}]+\}$/);
      }
  });

  it('checks the health of the api and the workers with node', () => {
    for (const name of ['api', 'worker']) {
      const test = service(name).healthcheck?.test ?? [];
      expect(test.slice(0, 3), name).toEqual(['CMD', 'node', '-e']);
      expect(test[3]).toMatch(/fetch\('http:\/\/127\.0\.0\.1:3000\/health\/(ready|live)'\)/);
    }
    for (const name of ['postgres', 'rabbitmq']) expect(service(name).healthcheck).toBeDefined();
  });

  it('sends e-mail to the mail catcher unless SMTP_URL says otherwise', () => {
    expect(service('mailpit').image).toMatch(/^axllent\/mailpit:v[\d.]+$/);
    expect(service('worker').environment?.SMTP_URL).toBe('${SMTP_URL:-smtp://mailpit:1025}');
  });

  it('lets the product drain before docker kills it', () => {
    const grace = /^(\d+)s$/.exec(service('worker').stop_grace_period ?? '');
    const timeout = /^\$\{SHUTDOWN_TIMEOUT_MS:-(\d+)\}$/.exec(
      service('worker').environment?.SHUTDOWN_TIMEOUT_MS ?? '',
    );
    expect(grace && timeout).toBeTruthy();
    expect(Number(grace![1]) * 1000).toBeGreaterThan(Number(timeout![1]));
  });

  it('says where changes go', () => {
    expect(text).toMatch(/put your changes in docker-compose\.override\.yml/);
  });
});
