/**
 * The Prometheus binaries the observability tests run (`promtool`, `prometheus`), found on PATH.
 * Without them those tests skip, loudly; under `CI=true` they fail instead, because a CI that
 * lacks them must not pass green (the same rule as test/runtime/integration.ts).
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';

/** The absolute path of `name` on PATH, or undefined (after warning, outside CI). */
export function binary(name: 'promtool' | 'prometheus', env = process.env): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter).filter(Boolean)) {
    const path = join(dir, name);
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // not in this directory
    }
  }
  const why = `\`${name}\` is not on PATH (Debian: apt-get install prometheus)`;
  if (env.CI === 'true') throw new Error(`CI=true runs the ${name} tests: ${why}`);
  console.warn(`⚠ SKIPPING the ${name} tests: ${why} (CI=true makes this an error)`);
  return undefined;
}

export const observabilityDir = fileURLToPath(new URL('../../observability/', import.meta.url));

export interface Run {
  readonly status: number | null;
  readonly output: string;
}

export function run(command: string, args: readonly string[], input?: string): Run {
  const result = spawnSync(command, args, {
    cwd: observabilityDir,
    encoding: 'utf8',
    timeout: 60_000,
    ...(input === undefined ? {} : { input }),
  });
  if (result.error) throw result.error;
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

interface ScrapeConfig {
  job_name: string;
  authorization?: { credentials_file?: string };
  [key: string]: unknown;
}

/**
 * observability/prometheus.yml and alerts.yml copied to a temporary folder, with the scrape
 * token read from a file there (in the container, docker compose writes it next to prometheus.yml)
 * and, given `scrape`, the scrape jobs replaced by it.
 */
export function prometheusConfigCopy(
  options: { token?: string; scrape?: (tokenFile: string) => ScrapeConfig[]; global?: object } = {},
): { dir: string; configFile: string; config: { scrape_configs: ScrapeConfig[] } } {
  const dir = mkdtempSync(join(tmpdir(), 'prometheus-'));
  const tokenFile = join(dir, 'metrics-token');
  writeFileSync(tokenFile, options.token ?? '', { mode: 0o600 });
  const config = parse(readFileSync(join(observabilityDir, 'prometheus.yml'), 'utf8')) as {
    global?: object;
    scrape_configs: ScrapeConfig[];
  };
  for (const job of config.scrape_configs)
    if (job.authorization?.credentials_file) job.authorization.credentials_file = tokenFile;
  if (options.scrape) config.scrape_configs = options.scrape(tokenFile);
  if (options.global) config.global = { ...config.global, ...options.global };
  writeFileSync(join(dir, 'alerts.yml'), readFileSync(join(observabilityDir, 'alerts.yml')));
  const configFile = join(dir, 'prometheus.yml');
  writeFileSync(configFile, stringify(config));
  return { dir, configFile, config };
}
