/**
 * Development without ADMIN_TOKEN or JWT_SECRET: rather than refuse to start (production does)
 * or fall back to a well-known value (which would end up deployed), each missing secret is
 * generated once, at random, and kept in a file under data/ (git-ignored, owner-only), so that it
 * survives restarts and tokens minted before a restart stay valid. The log says where the file
 * is, never what is in it:
 *
 *   curl -H "authorization: Bearer $(cat data/secrets/admin-token)" localhost:3000/tenants
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Secrets {
  readonly adminToken: string;
  readonly jwtSecret: string;
  /** Files of the secrets that were not configured, to say so once at start. */
  readonly generated: readonly string[];
}

export const devSecretsDir = join('data', 'secrets');

function kept(dir: string, name: string, generated: string[]): string {
  const file = join(dir, name);
  try {
    const value = readFileSync(file, 'utf8').trim();
    if (value) {
      generated.push(file);
      return value;
    }
  } catch {
    // Not there yet: make it.
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const value = randomBytes(32).toString('base64url');
  writeFileSync(file, `${value}\n`, { mode: 0o600 });
  generated.push(file);
  return value;
}

export function resolveSecrets(
  configured: { readonly adminToken: string | undefined; readonly jwtSecret: string | undefined },
  dir: string = devSecretsDir,
): Secrets {
  const generated: string[] = [];
  return {
    adminToken: configured.adminToken ?? kept(dir, 'admin-token', generated),
    jwtSecret: configured.jwtSecret ?? kept(dir, 'jwt-secret', generated),
    generated,
  };
}
