/** The built `saas-gen` binary end to end: exit codes, output formats, `schema` and `init`. */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { blueprint } from './support/base-blueprint.js';
import { repoRoot, saasGen, stackTraceLine } from './support/cli.js';
import { parseMarks, yaml } from './support/marked-yaml.js';

const scratch = mkdtempSync(join(tmpdir(), 'saas-gen-cli-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

let written = 0;
/** Writes `text` to a new file of the scratch directory and returns its path. */
function scratchFile(text: string, name = 'blueprint.yaml'): string {
  const dir = join(scratch, `case-${++written}`);
  mkdirSync(dir);
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const validFile = scratchFile(blueprint());

// One misspelt event, marked where it must be reported.
const broken = parseMarks(
  blueprint({
    workflows: yaml`
      workflows:
        onboarding:
          steps:
            subscription: { service: billing, on: TenantRegistered, emits: SubscriptionActivated, compensate: CancelSubscription }
            notebook: { service: notes, on: SubscriptionActivated, emits: NotebookCreated, compensate: DeleteNotebook }
          reactions:
            welcome: { service: notification, on: UserInvitd, emits: NotificationSent }
                                                  ^ unknown-event
    `,
  }),
);
const brokenFile = scratchFile(broken.text);
const brokenMark = broken.marks[0]!;

describe('usage', () => {
  it('prints help and exits 0', async () => {
    const result = await saasGen(['--help']);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('Usage: saas-gen');
    for (const command of ['validate', 'schema', 'init']) expect(result.stdout).toContain(command);
  });

  it('prints the package version and exits 0', async () => {
    const { version } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
      version: string;
    };
    const result = await saasGen(['--version']);
    expect(result.exitCode).toBe(0);
    expect(result.stdout.trim()).toBe(version);
  });

  it('refuses an unknown command with exit 2', async () => {
    const result = await saasGen(['frobnicate']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain("unknown command 'frobnicate'");
  });

  it('refuses an unknown --format with exit 2, naming the choices', async () => {
    const result = await saasGen(['validate', '--format', 'xml', validFile]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/text, json, github/);
  });

  it('refuses `validate` without a file with exit 2', async () => {
    const result = await saasGen(['validate']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain("missing required argument 'file'");
  });
});

describe('validate', () => {
  it('says a valid blueprint is valid and exits 0', async () => {
    const result = await saasGen(['validate', validFile]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain(`${validFile}: valid`);
  });

  it('exits 1 with a clear message and no stack trace for a missing file', async () => {
    const missing = join(scratch, 'nowhere', 'blueprint.yaml');
    const result = await saasGen(['validate', missing]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(`error: blueprint \`${missing}\` does not exist`);
    expect(`${result.stdout}\n${result.stderr}`).not.toMatch(stackTraceLine);
  });

  it('exits 1 without a stack trace for a directory', async () => {
    const result = await saasGen(['validate', scratch]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('is a directory, not a file');
    expect(result.stderr).not.toMatch(stackTraceLine);
  });

  it('prints file:line:col, the code and a "did you mean" in text', async () => {
    const result = await saasGen(['validate', brokenFile]);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain(
      `${brokenFile}:${brokenMark.line}:${brokenMark.col}: error unknown-event `,
    );
    expect(result.stdout).toContain('did you mean `UserInvited`?');
    expect(result.stdout).toContain('✗ 1 error, 0 warnings');
  });

  it('prints a code frame with a `>` on the offending line and a caret under the node', async () => {
    const result = await saasGen(['validate', brokenFile]);
    const lines = result.stdout.split('\n');
    const marked = lines.findIndex((line) => /^> +\d+ \| /.test(line));
    expect(marked).toBeGreaterThan(-1);
    expect(lines[marked]).toMatch(new RegExp(`^> +${brokenMark.line} \\| .*UserInvitd`));
    const caret = lines[marked + 1]!;
    expect(caret).toMatch(/^ +\| +\^+$/);
    const gutter = caret.indexOf('|') + 2;
    expect(caret.indexOf('^') - gutter + 1).toBe(brokenMark.col);
    expect(caret.length - caret.indexOf('^')).toBe('UserInvitd'.length);
  });

  it('prints parseable JSON with line, column and pointer', async () => {
    const result = await saasGen(['validate', '--format', 'json', brokenFile]);
    expect(result.exitCode).toBe(1);
    const report = JSON.parse(result.stdout) as {
      valid: boolean;
      errors: number;
      files: { file: string; valid: boolean; diagnostics: Record<string, unknown>[] }[];
    };
    expect(report).toMatchObject({ valid: false, errors: 1 });
    expect(report.files).toHaveLength(1);
    expect(report.files[0]).toMatchObject({ file: brokenFile, valid: false });
    expect(report.files[0]!.diagnostics).toEqual([
      expect.objectContaining({
        code: 'unknown-event',
        severity: 'error',
        pointer: '/workflows/onboarding/reactions/welcome/on',
        line: brokenMark.line,
        column: brokenMark.col,
        endLine: brokenMark.line,
        endColumn: brokenMark.col + 'UserInvitd'.length,
      }),
    ]);
  });

  it('prints a valid JSON report for a valid blueprint and exits 0', async () => {
    const result = await saasGen(['validate', '--format', 'json', validFile]);
    expect(result.exitCode).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ valid: true, errors: 0, warnings: 0 });
  });

  it('prints GitHub annotations with file, line and col', async () => {
    const result = await saasGen(['validate', '--format', 'github', brokenFile]);
    expect(result.exitCode).toBe(1);
    const lines = result.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      new RegExp(
        `^::error file=${escapeRegExp(brokenFile.replace(/:/g, '%3A'))},line=${brokenMark.line},col=${brokenMark.col},.*title=saas-gen unknown-event::.*UserInvitd`,
      ),
    );
  });

  it('exits 1 when one of several files has an error, and reports each file', async () => {
    const result = await saasGen(['validate', '--format', 'json', validFile, brokenFile]);
    expect(result.exitCode).toBe(1);
    const report = JSON.parse(result.stdout) as { files: { file: string; valid: boolean }[] };
    expect(report.files.map(({ file, valid }) => [file, valid])).toEqual([
      [validFile, true],
      [brokenFile, false],
    ]);
  });

  it('exits 0 when there are warnings only', async () => {
    const withWarning = scratchFile(
      blueprint({
        features: yaml`
          features:
            notes: { title: Notes }
            sharing: { title: Sharing }
            archive: { title: Archive }
        `,
      }),
    );
    const result = await saasGen(['validate', withWarning]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('warning unused-declaration');
    expect(result.stdout).toContain('valid (0 errors, 1 warning)');
  });
});

describe('schema', () => {
  it('prints the shipped JSON Schema byte for byte', async () => {
    const result = await saasGen(['schema']);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe(
      readFileSync(join(repoRoot, 'schema', 'blueprint.schema.json'), 'utf8'),
    );
  });
});

describe('init', () => {
  it('writes a starter blueprint that validates', async () => {
    const dir = join(scratch, 'starter');
    const file = join(dir, 'blueprint.yaml');
    const result = await saasGen(['init', file]);
    expect(result.exitCode).toBe(0);
    expect(existsSync(file)).toBe(true);
    const validated = await saasGen(['validate', file]);
    expect(validated.exitCode).toBe(0);
    expect(validated.stdout).toContain(`${file}: valid`);
  });

  it('names the product after its folder, or after --name', async () => {
    const file = join(scratch, 'Team Notes', 'blueprint.yaml');
    expect((await saasGen(['init', file])).exitCode).toBe(0);
    expect(readFileSync(file, 'utf8')).toMatch(/^ {2}name: team-notes\b/m);

    const named = join(scratch, 'named', 'blueprint.yaml');
    expect((await saasGen(['init', named, '--name', 'acme-notes'])).exitCode).toBe(0);
    expect(readFileSync(named, 'utf8')).toMatch(/^ {2}name: acme-notes\b/m);
  });

  it('writes into the working directory by default', async () => {
    const dir = join(scratch, 'default-target');
    mkdirSync(dir);
    const result = await saasGen(['init'], { cwd: dir });
    expect(result.exitCode).toBe(0);
    expect(existsSync(join(dir, 'blueprint.yaml'))).toBe(true);
  });

  it('refuses to overwrite an existing file with exit 1, unless --force', async () => {
    const file = scratchFile('# my own notes\n');
    const refused = await saasGen(['init', file]);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain('already exists');
    expect(refused.stderr).toContain('--force');
    expect(refused.stderr).not.toMatch(stackTraceLine);
    expect(readFileSync(file, 'utf8')).toBe('# my own notes\n');

    const forced = await saasGen(['init', file, '--force']);
    expect(forced.exitCode).toBe(0);
    expect(readFileSync(file, 'utf8')).toContain('blueprint: 1');
    expect((await saasGen(['validate', file])).exitCode).toBe(0);
  });

  it('refuses a product name that is not kebab-case with exit 1', async () => {
    const result = await saasGen(['init', join(scratch, 'bad-name.yaml'), '--name', 'Acme_Notes']);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('not a valid product name');
    expect(existsSync(join(scratch, 'bad-name.yaml'))).toBe(false);
  });
});

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
