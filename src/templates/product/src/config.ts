/**
 * Configuration from the environment (DESIGN: PORT, DATABASE_URL, BUS_URL, ADMIN_TOKEN,
 * JWT_SECRET, ROLE, LOG_LEVEL, SAAS_FAULTS), checked once at start with errors that say what to set.
 */

export type Role = 'all' | 'api' | 'worker';

export interface Config {
  readonly port: number;
  readonly databaseUrl: string;
  readonly busUrl: string;
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
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const roles: readonly Role[] = ['all', 'api', 'worker'];
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
    throw new ConfigError(`DATABASE_URL must be file:<path> or postgres://…, not "${databaseUrl}"`);
  }
  const busUrl = env.BUS_URL ?? 'memory://';
  if (!/^(memory:\/\/|amqps?:\/\/)/.test(busUrl))
    throw new ConfigError(`BUS_URL must be memory:// or amqp://…, not "${busUrl}"`);
  const retentionDays = Number(env.INBOX_RETENTION_DAYS ?? 7);
  if (!(retentionDays > 0))
    throw new ConfigError(`INBOX_RETENTION_DAYS must be a positive number of days`);
  return {
    port,
    databaseUrl,
    busUrl,
    role,
    logLevel,
    adminToken: env.ADMIN_TOKEN || undefined,
    jwtSecret: env.JWT_SECRET || undefined,
    production,
    faults: production ? '' : (env.SAAS_FAULTS ?? ''),
    mailDir: env.MAIL_DIR ?? 'data/mail',
    smtpUrl: env.SMTP_URL || undefined,
    inboxRetentionMs: retentionDays * 86_400_000,
  };
}
