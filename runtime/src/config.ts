/**
 * Configuration from the environment (PORT, DATABASE_URL, BUS_URL, ADMIN_TOKEN,
 * JWT_SECRET, ROLE, LOG_LEVEL, SAAS_FAULTS), checked once at start with errors that say what to set.
 * In production the API refuses to start without its secrets; in development, missing ones are
 * generated once and kept under data/ (see dev-secrets.ts).
 */
import { isIP } from 'node:net';

export type Role = 'all' | 'api' | 'worker';

export interface Config {
  readonly port: number;
  readonly databaseUrl: string;
  readonly busUrl: string;
  /** `BUS_PREFIX`: put before every exchange and queue name, so products can share a broker. */
  readonly busPrefix: string;
  readonly role: Role;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  readonly adminToken: string | undefined;
  readonly jwtSecret: string | undefined;
  readonly production: boolean;
  /** `SAAS_FAULTS`; always empty in production. */
  readonly faults: string;
  readonly mailDir: string;
  readonly smtpUrl: string | undefined;
  /** How long inbox and outbox rows are kept: longer than any replay may come late. */
  readonly inboxRetentionMs: number;
  /** Export spans over OTLP/HTTP (`OTEL_EXPORTER_OTLP_ENDPOINT` or `…_TRACES_ENDPOINT` set). */
  readonly otlp: boolean;
  /**
   * `TRUST_PROXY`: which reverse proxies' `X-Forwarded-For` names the client (Fastify's
   * `trustProxy`): none (`false`, the default), all (`true`), a number of hops, or addresses and
   * CIDR ranges.
   */
  readonly trustProxy: TrustProxy;
  /** `SIGNUP_RATE_LIMIT`: sign-ups per minute per client address; 0 turns the limit off. */
  readonly signupRateLimit: number;
  /** `SIGNUP_EMAIL_LIMIT`: sign-ups an hour that may name one owner e-mail; 0 turns it off. */
  readonly signupEmailLimit: number;
  /** `ACTIVATION_EMAIL_LIMIT`: activation e-mails an hour to one address; 0 turns it off. */
  readonly activationEmailLimit: number;
  /** `IDEMPOTENCY_KEY_TTL_HOURS`: how long a sign-up's `Idempotency-Key` is remembered. */
  readonly idempotencyKeyTtlMs: number;
  /** `ACTIVATION_TTL_HOURS`: how long an owner's invitation may be activated (`POST /activation`). */
  readonly activationTtlMs: number;
  /** `METRICS_TOKEN`: when set, `GET /metrics` needs it as a bearer token. */
  readonly metricsToken: string | undefined;
  /** `BILLING_WEBHOOK_SECRET`: verifies `POST /webhooks/billing` (Standard Webhooks, `whsec_…`). */
  readonly billingWebhookSecret: string | undefined;
  /** `MAIL_FROM`: the sender of the product's e-mail. */
  readonly mailFrom: string;
  /** `PUBLIC_URL`: where users reach the product, for links in e-mails (no trailing slash). */
  readonly publicUrl: string;
  /** `SHUTDOWN_TIMEOUT_MS`: how long SIGTERM waits for in-flight work before giving up. */
  readonly shutdownTimeoutMs: number;
  /** `ALERT_WEBHOOK_URL`: where failed and timed-out onboardings are POSTed; unset, nowhere. */
  readonly alertWebhookUrl: string | undefined;
  /** `ALERT_WEBHOOK_SECRET`: signs those alerts (Standard Webhooks, `whsec_…`); unset, unsigned. */
  readonly alertWebhookSecret: string | undefined;
}

/** What Fastify's `trustProxy` takes, short of a function. */
export type TrustProxy = boolean | number | readonly string[];

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const roles: readonly Role[] = ['all', 'api', 'worker'];

/** The shortest ADMIN_TOKEN and JWT_SECRET production accepts. */
export const minimumSecretBytes = 32;

