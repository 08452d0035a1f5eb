/**
 * The production image, read as hadolint reads a Dockerfile (no Docker engine is needed): its
 * instructions, stage by stage, checked against the rules that keep an image small, reproducible
 * and unprivileged; and `.dockerignore`, which keeps secrets and local state out of the build.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = (path: string) => fileURLToPath(new URL(`../../${path}`, import.meta.url));

interface Instruction {
  readonly keyword: string;
  readonly args: string;
  readonly line: number;
}

/** The instructions of a Dockerfile: comments dropped, continued lines joined. */
function instructions(text: string): Instruction[] {
  const result: Instruction[] = [];
  let pending: { text: string; line: number } | undefined;
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (pending === undefined && (line === '' || line.startsWith('#'))) return;
    // A comment inside a continued instruction is dropped too (Docker does so).
    if (pending !== undefined && line.startsWith('#')) return;
    const body = line.endsWith('\\') ? line.slice(0, -1) : line;
    pending = pending
      ? { ...pending, text: `${pending.text} ${body}` }
      : { text: body, line: index + 1 };
    if (!line.endsWith('\\')) {
      const [keyword = '', ...rest] = pending.text.trim().split(/\s+/);
      result.push({
        keyword: keyword.toUpperCase(),
        args: rest.join(' '),
        line: pending.line,
      });
      pending = undefined;
    }
  });
  return result;
}

/** The instructions of each stage, from its FROM on. */
function stages(all: readonly Instruction[]): Instruction[][] {
  const result: Instruction[][] = [];
  for (const instruction of all) {
    if (instruction.keyword === 'FROM') result.push([]);
    result[result.length - 1]?.push(instruction);
  }
  return result;
}

/** An exec-form argument list (`["node", "x"]`), or undefined for the shell form. */
function execForm(args: string): string[] | undefined {
  if (!args.startsWith('[')) return undefined;
  const parsed: unknown = JSON.parse(args);
  return Array.isArray(parsed) && parsed.every((a) => typeof a === 'string') ? parsed : undefined;
}

const dockerfile = readFileSync(root('Dockerfile'), 'utf8');
const all = instructions(dockerfile);
const [build = [], runtime = []] = stages(all);
const runs = (stage: readonly Instruction[]) =>
  stage.filter((i) => i.keyword === 'RUN').map((i) => i.args);
/** A shell command without its quoted strings: what it runs, not what it prints. */
const unquoted = (command: string) => command.replace(/"(?:[^"\\]|\\.)*"|'[^']*'/g, '""');

