/**
 * docker-compose.yml, read as `docker compose` reads it (YAML with merge keys): which services
 * there are, what each publishes, where its credentials come from and how its health is checked.
 * No Docker engine is needed.
 */
import { existsSync, readFileSync } from 'node:fs';
import { posix } from 'node:path';
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
  readonly volumes?: readonly string[];
  readonly entrypoint?: readonly string[];
  readonly command?: readonly string[];
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

  describe('the observability profile', () => {
    const observability = ['grafana', 'jaeger', 'prometheus'];
    const productFile = (path: string) =>
      fileURLToPath(new URL(`../../${path.replace(/^\.\//, '')}`, import.meta.url));
    /** `./host:/container:ro` mounts of a service, by container path. */
    const mounts = (name: string) =>
      Object.fromEntries(
        (service(name).volumes ?? [])
          .map((volume) => volume.split(':'))
          .filter((parts) => parts[0]!.startsWith('./'))
          .map(([host, container, mode]) => [container!, { host: host!, mode }]),
      );

    it('runs Prometheus, Grafana and Jaeger only with --profile observability', () => {
      for (const name of observability)
        expect(service(name).profiles, name).toEqual(['observability']);
      for (const [name] of byDefault) expect(observability, name).not.toContain(name);
      expect(service('prometheus').image).toMatch(/^prom\/prometheus:v[\d.]+$/);
      expect(service('grafana').image).toMatch(/^grafana\/grafana:[\d.]+$/);
      expect(service('jaeger').image).toMatch(/^jaegertracing\/all-in-one:[\d.]+$/);
      // Their UIs on this machine only.
      for (const name of observability) {
        expect(service(name).ports?.length, name).toBeGreaterThan(0);
        for (const port of service(name).ports ?? []) expect(port, name).toMatch(/^127\.0\.0\.1:/);
      }
      expect(service('jaeger').ports).toEqual(['127.0.0.1:${JAEGER_PORT:-16686}:16686']);
      expect(service('jaeger').environment?.COLLECTOR_OTLP_ENABLED).toBe('true');
    });

    it("mounts the product's configuration, rules, provisioning and dashboards read-only", () => {
      const prometheus = mounts('prometheus');
      expect(prometheus['/etc/prometheus/prometheus.yml']).toEqual({
        host: './observability/prometheus.yml',
        mode: 'ro',
      });
      expect(prometheus['/etc/prometheus/alerts.yml']).toEqual({
        host: './observability/alerts.yml',
        mode: 'ro',
      });
      expect(service('prometheus').command).toContain(
        '--config.file=/etc/prometheus/prometheus.yml',
      );
      const grafana = mounts('grafana');
      expect(grafana['/etc/grafana/provisioning']).toEqual({
        host: './observability/grafana/provisioning',
        mode: 'ro',
      });
      for (const [container, { host, mode }] of Object.entries({ ...prometheus, ...grafana })) {
        expect(mode, container).toBe('ro');
        expect(existsSync(productFile(host)), host).toBe(true);
      }
      // Grafana's dashboard provider reads the folder the dashboards are mounted at.
      const provider = parse(
        readFileSync(
          productFile('observability/grafana/provisioning/dashboards/dashboards.yml'),
          'utf8',
        ),
      ) as { providers: { options: { path: string } }[] };
      expect(grafana[provider.providers[0]!.options.path]?.host).toBe(
        './observability/grafana/dashboards',
      );
    });

    it('hands Prometheus METRICS_TOKEN in the file prometheus.yml reads it from', () => {
      const config = parse(readFileSync(productFile('observability/prometheus.yml'), 'utf8')) as {
        scrape_configs: { authorization: { credentials_file: string } }[];
      };
      const files = new Set(config.scrape_configs.map((job) => job.authorization.credentials_file));
      expect(files.size).toBe(1);
      const [file] = [...files];
      // Relative: next to prometheus.yml, wherever it is (promtool checks the repository's).
      expect(file).toBe('metrics-token');
      expect(existsSync(productFile('observability/metrics-token'))).toBe(true);
      const configFile = service('prometheus')
        .command?.find((arg) => arg.startsWith('--config.file='))
        ?.slice('--config.file='.length);
      expect(configFile).toBe('/etc/prometheus/prometheus.yml');
      expect(service('prometheus').environment?.METRICS_TOKEN).toBe('${METRICS_TOKEN:-}');
      const script = service('prometheus').entrypoint?.join(' ') ?? '';
      expect(script).toContain(
        `"$$METRICS_TOKEN" > ${posix.join(posix.dirname(configFile!), file!)}`,
      );
      // The container writes its own: the repository's empty file is not mounted over it.
      expect(Object.keys(mounts('prometheus'))).not.toContain('/etc/prometheus/metrics-token');
      expect(script).toMatch(/exec \/bin\/prometheus "\$\$@"/);
    });

    it('has no default Grafana admin password: Grafana refuses to start without one', () => {
      const env = service('grafana').environment ?? {};
      expect(env.GF_SECURITY_ADMIN_PASSWORD).toBe('${GRAFANA_ADMIN_PASSWORD:-}');
      expect(service('grafana').entrypoint?.join(' ')).toMatch(
        /\[ -n "\$\$GF_SECURITY_ADMIN_PASSWORD" \] \|\| \{ echo "set GRAFANA_ADMIN_PASSWORD[^"]*" >&2; exit 1; \}; exec \/run\.sh$/,
      );
      // Anyone who reaches it may look, nobody may change anything without the password.
      expect(env).toMatchObject({
        GF_AUTH_ANONYMOUS_ENABLED: 'true',
        GF_AUTH_ANONYMOUS_ORG_ROLE: 'Viewer',
        GF_USERS_ALLOW_SIGN_UP: 'false',
      });
    });

    it('sends the traces to Jaeger when asked, and the alerts to a webhook from every role', () => {
      for (const name of ['api', 'worker']) {
        expect(service(name).environment?.OTEL_EXPORTER_OTLP_ENDPOINT, name).toBe(
          '${OTEL_EXPORTER_OTLP_ENDPOINT:-}',
        );
        // Every role declares the queues of the endpoints its configuration names.
        expect(service(name).environment, name).toMatchObject({
          ALERT_WEBHOOK_URL: '${ALERT_WEBHOOK_URL:-}',
          ALERT_WEBHOOK_SECRET: '${ALERT_WEBHOOK_SECRET:-}',
        });
      }
      expect(text).toMatch(/http:\/\/jaeger:4318/);
    });
  });

  it('says where changes go', () => {
    expect(text).toMatch(/put your changes in docker-compose\.override\.yml/);
  });
});