/** A URL as it may be shown: its password, if any, replaced. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@\s]*):[^@\s]*@/i, '$1:***@');
}
const levels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const production = env.NODE_ENV === 'production';
  const port = Number(env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new ConfigError(`PORT must be a port number, not "${env.PORT}"`);
  const role = (env.ROLE ?? 'all') as Role;
  if (!roles.includes(role))
    throw new ConfigError(`ROLE must be one of ${roles.join(', ')}, not "${env.ROLE}"`);
  const logLevel = (env.LOG_LEVEL ?? 'info') as Config['logLevel'];
  if (!levels.includes(logLevel))
    throw new ConfigError(`LOG_LEVEL must be one of ${levels.join(', ')}, not "${env.LOG_LEVEL}"`);
  const databaseUrl = env.DATABASE_URL ?? 'file:./data/app.db';
  if (!/^(file:|postgres(ql)?:\/\/)/.test(databaseUrl)) {
    throw new ConfigError(
      `DATABASE_URL must be file:<path> or postgres://…, not "${redactUrl(databaseUrl)}"`,
    );
  }
  const busUrl = env.BUS_URL ?? 'memory://';
  if (!/^(memory:\/\/|amqps?:\/\/)/.test(busUrl))
    throw new ConfigError(`BUS_URL must be memory:// or amqp://…, not "${redactUrl(busUrl)}"`);
  // The in-process bus reaches this process only: an api without workers in it would accept
  // sign-ups that no step ever runs, and a worker would wait for messages that never come.
  if (role !== 'all' && busUrl.startsWith('memory:'))
    throw new ConfigError(
      `ROLE=${role} needs a bus shared with the other processes: BUS_URL=memory:// reaches this process only, so ${role === 'api' ? 'no worker would ever run the steps of what it accepts' : 'it would never receive a message'}. Set BUS_URL=amqp://… (and DATABASE_URL=postgres://…), or ROLE=all for one process that does everything`,
    );
  const busPrefix = env.BUS_PREFIX ?? '';
  if (!/^[A-Za-z0-9._-]*$/.test(busPrefix))
    throw new ConfigError(
      `BUS_PREFIX may hold letters, digits, ".", "_" and "-" only, not "${busPrefix}"`,
    );
  const adminToken = env.ADMIN_TOKEN || undefined;
  const jwtSecret = env.JWT_SECRET || undefined;
  // A worker serves no API, so it needs no ADMIN_TOKEN; every role needs JWT_SECRET, which also
  // derives the owners' activation codes that the workers' e-mails carry.
  const needed = role === 'worker' ? ['JWT_SECRET'] : ['ADMIN_TOKEN', 'JWT_SECRET'];
  const secrets: Record<string, string | undefined> = {
    ADMIN_TOKEN: adminToken,
    JWT_SECRET: jwtSecret,
  };
  const missing = needed.filter((name) => !secrets[name]);
  if (production && missing.length > 0)
    throw new ConfigError(
      `${missing.join(' and ')} must be set when NODE_ENV=production: operators authenticate with ADMIN_TOKEN, tenant tokens and activation codes are signed with JWT_SECRET (use 32 random bytes or more, e.g. \`openssl rand -base64 32\`)`,
    );
  const short = needed.filter(
    (name) => Buffer.byteLength(secrets[name] ?? '') < minimumSecretBytes,
  );
  if (production && short.length > 0)
    throw new ConfigError(
      `${short.join(' and ')} must be at least ${minimumSecretBytes} bytes when NODE_ENV=production (a shorter secret can be guessed): use \`openssl rand -base64 32\``,
    );
  const retentionDays = Number(env.INBOX_RETENTION_DAYS ?? 7);
  if (!(retentionDays > 0))
    throw new ConfigError(`INBOX_RETENTION_DAYS must be a positive number of days`);
  const signupRateLimit = Number(env.SIGNUP_RATE_LIMIT ?? 10);
  if (!Number.isInteger(signupRateLimit) || signupRateLimit < 0)
    throw new ConfigError(
      `SIGNUP_RATE_LIMIT must be a whole number of sign-ups per minute per client (0: no limit), not "${env.SIGNUP_RATE_LIMIT}"`,
    );
  const idempotencyHours = Number(env.IDEMPOTENCY_KEY_TTL_HOURS ?? 24);
  if (!(idempotencyHours > 0))
    throw new ConfigError('IDEMPOTENCY_KEY_TTL_HOURS must be a positive number of hours');
  const activationHours = Number(env.ACTIVATION_TTL_HOURS ?? 72);
  if (!(activationHours > 0))
    throw new ConfigError('ACTIVATION_TTL_HOURS must be a positive number of hours');
  const shutdownTimeoutMs = Number(env.SHUTDOWN_TIMEOUT_MS ?? 10_000);
  if (!Number.isInteger(shutdownTimeoutMs) || shutdownTimeoutMs <= 0)
    throw new ConfigError('SHUTDOWN_TIMEOUT_MS must be a positive number of milliseconds');
  const publicUrl = (env.PUBLIC_URL || `http://localhost:${port}`).replace(/\/+$/, '');
  if (!/^https?:\/\/[^\s]+$/.test(publicUrl))
    throw new ConfigError(`PUBLIC_URL must be an http(s) URL, not "${env.PUBLIC_URL}"`);
  const mailFrom = env.MAIL_FROM || 'no-reply@localhost';
  if (/[\r\n]/.test(mailFrom)) throw new ConfigError('MAIL_FROM must be one line');
  const alertWebhookUrl = env.ALERT_WEBHOOK_URL || undefined;
  if (alertWebhookUrl !== undefined) checkAlertUrl(alertWebhookUrl);
  const alertWebhookSecret = env.ALERT_WEBHOOK_SECRET || undefined;
  if (alertWebhookSecret !== undefined) checkAlertSecret(alertWebhookSecret, production);
  return {
    port,
    databaseUrl,
    busUrl,
    busPrefix,
    role,
    logLevel,
    adminToken,
    jwtSecret,
    production,
    faults: production ? '' : (env.SAAS_FAULTS ?? ''),
    mailDir: env.MAIL_DIR ?? 'data/mail',
    smtpUrl: env.SMTP_URL || undefined,
    inboxRetentionMs: retentionDays * 86_400_000,
    otlp: Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT),
    trustProxy: parseTrustProxy(env.TRUST_PROXY),
    signupRateLimit,
    signupEmailLimit: perHour(env, 'SIGNUP_EMAIL_LIMIT', 3, 'sign-ups an hour per owner e-mail'),
    activationEmailLimit: perHour(
      env,
      'ACTIVATION_EMAIL_LIMIT',
      5,
      'activation e-mails an hour per address',
    ),
    idempotencyKeyTtlMs: idempotencyHours * 3_600_000,
    activationTtlMs: activationHours * 3_600_000,
    metricsToken: env.METRICS_TOKEN || undefined,
    billingWebhookSecret: env.BILLING_WEBHOOK_SECRET || undefined,
    mailFrom,
    publicUrl,
    shutdownTimeoutMs,
    alertWebhookUrl,
    alertWebhookSecret,
  };
}

/** An http(s) URL that fetch can send to; the error shows it with its credentials hidden. */
function checkAlertUrl(url: string): void {
  let protocol: string | undefined;
  try {
    protocol = new URL(url).protocol;
  } catch {
    // not a URL at all
  }
  if (protocol !== 'http:' && protocol !== 'https:')
    throw new ConfigError(
      `ALERT_WEBHOOK_URL must be an http:// or https:// URL, not "${redactUrl(url)}"`,
    );
}