describe('the Dockerfile', () => {
  it('has a build stage and a runtime stage, on pinned Debian bookworm images of the same Node', () => {
    expect(stages(all)).toHaveLength(2);
    const [buildFrom, runtimeFrom] = [build[0]!.args, runtime[0]!.args];
    // Node 24, the current LTS: 20 reached its end of life in April 2026.
    expect(buildFrom).toMatch(/^node:24-bookworm AS build$/i);
    expect(runtimeFrom).toBe('node:24-bookworm-slim');
    for (const from of [buildFrom, runtimeFrom]) {
      const image = from.split(/\s+/)[0]!;
      // DL3006/DL3007: a tag, and not `latest`.
      expect(image, from).toMatch(/^[^:]+:[^:]+$/);
      expect(image).not.toMatch(/:latest$/);
    }
  });

  it('installs from the lockfile with npm ci, and stops with a clear message without one', () => {
    const buildRuns = runs(build).join('\n');
    expect(buildRuns).toMatch(/\bnpm ci\b/);
    expect(
      unquoted(buildRuns),
      'npm install resolves versions the lockfile did not pin',
    ).not.toMatch(/\bnpm (install|i)\b/);
    expect(buildRuns).toMatch(
      /if \[ ! -f package-lock\.json \]; then .*package-lock\.json is missing.*exit 1/,
    );
    expect(buildRuns).toMatch(/\bnpm run build\b/);
    // The dependencies the runtime stage copies are the production ones only.
    expect(buildRuns).toMatch(/npm prune --omit=dev|npm ci --omit=dev/);
    expect(unquoted(runs(runtime).join('\n'))).not.toMatch(/\bnpm (ci|install|i)\b/);
  });

  it('runs compiled JavaScript with node, as a non-root user, in production mode', () => {
    const cmds = runtime.filter((i) => i.keyword === 'CMD');
    expect(cmds).toHaveLength(1);
    // Exec form: node is PID 1 and gets SIGTERM itself (DL3025).
    expect(execForm(cmds[0]!.args)).toEqual(['node', 'dist/src/main.js']);
    for (const instruction of all) expect(instruction.args).not.toMatch(/\btsx\b/);
    const copies = runtime.filter((i) => i.keyword === 'COPY').map((i) => i.args);
    // Only what the build stage made: the compiled sources, package.json and node_modules.
    for (const copy of copies) expect(copy).toMatch(/^--from=build /);
    expect(copies.some((c) => /\/app\/dist\/src\b/.test(c))).toBe(true);
    expect(copies.some((c) => /\bsrc\/[^ ]*\.ts\b|\/app\/src\b/.test(c))).toBe(false);
    const users = runtime.filter((i) => i.keyword === 'USER').map((i) => i.args);
    expect(users.at(-1), 'the last USER of the final stage').toBe('node');
    // The user switch comes before the command, and after the last RUN as root (data/'s owner).
    const userAt = runtime.findIndex((i) => i.keyword === 'USER');
    expect(runtime.findIndex((i) => i.keyword === 'CMD')).toBeGreaterThan(userAt);
    expect(runs(runtime).join('\n')).toMatch(/chown node:node data/);
    const env = runtime
      .filter((i) => i.keyword === 'ENV')
      .map((i) => i.args)
      .join(' ');
    expect(env).toMatch(/\bNODE_ENV=production\b/);
    expect(runtime.some((i) => i.keyword === 'EXPOSE' && i.args === '3000')).toBe(true);
  });

  it('checks liveness with node, since the slim image has neither curl nor wget', () => {
    const checks = runtime.filter((i) => i.keyword === 'HEALTHCHECK');
    expect(checks).toHaveLength(1);
    const command = checks[0]!.args.slice(checks[0]!.args.indexOf('CMD ') + 4);
    const argv = execForm(command);
    expect(argv?.slice(0, 2)).toEqual(['node', '-e']);
    expect(argv?.[2]).toContain('/health/live');
    expect(argv?.[2]).toContain('process.exit(r.ok ? 0 : 1)');
    expect(checks[0]!.args).not.toMatch(/\b(curl|wget)\b/);
  });

  it('bakes in no secret and fetches nothing by URL', () => {
    // DL3020: ADD of a URL downloads something no one reviewed; COPY says what it does.
    expect(all.filter((i) => i.keyword === 'ADD')).toEqual([]);
    for (const instruction of all.filter((i) => i.keyword === 'ENV' || i.keyword === 'ARG')) {
      expect(instruction.args, `line ${instruction.line}`).not.toMatch(
        /(TOKEN|SECRET|PASSWORD|PASS|KEY|DATABASE_URL|BUS_URL|SMTP_URL)\b/i,
      );
    }
    const copied = all.filter((i) => i.keyword === 'COPY').map((i) => i.args);
    for (const copy of copied) expect(copy).not.toMatch(/\.env|secrets|\.pem|\.key/);
  });
});

describe('.dockerignore', () => {
  const ignored = readFileSync(root('.dockerignore'), 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));

  it('keeps secrets, local state and build output out of the build context', () => {
    expect(ignored).toEqual(
      expect.arrayContaining([
        'node_modules',
        'dist',
        '.git',
        'data',
        '**/.env',
        '**/.env.*',
        '**/*.pem',
        '**/*.key',
        '**/*.log',
      ]),
    );
    // Nothing is let back in.
    expect(ignored.filter((line) => line.startsWith('!'))).toEqual([]);
  });
});
