/**
 * Configuration from the environment (`environmentVariables` lists every variable), checked once
 * at start with errors that say what to set. In production the API refuses to start without its
 * secrets, with weak ones, or without `PUBLIC_URL`; in development, missing secrets are generated
 * once and kept under data/ (see dev-secrets.ts).
 *
 * A `ConfigError` names the variable and what is wrong with it, never its value: the value may be
 * a secret, or a URL holding a password, or a secret pasted into the wrong variable, and the
 * message ends up in logs that many people read. An empty variable counts as unset, as
 * `${VAR:-}` in docker-compose.yml passes it.
 */
import { isIP } from 'node:net';

export type Role = 'all' | 'api' | 'worker';

export interface Config {
  readonly port: number;
  /** `HOST`: where the HTTP server listens; 127.0.0.1 in development, 0.0.0.0 in production. */
  readonly host: string;
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
  /**
   * `CHECKOUT_URL`: the payment link of a paid edition's sign-up, with `{tenantId}` where the
   * tenant goes (`checkoutLinkFor` fills it in); unset, none.
   */
  readonly checkoutUrl: string | undefined;
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

export interface EnvironmentVariable {
  readonly name: string;
  readonly description: string;
  /** Read in development only: a production deployment has no use for it. */
  readonly developmentOnly?: boolean;
  /** The roles whose processes use it; every role when absent. */
  readonly roles?: readonly Role[];
}

/**
 * Every environment variable the runtime reads: the one list that docker-compose.yml and the
 * reference's configuration table are checked against, so that none is forgotten in either.
 */
export const environmentVariables: readonly EnvironmentVariable[] = [
  {
    name: 'NODE_ENV',
    description:
      '`production`: refuses missing or weak secrets and a missing PUBLIC_URL, listens on 0.0.0.0, ignores SAAS_FAULTS',
  },
  { name: 'PORT', description: 'the HTTP port (3000)' },
  {
    name: 'HOST',
    description:
      'the address the HTTP server listens on: 127.0.0.1 in development, 0.0.0.0 in production',
  },
  {
    name: 'TRUST_PROXY',
    description:
      "off by default; a hop count, or a comma-separated list of addresses/CIDRs, as Fastify's trustProxy takes it",
  },
  {
    name: 'SIGNUP_EMAIL_LIMIT',
    description: 'sign-ups an hour that may name one owner e-mail (3); 0: no limit',
    roles: ['all', 'api'],
  },
  {
    name: 'ACTIVATION_EMAIL_LIMIT',
    description: 'activation e-mails an hour to one address (5); 0: no limit',
  },
  { name: 'ROLE', description: '`all`, `api` or `worker`' },
  { name: 'LOG_LEVEL', description: 'the pino level (info)' },
  { name: 'DATABASE_URL', description: 'the store: file:<path> or postgres://…' },
  { name: 'BUS_URL', description: 'the transport: memory:// or amqp://…' },
  { name: 'BUS_PREFIX', description: 'put before every RabbitMQ exchange and queue name' },
  { name: 'ADMIN_TOKEN', description: "the operators' bearer token", roles: ['all', 'api'] },
  { name: 'JWT_SECRET', description: 'signs tenant tokens and activation codes' },
  { name: 'METRICS_TOKEN', description: 'when set, GET /metrics needs it as a bearer token' },
  {
    name: 'BILLING_WEBHOOK_SECRET',
    description: 'verifies POST /webhooks/billing (whsec_…)',
    roles: ['all', 'api'],
  },
  { name: 'PUBLIC_URL', description: 'where users reach the product, for links in e-mails' },
  { name: 'CHECKOUT_URL', description: "a paid edition's payment link, with {tenantId}" },
  { name: 'MAIL_FROM', description: "the sender of the product's e-mail" },
  { name: 'MAIL_DIR', description: 'where e-mail is written when SMTP_URL is not set' },
  { name: 'SMTP_URL', description: 'the mail server: smtp://… or smtps://…' },
  { name: 'SIGNUP_RATE_LIMIT', description: 'sign-ups per minute per client address (0: none)' },
  { name: 'IDEMPOTENCY_KEY_TTL_HOURS', description: "how long a sign-up's Idempotency-Key holds" },
  { name: 'ACTIVATION_TTL_HOURS', description: "how long an owner's invitation may be activated" },
  { name: 'INBOX_RETENTION_DAYS', description: 'how long deduplication remembers a message' },
  { name: 'SHUTDOWN_TIMEOUT_MS', description: 'how long SIGTERM waits for work in flight' },
  { name: 'ALERT_WEBHOOK_URL', description: 'where failed and timed-out onboardings are POSTed' },
  { name: 'ALERT_WEBHOOK_SECRET', description: 'signs those alerts (whsec_…)' },
  { name: 'OTEL_EXPORTER_OTLP_ENDPOINT', description: 'export traces over OTLP/HTTP there' },
  {
    name: 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
    description: 'export traces over OTLP/HTTP to this exact URL',
  },
  {
    name: 'SAAS_FAULTS',
    description: 'injected step failures, for trying the saga out',
    developmentOnly: true,
  },
];

const roles: readonly Role[] = ['all', 'api', 'worker'];

/** The shortest ADMIN_TOKEN and JWT_SECRET production accepts. */
export const minimumSecretBytes = 32;

/**
 * The fewest different byte values a secret may hold in production: `aaaa…` or `abab…` is long
 * enough but guessed at once, while 32 random bytes, raw or in base64, hold about 30.
 */
export const minimumDistinctSecretBytes = 16;

const secretAdvice = 'use `openssl rand -base64 32`';

/** A URL as it may be shown: its password, if any, replaced. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@\s]*):[^@\s]*@/i, '$1:***@');
}

/** The tenant id a `CHECKOUT_URL` is tried with at start. */
const sampleTenantId = '00000000-0000-4000-8000-000000000000';

/** A paid edition's payment link for `tenantId`: `template` with `{tenantId}` filled in. */
export function checkoutLinkFor(template: string, tenantId: string): string {
  return template.replaceAll('{tenantId}', encodeURIComponent(tenantId));
}

const levels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  // Empty is unset: docker compose passes `${VAR:-}` as an empty string.
  const env = (name: string): string | undefined => source[name] || undefined;
  const production = env('NODE_ENV') === 'production';
  const port = Number(env('PORT') ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new ConfigError('PORT must be a whole number from 0 to 65535');
  // A developer's machine is often on a shared network: only a container, where nothing else can
  // reach the port unless it is published, listens on every address by default.
  const host = env('HOST') ?? (production ? '0.0.0.0' : '127.0.0.1');
  if (!/^([A-Za-z0-9.-]+|[0-9A-Fa-f:.]+)$/.test(host))
    throw new ConfigError(
      'HOST must be an address or host name to listen on, e.g. 127.0.0.1 (this machine only), 0.0.0.0 or :: (every address)',
    );
  const role = (env('ROLE') ?? 'all') as Role;
  if (!roles.includes(role)) throw new ConfigError(`ROLE must be one of ${roles.join(', ')}`);
  const logLevel = (env('LOG_LEVEL') ?? 'info') as Config['logLevel'];
  if (!levels.includes(logLevel))
    throw new ConfigError(`LOG_LEVEL must be one of ${levels.join(', ')}`);
  const databaseUrl = lowerScheme(env('DATABASE_URL') ?? 'file:./data/app.db', 'DATABASE_URL', {
    protocols: ['file:', 'postgres:', 'postgresql:'],
    expected: 'file:<path> or postgres://user:password@host:port/database',
  });
  const busUrl = lowerScheme(env('BUS_URL') ?? 'memory://', 'BUS_URL', {
    protocols: ['memory:', 'amqp:', 'amqps:'],
    expected: 'memory:// or amqp://user:password@host:port',
  });
  const bus = new URL(busUrl);
  checkAmqpQuery(bus);
  // The in-process bus reaches this process only: an api without workers in it would accept
  // sign-ups that no step ever runs, and a worker would wait for messages that never come.
  if (role !== 'all' && bus.protocol === 'memory:')
    throw new ConfigError(
      `ROLE=${role} needs a bus shared with the other processes: BUS_URL=memory:// reaches this process only, so ${role === 'api' ? 'no worker would ever run the steps of what it accepts' : 'it would never receive a message'}. Set BUS_URL=amqp://… (and DATABASE_URL=postgres://…), or ROLE=all for one process that does everything`,
    );
  const busPrefix = env('BUS_PREFIX') ?? '';
  if (!/^[A-Za-z0-9._-]*$/.test(busPrefix))
    throw new ConfigError('BUS_PREFIX may hold letters, digits, ".", "_" and "-" only');
  const adminToken = env('ADMIN_TOKEN');
  const jwtSecret = env('JWT_SECRET');
  const metricsToken = env('METRICS_TOKEN');
  const billingWebhookSecret = env('BILLING_WEBHOOK_SECRET');
  const alertWebhookSecret = env('ALERT_WEBHOOK_SECRET');
  if (production)
    checkProductionSecrets(role, {
      ADMIN_TOKEN: adminToken,
      JWT_SECRET: jwtSecret,
      METRICS_TOKEN: metricsToken,
      BILLING_WEBHOOK_SECRET: billingWebhookSecret,
    });
  const retentionDays = Number(env('INBOX_RETENTION_DAYS') ?? 7);
  if (!(retentionDays > 0))
    throw new ConfigError(`INBOX_RETENTION_DAYS must be a positive number of days`);
  const signupRateLimit = Number(env('SIGNUP_RATE_LIMIT') ?? 10);
  if (!Number.isInteger(signupRateLimit) || signupRateLimit < 0)
    throw new ConfigError(
      'SIGNUP_RATE_LIMIT must be a whole number of sign-ups per minute per client (0: no limit)',
    );
  const idempotencyHours = Number(env('IDEMPOTENCY_KEY_TTL_HOURS') ?? 24);
  if (!(idempotencyHours > 0))
    throw new ConfigError('IDEMPOTENCY_KEY_TTL_HOURS must be a positive number of hours');
  const activationHours = Number(env('ACTIVATION_TTL_HOURS') ?? 72);
  if (!(activationHours > 0))
    throw new ConfigError('ACTIVATION_TTL_HOURS must be a positive number of hours');
  const shutdownTimeoutMs = Number(env('SHUTDOWN_TIMEOUT_MS') ?? 10_000);
  if (!Number.isInteger(shutdownTimeoutMs) || shutdownTimeoutMs <= 0)
    throw new ConfigError('SHUTDOWN_TIMEOUT_MS must be a positive number of milliseconds');
  const publicUrl = checkPublicUrl(env('PUBLIC_URL'), port, production);
  const checkoutUrl = env('CHECKOUT_URL');
  if (checkoutUrl !== undefined) checkCheckoutUrl(checkoutUrl);
  const mailFrom = env('MAIL_FROM') ?? 'no-reply@localhost';
  if (/[\r\n]/.test(mailFrom)) throw new ConfigError('MAIL_FROM must be one line');
  const smtpUrl = env('SMTP_URL');
  if (smtpUrl !== undefined)
    checkUrl('SMTP_URL', smtpUrl, {
      protocols: ['smtp:', 'smtps:'],
      expected: 'smtp://user:password@host:port or smtps://…',
    });
  const alertWebhookUrl = env('ALERT_WEBHOOK_URL');
  if (alertWebhookUrl !== undefined) checkUrl('ALERT_WEBHOOK_URL', alertWebhookUrl, httpUrl);
  if (alertWebhookSecret !== undefined) checkAlertSecret(alertWebhookSecret, production);
  for (const name of ['OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT']) {
    const endpoint = env(name);
    if (endpoint !== undefined) checkUrl(name, endpoint, httpUrl);
  }
  return {
    port,
    host,
    databaseUrl,
    busUrl,
    busPrefix,
    role,
    logLevel,
    adminToken,
    jwtSecret,
    production,
    faults: production ? '' : (env('SAAS_FAULTS') ?? ''),
    mailDir: env('MAIL_DIR') ?? 'data/mail',
    smtpUrl,
    inboxRetentionMs: retentionDays * 86_400_000,
    otlp: Boolean(env('OTEL_EXPORTER_OTLP_ENDPOINT') || env('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT')),
    trustProxy: parseTrustProxy(env('TRUST_PROXY')),
    signupRateLimit,
    signupEmailLimit: perHour(source, 'SIGNUP_EMAIL_LIMIT', 3, 'sign-ups an hour per owner e-mail'),
    activationEmailLimit: perHour(
      source,
      'ACTIVATION_EMAIL_LIMIT',
      5,
      'activation e-mails an hour per address',
    ),
    idempotencyKeyTtlMs: idempotencyHours * 3_600_000,
    activationTtlMs: activationHours * 3_600_000,
    metricsToken,
    billingWebhookSecret,
    mailFrom,
    publicUrl,
    checkoutUrl,
    shutdownTimeoutMs,
    alertWebhookUrl,
    alertWebhookSecret,
  };
}

interface UrlRule {
  /** The schemes accepted, as `URL.protocol` gives them (`postgres:`). */
  readonly protocols: readonly string[];
  /** What the URL should look like, for the message. */
  readonly expected: string;
}

const httpUrl: UrlRule = { protocols: ['http:', 'https:'], expected: 'an http:// or https:// URL' };

/** Schemes whose URLs name no host. */
const hostless = new Set(['file:', 'memory:']);

/**
 * `raw` parsed with the WHATWG URL parser (`new URL`), as pg, amqplib, nodemailer and fetch parse
 * it, held to what those clients need: a scheme of `rule`, a host, and user name and password
 * percent-encoded. Each message says what is wrong in words of its own, never with a piece of the
 * value: even the scheme may be the start of a password pasted alone.
 */
function checkUrl(name: string, raw: string, rule: UrlRule): URL {
  const expected = `it must be ${rule.expected}`;
  // The URL parser drops these silently; pg's and amqplib's readers do not.
  if (raw !== raw.trim())
    throw new ConfigError(`${name} has a space or line break at its start or end: remove it`);
  if (/^["']/.test(raw))
    throw new ConfigError(`${name} is in quotes: give the URL without them (${expected})`);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`${name} is not a URL that can be read: ${expected}`);
  }
  if (!rule.protocols.includes(url.protocol))
    throw new ConfigError(`${name} has a scheme this product does not use: ${expected}`);
  // A space may be part of a file's path; in a URL with a host it must be percent-encoded.
  if (/\p{Cc}/u.test(raw) || (!hostless.has(url.protocol) && /\s/.test(raw)))
    throw new ConfigError(
      `${name} holds a space, tab or line break: percent-encode it (a space is %20), or remove it`,
    );
  if (hostless.has(url.protocol)) return url;
  if (
    url.hostname === '' ||
    raw.slice(0, url.protocol.length + 2).toLowerCase() !== `${url.protocol}//`
  )
    throw new ConfigError(`${name} names no host after "//": ${expected}`);
  // The parser takes everything up to the last `@` as the user and password, other readers up to
  // the first: the two would reach different hosts, or send part of the password as the host.
  const authority = raw.slice(url.protocol.length + 2).split(/[/?#]/)[0] ?? '';
  if (authority.split('@').length > 2)
    throw new ConfigError(
      `${name} holds more than one "@" before its host: percent-encode an "@" in the user name or password as %40`,
    );
  try {
    decodeURIComponent(url.username);
    decodeURIComponent(url.password);
  } catch {
    throw new ConfigError(
      `${name} holds a "%" in its user name or password that is not followed by two hex digits: percent-encode a "%" as %25`,
    );
  }
  return url;
}

/**
 * `raw`, checked, with its scheme in lower case: the URL parser reads `POSTGRES://` as
 * `postgres://`, and so must the code that picks the store and the transport by it.
 */
function lowerScheme(raw: string, name: string, rule: UrlRule): string {
  const { protocol } = checkUrl(name, raw, rule);
  return protocol + raw.slice(protocol.length);
}

/**
 * amqplib reads these from the query string and sends them to the broker as numbers: anything
 * else fails the connection deep in the handshake, so it is refused here.
 */
const amqpNumbers: Readonly<Record<string, number>> = {
  channelMax: 65_535,
  frameMax: 4_294_967_295,
  heartbeat: 65_535,
  maxFrameSize: 4_294_967_295,
};

function checkAmqpQuery(url: URL): void {
  if (url.protocol === 'memory:') return;
  for (const [key, max] of Object.entries(amqpNumbers)) {
    const value = url.searchParams.get(key);
    if (value === null) continue;
    if (!/^\d{1,10}$/.test(value) || Number(value) > max)
      throw new ConfigError(
        `BUS_URL has a ${key} in its query string that is not a whole number from 0 to ${max}`,
      );
    if (key === 'maxFrameSize' && Number(value) !== 0 && Number(value) < 4096)
      throw new ConfigError(
        'BUS_URL has a maxFrameSize in its query string that is neither 0 (no limit) nor 4096 or more',
      );
  }
}

/**
 * `PUBLIC_URL` without its trailing slashes, since links are made by appending paths to it. In
 * production it must be set: without it every link in an e-mail would point at localhost.
 */
function checkPublicUrl(raw: string | undefined, port: number, production: boolean): string {
  if (raw === undefined) {
    if (production)
      throw new ConfigError(
        'PUBLIC_URL must be set when NODE_ENV=production: the links in activation e-mails and alerts would point at localhost. Set it to where users reach the product, e.g. PUBLIC_URL=https://app.example.com',
      );
    return `http://localhost:${port}`;
  }
  const url = checkUrl('PUBLIC_URL', raw, httpUrl);
  if (url.search !== '' || url.hash !== '' || raw.includes('?') || raw.includes('#'))
    throw new ConfigError(
      'PUBLIC_URL must have no query string or fragment: paths are appended to it',
    );
  return raw.replace(/\/+$/, '');
}

/** A template with `{tenantId}` that is an http(s) URL once the tenant is filled in. */
function checkCheckoutUrl(template: string): void {
  if (!template.includes('{tenantId}'))
    throw new ConfigError(
      'CHECKOUT_URL must contain {tenantId} where the tenant goes, e.g. https://pay.example.com/checkout?tenant={tenantId}',
    );
  checkUrl('CHECKOUT_URL', checkoutLinkFor(template, sampleTenantId), {
    ...httpUrl,
    expected: 'an http:// or https:// URL once {tenantId} is filled in',
  });
}

/**
 * What production refuses: ADMIN_TOKEN and JWT_SECRET missing, shorter than 32 bytes or equal;
 * any secret with too few different byte values. The messages name the variables and say how
 * to make a good secret, never what the bad one is.
 */
function checkProductionSecrets(
  role: Role,
  secrets: Readonly<Record<string, string | undefined>>,
): void {
  // A worker serves no API, so it needs no ADMIN_TOKEN; every role needs JWT_SECRET, which also
  // derives the owners' activation codes that the workers' e-mails carry.
  const needed = role === 'worker' ? ['JWT_SECRET'] : ['ADMIN_TOKEN', 'JWT_SECRET'];
  const missing = needed.filter((name) => !secrets[name]);
  if (missing.length > 0)
    throw new ConfigError(
      `${missing.join(' and ')} must be set when NODE_ENV=production: operators authenticate with ADMIN_TOKEN, tenant tokens and activation codes are signed with JWT_SECRET (use 32 random bytes or more, e.g. \`openssl rand -base64 32\`)`,
    );
  const short = needed.filter(
    (name) => Buffer.byteLength(secrets[name] ?? '') < minimumSecretBytes,
  );
  if (short.length > 0)
    throw new ConfigError(
      `${short.join(' and ')} must be at least ${minimumSecretBytes} bytes when NODE_ENV=production (a shorter secret can be guessed): ${secretAdvice}`,
    );
  if (secrets.ADMIN_TOKEN !== undefined && secrets.ADMIN_TOKEN === secrets.JWT_SECRET)
    throw new ConfigError(
      `ADMIN_TOKEN and JWT_SECRET must differ when NODE_ENV=production: whoever holds the operators' token could sign tenant tokens and activation codes with it. Make each one with \`openssl rand -base64 32\``,
    );
  const weak = ['ADMIN_TOKEN', 'JWT_SECRET', 'METRICS_TOKEN'].filter((name) => {
    const value = secrets[name];
    return value !== undefined && !variedEnough(Buffer.from(value));
  });
  if (weak.length > 0) throw weakSecret(weak, secretAdvice);
  // A Standard Webhooks secret's key is checked as bytes, since its base64 always looks varied;
  // one that is not `whsec_…` at all is refused with its own message (api/webhooks.ts).
  const billingKey = webhookKey(secrets.BILLING_WEBHOOK_SECRET);
  if (billingKey && !variedEnough(billingKey))
    throw weakSecret(['BILLING_WEBHOOK_SECRET'], 'use `echo whsec_$(openssl rand -base64 32)`');
}

function variedEnough(bytes: Buffer): boolean {
  return new Set(bytes).size >= minimumDistinctSecretBytes;
}

function weakSecret(names: readonly string[], advice: string): ConfigError {
  return new ConfigError(
    `${names.join(' and ')} ${names.length > 1 ? 'hold' : 'holds'} fewer than ${minimumDistinctSecretBytes} different byte values, so ${names.length > 1 ? 'they are' : 'it is'} easily guessed; production refuses ${names.length > 1 ? 'them' : 'it'}: ${advice}`,
  );
}

const webhookSecretPattern = /^whsec_([A-Za-z0-9+/]+={0,2})$/;

/** The key of a Standard Webhooks secret (`whsec_` and base64), or undefined if it is not one. */
function webhookKey(secret: string | undefined): Buffer | undefined {
  const key = secret === undefined ? undefined : webhookSecretPattern.exec(secret)?.[1];
  return key === undefined ? undefined : Buffer.from(key, 'base64');
}

/**
 * A Standard Webhooks secret: `whsec_` and the key in base64, as receivers configure it. In
 * production its key must be as long and as varied as the product's other secrets.
 */
function checkAlertSecret(secret: string, production: boolean): void {
  const key = webhookKey(secret);
  const advice = 'use `echo whsec_$(openssl rand -base64 32)`';
  if (key === undefined)
    throw new ConfigError(
      `ALERT_WEBHOOK_SECRET must be \`whsec_\` followed by the key in base64: ${advice}`,
    );
  if (production && key.length < minimumSecretBytes)
    throw new ConfigError(
      `ALERT_WEBHOOK_SECRET holds a key of ${key.length} bytes; it must be at least ${minimumSecretBytes} bytes when NODE_ENV=production (a shorter secret can be guessed): ${advice}`,
    );
  if (production && !variedEnough(key)) throw weakSecret(['ALERT_WEBHOOK_SECRET'], advice);
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