/**
 * A Standard Webhooks secret: `whsec_` and the key in base64, as receivers configure it. In
 * production its key must be as long as the product's other secrets.
 */
function checkAlertSecret(secret: string, production: boolean): void {
  const key = /^whsec_([A-Za-z0-9+/]+={0,2})$/.exec(secret)?.[1];
  if (key === undefined)
    throw new ConfigError(
      'ALERT_WEBHOOK_SECRET must be `whsec_` followed by the key in base64: use `echo whsec_$(openssl rand -base64 32)`',
    );
  const bytes = Buffer.from(key, 'base64').length;
  if (production && bytes < minimumSecretBytes)
    throw new ConfigError(
      `ALERT_WEBHOOK_SECRET holds a key of ${bytes} bytes; it must be at least ${minimumSecretBytes} bytes when NODE_ENV=production (a shorter secret can be guessed): use \`echo whsec_$(openssl rand -base64 32)\``,
    );
}

/** The proxy names proxy-addr (Fastify's `trustProxy`) knows, besides addresses and ranges. */
const proxyNames = ['loopback', 'linklocal', 'uniquelocal'];

/**
 * `TRUST_PROXY`, as Fastify's `trustProxy` takes it. Unset, no proxy is trusted: a client could
 * otherwise pick its own address, and its own rate-limit bucket, with `X-Forwarded-For`. The error
 * never shows the value, which may map the operator's network.
 */
function parseTrustProxy(value: string | undefined): TrustProxy {
  const text = value?.trim() ?? '';
  if (text === '' || text === 'false') return false;
  if (text === 'true') return true;
  if (/^\d+$/.test(text)) return Number(text);
  const entries = text.split(',').map((entry) => entry.trim());
  if (entries.every((entry) => proxyNames.includes(entry) || isAddressOrRange(entry)))
    return entries;
  throw new ConfigError(
    'TRUST_PROXY must be true, false, a number of proxy hops (e.g. 1), or a comma-separated list of addresses, CIDR ranges or loopback/linklocal/uniquelocal (e.g. 10.0.0.0/8,127.0.0.1)',
  );
}

/** `10.0.0.1`, `10.0.0.0/8`, `10.0.0.0/255.0.0.0`, `::1`, `fd00::/8`. */
function isAddressOrRange(entry: string): boolean {
  const [address = '', mask, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (mask === undefined) return true;
  if (/^\d+$/.test(mask)) return Number(mask) <= (family === 4 ? 32 : 128);
  return family === 4 && isIP(mask) === 4;
}

/** A limit per hour: a whole number, 0 for none. The error names the variable, not the value. */
function perHour(env: NodeJS.ProcessEnv, name: string, fallback: number, what: string): number {
  const limit = Number(env[name] || fallback);
  if (!Number.isInteger(limit) || limit < 0)
    throw new ConfigError(`${name} must be a whole number of ${what} (0: no limit)`);
  return limit;
}
