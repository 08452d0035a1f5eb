/**
 * The runtime's configuration (config.ts): every malformed URL is a `ConfigError` that names the
 * variable and never shows the value, including URLs that only pg or amqplib would refuse;
 * production refuses weak secrets and a missing PUBLIC_URL; CHECKOUT_URL is a template with
 * `{tenantId}`; and a development server listens on this machine only.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { connect } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createApp } from '../src/app.js';
import { ConfigError, checkoutLinkFor, environmentVariables, loadConfig } from '../src/config.js';
import { BrokerUrlRefused, RabbitMqTransport } from '../src/runtime/rabbitmq-transport.js';
import { silentLogger } from '../src/runtime/logger.js';
import { fixture } from './product/harness.js';
import { optionalServiceUrl } from './runtime/integration.js';

/** The password in every URL below: no message may contain it. */
const marker = 'Zq7markerPw';

/** The message `work` throws, which must be a ConfigError. */
function refusal(work: () => unknown): string {
  try {
    work();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('accepted');
}

/** What `work` rejects with, which must be a ConfigError. */
async function rejection(work: () => Promise<unknown>): Promise<string> {
  try {
    await work();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('accepted');
}

const strong = () => randomBytes(32).toString('base64');
/** Set, so that no development secret is generated under the working directory. */
const secrets = () => ({ ADMIN_TOKEN: strong(), JWT_SECRET: strong() });
const production = () => ({
  NODE_ENV: 'production',
  ...secrets(),
  PUBLIC_URL: 'https://app.example.com',
});

describe('a malformed DATABASE_URL or BUS_URL', () => {
  const malformed: readonly (readonly [string, string])[] = [
    ['DATABASE_URL', `postgres:/app:${marker}@db/app`],
    ['DATABASE_URL', `postgres:app:${marker}@db/app`],
    ['DATABASE_URL', ` postgres://app:${marker}@db/app`],
    ['DATABASE_URL', `postgres://app:${marker}@db/app `],
    ['DATABASE_URL', `postgres://app:${marker} x@db/app`],
    ['DATABASE_URL', `postgres://app:${marker}@x@db/app`],
    ['DATABASE_URL', `postgres://app:${marker}\t@db/app`],
    ['DATABASE_URL', `postgres://app:${marker}%zz@db/app`],
    ['DATABASE_URL', `postgres://app:${marker}@db:notaport/app`],
    ['DATABASE_URL', `postgres://app:${marker}@db:99999/app`],
    ['DATABASE_URL', `postgres://app:${marker}@/app`],
    ['DATABASE_URL', `postgres://app:${marker}@[::1/app`],
    ['DATABASE_URL', `postgres//app:${marker}@db/app`],
    ['DATABASE_URL', `mysql://app:${marker}@db:3306/app`],
    ['DATABASE_URL', `"postgres://app:${marker}@db/app"`],
    // The password alone, pasted into the wrong variable: it reads as a scheme.
    ['DATABASE_URL', `${marker}:rest`],
    ['BUS_URL', `amqp:/app:${marker}@mq`],
    ['BUS_URL', ` amqp://app:${marker}@mq`],
    ['BUS_URL', `amqp://app:${marker} x@mq`],
    ['BUS_URL', `amqp://app:${marker}@x@mq`],
    ['BUS_URL', `amqp://app:${marker}@mq:notaport`],
    ['BUS_URL', `amqp://app:${marker}@`],
    ['BUS_URL', `kafka://app:${marker}@mq:9092`],
    ['BUS_URL', `amqp://app:${marker}@mq?heartbeat=soon`],
    ['BUS_URL', `amqp://app:${marker}@mq?channelMax=-5`],
  ];

  it.each(malformed)('%s=%j is refused by name, without its password', (name, value) => {
    const message = refusal(() => loadConfig({ [name]: value }));
    expect(message).toMatch(new RegExp(`^${name} `));
    expect(message).not.toContain(marker);
  });

  it('is refused before pg sees it, even when only pg would refuse it', () => {
    const config = loadConfig({
      ...secrets(),
      DATABASE_URL: `postgres://app:${marker}@127.0.0.1/app?sslmode=verify-full&sslrootcert=/nonexistent/ca.pem`,
      LOG_LEVEL: 'silent',
    });
    const message = refusal(() => createApp(config, fixture));
    expect(message).toMatch(/^DATABASE_URL names a certificate or key file/);
    expect(message).not.toContain(marker);
  });

  const busUrl = optionalServiceUrl('BUS_URL');
  it.skipIf(!busUrl)(
    'that only amqplib refuses, as it connects, stops the start as a configuration error',
    async () => {
      // Past loadConfig's checks on purpose: what amqplib refuses that they do not know of.
      const url = new URL(busUrl!);
      url.password = url.password || marker;
      url.searchParams.set('frameMax', 'soon');
      const transport = new RabbitMqTransport({ url: url.toString(), logger: silentLogger });
      await expect(transport.start()).rejects.toBeInstanceOf(BrokerUrlRefused);
      const dir = mkdtempSync(join(tmpdir(), 'config-'));
      const config = {
        ...loadConfig({
          ...secrets(),
          DATABASE_URL: `file:${join(dir, 'app.db')}`,
          MAIL_DIR: join(dir, 'mail'),
          LOG_LEVEL: 'silent',
        }),
        port: 0,
        busUrl: url.toString(),
      };
      const app = createApp(config, fixture);
      const message = await rejection(() => app.start());
      expect(message).toMatch(/^BUS_URL is refused by the RabbitMQ client/);
      expect(message).not.toContain(url.password);
      await app.stop().catch(() => undefined);
    },
  );

  it('accepts the forms the product documents', () => {
    for (const DATABASE_URL of [
      'file:./data/app.db',
      'file:/tmp/my products/app.db',
      'postgres://app:s%40cret@db:5432/app',
      'postgresql://db/app',
      'POSTGRES://app@db/app',
    ])
      expect(loadConfig({ DATABASE_URL }).databaseUrl).toBe(
        DATABASE_URL.replace(/^POSTGRES:/, 'postgres:'),
      );
    for (const BUS_URL of ['memory://', 'amqp://app:pw@mq:5672', 'amqps://mq/vhost?heartbeat=30'])
      expect(loadConfig({ BUS_URL }).busUrl).toBe(BUS_URL);
  });
});

describe('every configuration error', () => {
  const cases: readonly Record<string, string>[] = [
    { PORT: `${marker}` },
    { PORT: '70000' },
    { HOST: `${marker} x` },
    { ROLE: marker },
    { LOG_LEVEL: marker },
    { BUS_PREFIX: `${marker}/` },
    { SIGNUP_RATE_LIMIT: marker },
    { PUBLIC_URL: `ftp://u:${marker}@example.com` },
    { PUBLIC_URL: `https://example.com/?k=${marker}` },
    { SMTP_URL: `http://u:${marker}@mail` },
    { SMTP_URL: `smtp://u:${marker}@` },
    { ALERT_WEBHOOK_URL: `ftp://u:${marker}@hooks.example` },
    { ALERT_WEBHOOK_SECRET: marker },
    { OTEL_EXPORTER_OTLP_ENDPOINT: `grpc://u:${marker}@collector` },
    { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `u:${marker}@collector` },
    { CHECKOUT_URL: `https://pay.example.com/${marker}` },
    { CHECKOUT_URL: `ftp://pay.example.com/${marker}/{tenantId}` },
  ];

  it.each(cases)('names the variable and not its value: %j', (env) => {
    const message = refusal(() => loadConfig(env));
    expect(message).toMatch(new RegExp(`^${Object.keys(env)[0]} `));
    expect(message).not.toContain(marker);
    expect(message).not.toMatch(/not "/);
  });

  it('takes an empty variable as unset, as docker compose passes ${VAR:-}', () => {
    const config = loadConfig({ PORT: '', SIGNUP_RATE_LIMIT: '', LOG_LEVEL: '', SMTP_URL: '' });
    expect(config).toMatchObject({ port: 3000, signupRateLimit: 10, logLevel: 'info' });
    expect(config.smtpUrl).toBeUndefined();
  });
});

describe('production', () => {
  it('starts with strong, distinct secrets and a PUBLIC_URL', () => {
    expect(loadConfig(production()).production).toBe(true);
  });

  it('refuses a missing PUBLIC_URL, which would put localhost in every activation link', () => {
    expect(refusal(() => loadConfig({ ...production(), PUBLIC_URL: '' }))).toMatch(
      /^PUBLIC_URL must be set when NODE_ENV=production/,
    );
    expect(loadConfig({ ...production(), NODE_ENV: 'development', PUBLIC_URL: '' }).publicUrl).toBe(
      'http://localhost:3000',
    );
  });

  it('refuses an ADMIN_TOKEN equal to JWT_SECRET', () => {
    const secret = strong();
    const message = refusal(() =>
      loadConfig({ ...production(), ADMIN_TOKEN: secret, JWT_SECRET: secret }),
    );
    expect(message).toMatch(/^ADMIN_TOKEN and JWT_SECRET must differ.*openssl rand -base64 32/);
    expect(message).not.toContain(secret);
  });

  const patterned = 'abcdefghijklmno'.repeat(3); // 45 bytes, 15 different values
  const whsec = (key: Buffer) => `whsec_${key.toString('base64')}`;
  it.each([
    ['ADMIN_TOKEN', 'a'.repeat(32)],
    ['JWT_SECRET', 'a'.repeat(32)],
    ['ADMIN_TOKEN', patterned],
    ['METRICS_TOKEN', 'a'.repeat(32)],
    ['BILLING_WEBHOOK_SECRET', whsec(Buffer.alloc(32, 7))],
    ['ALERT_WEBHOOK_SECRET', whsec(Buffer.from(patterned))],
  ])(
    'refuses a %s of fewer than 16 different byte values, saying how to make one',
    (name, value) => {
      const message = refusal(() => loadConfig({ ...production(), [name]: value }));
      expect(message).toMatch(new RegExp(`^${name} holds fewer than 16 different byte values`));
      expect(message).toMatch(/openssl rand -base64 32/);
      expect(message).not.toContain(value);
      // Development is the developer's business.
      expect(() => loadConfig({ ...production(), NODE_ENV: '', [name]: value })).not.toThrow();
    },
  );

  it('keeps the 32-byte minimum', () => {
    expect(
      refusal(() =>
        loadConfig({ ...production(), JWT_SECRET: randomBytes(20).toString('base64') }),
      ),
    ).toMatch(/^JWT_SECRET must be at least 32 bytes/);
  });
});

describe('CHECKOUT_URL', () => {
  it('is optional, and a template with {tenantId}', () => {
    expect(loadConfig({}).checkoutUrl).toBeUndefined();
    const template = 'https://pay.example.com/checkout?tenant={tenantId}';
    expect(loadConfig({ CHECKOUT_URL: template }).checkoutUrl).toBe(template);
    expect(refusal(() => loadConfig({ CHECKOUT_URL: 'https://pay.example.com/checkout' }))).toMatch(
      /^CHECKOUT_URL must contain \{tenantId\}/,
    );
    expect(refusal(() => loadConfig({ CHECKOUT_URL: 'pay.example.com/{tenantId}' }))).toMatch(
      /^CHECKOUT_URL /,
    );
  });

  it('gives each tenant its link, the id URL-encoded', () => {
    const template = 'https://pay.example.com/checkout?tenant={tenantId}&again={tenantId}';
    expect(checkoutLinkFor(template, 't 1&x=y')).toBe(
      'https://pay.example.com/checkout?tenant=t%201%26x%3Dy&again=t%201%26x%3Dy',
    );
  });
});

/** An IPv4 address of this machine that is not loopback, if it has one. */
function outsideAddress(): string | undefined {
  return Object.values(networkInterfaces())
    .flat()
    .find((entry) => entry?.family === 'IPv4' && !entry.internal)?.address;
}

/** Whether a TCP connection to `host`:`port` is accepted. */
function reachable(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.setTimeout(2_000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

describe('HOST', () => {
  it('defaults to 127.0.0.1 in development and 0.0.0.0 in production', () => {
    expect(loadConfig({}).host).toBe('127.0.0.1');
    expect(loadConfig(production()).host).toBe('0.0.0.0');
    expect(loadConfig({ HOST: '::' }).host).toBe('::');
  });

  const outside = outsideAddress();
  /** Starts the product with `env`, returns where it listens and whether `outside` reaches it. */
  async function listening(env: Record<string, string>) {
    const dir = mkdtempSync(join(tmpdir(), 'config-'));
    const app = createApp(
      loadConfig({
        PORT: '0',
        DATABASE_URL: `file:${join(dir, 'app.db')}`,
        MAIL_DIR: join(dir, 'mail'),
        LOG_LEVEL: 'silent',
        ...secrets(),
        ...env,
      }),
      fixture,
    );
    await app.start();
    try {
      const address = app.server.server.address();
      if (typeof address !== 'object' || !address) throw new Error('not listening');
      return {
        address: address.address,
        loopback: await reachable('127.0.0.1', address.port),
        outside: outside ? await reachable(outside, address.port) : undefined,
      };
    } finally {
      await app.stop();
    }
  }

  it('a development product without HOST is not reachable from outside this machine', async () => {
    const dev = await listening({});
    expect(dev).toMatchObject({ address: '127.0.0.1', loopback: true });
    if (outside) expect(dev.outside).toBe(false);
    // The probe does see a product that listens everywhere.
    const everywhere = await listening({ HOST: '0.0.0.0' });
    expect(everywhere).toMatchObject({ address: '0.0.0.0', loopback: true });
    if (outside) expect(everywhere.outside).toBe(true);
  });
});

describe('environmentVariables', () => {
  it('lists every variable loadConfig reads, once', () => {
    const names = environmentVariables.map((variable) => variable.name);
    expect(new Set(names).size).toBe(names.length);
    const read = new Set<string>();
    const spy = new Proxy({} as NodeJS.ProcessEnv, {
      get: (_target, name) => {
        if (typeof name === 'string') read.add(name);
        return undefined;
      },
    });
    loadConfig(spy);
    for (const name of read) expect(names).toContain(name);
    for (const name of ['HOST', 'CHECKOUT_URL', 'TRUST_PROXY']) expect(names).toContain(name);
  });
});
