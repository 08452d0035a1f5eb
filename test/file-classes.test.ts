/**
 * The three classes of a product's files, end to end through the built CLI: generated files are
 * saas-gen's, merged files share their parts with the user, user-owned files are never written
 * twice; `check` judges only what saas-gen owns.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { referenceBlueprint, repoRoot, saasGen, snapshot, tempDir } from './support/cli.js';

const { version } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
  version: string;
};

async function newProduct(): Promise<string> {
  const dir = join(tempDir(), 'product');
  const result = await saasGen(['new', dir, '--blueprint', referenceBlueprint, '--skip-install']);
  expect(result.exitCode, result.stderr).toBe(0);
  return dir;
}

const read = (dir: string, path: string): string => readFileSync(join(dir, path), 'utf8');
const edit = (dir: string, path: string, change: (text: string) => string): void =>
  writeFileSync(join(dir, path), change(read(dir, path)));
/** Changes package.json as `npm pkg set` or a person would: parsed, changed, written back. */
const editPackage = (dir: string, change: (pkg: Record<string, any>) => void): void =>
  edit(dir, 'package.json', (text) => {
    const pkg = JSON.parse(text) as Record<string, any>;
    change(pkg);
    return `${JSON.stringify(pkg, null, 2)}\n`;
  });

describe('a product made by `new`', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await newProduct();
  });

  it('lists every file in its class in the manifest', () => {
    const manifest = JSON.parse(read(dir, '.saas-gen/manifest.json')) as {
      generatorVersion: string;
      files: Record<string, string>;
      merged: Record<string, Record<string, string>>;
      userFiles: string[];
    };
    expect(manifest.generatorVersion).toBe(version);
    expect(Object.keys(manifest.merged).sort()).toEqual([
      '.dockerignore',
      '.gitignore',
      '.vscode/extensions.json',
      '.vscode/settings.json',
      'package.json',
      'tsconfig.json',
    ]);
    expect(Object.keys(manifest.merged['package.json']!)).toEqual(
      expect.arrayContaining(['dependencies.fastify', 'scripts.start', 'devDependencies.saas-gen']),
    );
    expect(manifest.userFiles).toEqual(
      expect.arrayContaining(['README.md', 'blueprint.yaml', 'src/main.ts']),
    );
    expect(Object.keys(manifest.files)).toEqual(
      expect.arrayContaining(['docs/reference.md', 'src/contracts/envelope.ts']),
    );
    const everyClass = [
      ...Object.keys(manifest.files),
      ...Object.keys(manifest.merged),
      ...manifest.userFiles,
    ];
    expect(new Set(everyClass).size, 'a file in two classes').toBe(everyClass.length);
    expect(Object.keys(manifest.files)).not.toContain('.npmrc');
  });

  it('pins the generator that made it and points the modeline at its schema', () => {
    const pkg = JSON.parse(read(dir, 'package.json')) as {
      devDependencies: Record<string, string>;
    };
    expect(pkg.devDependencies['saas-gen']).toBe(version);
    expect(read(dir, 'blueprint.yaml').split('\n')[0]).toBe(
      '# yaml-language-server: $schema=./node_modules/saas-gen/schema/blueprint.schema.json',
    );
    expect(JSON.parse(read(dir, '.vscode/extensions.json'))).toEqual({
      recommendations: ['redhat.vscode-yaml'],
    });
  });

  it("keeps the user's dependency, script, field, ignore line and README paragraph through check and generate", async () => {
    editPackage(dir, (pkg) => {
      pkg.dependencies.zod = '^3.23.8';
      pkg.scripts.lint = 'eslint .';
      pkg.author = 'Dana <dana@example.com>';
    });
    edit(dir, '.gitignore', (text) => `${text}.idea/\n`);
    edit(dir, 'README.md', (text) => `${text}\n## Our runbook\n\nPage Dana.\n`);
    const before = snapshot(dir);

    const checked = await saasGen(['check', dir]);
    expect(checked.exitCode, checked.stdout + checked.stderr).toBe(0);
    const generated = await saasGen(['generate', dir]);
    expect(generated.exitCode, generated.stderr).toBe(0);
    expect(generated.stdout).toContain('Up to date');
    expect(snapshot(dir)).toEqual(before);

    // A blueprint change regenerates around them, too.
    edit(dir, 'blueprint.yaml', (text) =>
      text.replace('title: Acme Analytics', 'title: Acme Insights'),
    );
    expect((await saasGen(['generate', dir])).exitCode).toBe(0);
    const pkg = JSON.parse(read(dir, 'package.json')) as Record<string, any>;
    expect(pkg.dependencies.zod).toBe('^3.23.8');
    expect(pkg.scripts.lint).toBe('eslint .');
    expect(pkg.author).toBe('Dana <dana@example.com>');
    expect(read(dir, '.gitignore')).toMatch(/\.idea\/\n$/);
    expect(read(dir, 'README.md')).toContain('Page Dana.');
    expect(read(dir, 'docs/reference.md')).toContain('# Acme Insights: reference');
  });

  it('fails check on an undeclared version of a generator-owned dependency, naming the entry', async () => {
    editPackage(dir, (pkg) => (pkg.dependencies.fastify = '5.0.0'));
    const before = snapshot(dir);

    const checked = await saasGen(['check', dir]);
    expect(checked.exitCode).toBe(1);
    expect(checked.stdout).toContain('package.json: dependencies.fastify differs');
    expect(checked.stdout).toContain('- dependencies.fastify: "5.0.0"');
    expect(checked.stdout).toMatch(/\+ dependencies\.fastify: "\^5\.\d+\.\d+"/);
    expect(checked.stdout).toContain('"saas-gen": { "hold"');

    const refused = await saasGen(['generate', dir]);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain(
      'package.json: dependencies.fastify is "5.0.0", edited by hand',
    );
    expect(snapshot(dir)).toEqual(before);
  });

  it('accepts a held version once it is declared, and keeps it on generate', async () => {
    editPackage(dir, (pkg) => {
      pkg.dependencies.fastify = '5.0.0';
      pkg['saas-gen'] = { hold: ['dependencies.fastify'] };
    });
    expect((await saasGen(['check', dir])).exitCode).toBe(0);
    const generated = await saasGen(['generate', dir]);
    expect(generated.exitCode, generated.stderr).toBe(0);
    expect(JSON.parse(read(dir, 'package.json')).dependencies.fastify).toBe('5.0.0');

    editPackage(dir, (pkg) => (pkg['saas-gen'] = { hold: ['dependencies.fastfy'] }));
    const typo = await saasGen(['check', dir]);
    expect(typo.exitCode).toBe(1);
    expect(typo.stderr).toContain('`dependencies.fastfy`, which saas-gen does not own');
  });

  it("restores an owned compiler option in tsconfig.json, keeping the user's comments and options", async () => {
    edit(dir, 'tsconfig.json', (text) =>
      text
        .replace('{\n', '{\n  // our build settings\n')
        .replace('"strict": true,', '"allowJs": true,')
        .replace('"scripts"', '"scripts", "tools"'),
    );
    const checked = await saasGen(['check', dir]);
    expect(checked.exitCode).toBe(1);
    expect(checked.stdout).toContain('tsconfig.json: compilerOptions.strict is missing');
    const generated = await saasGen(['generate', dir]);
    expect(generated.exitCode, generated.stderr).toBe(0);
    expect(generated.stdout).toContain('UPDATE tsconfig.json (compilerOptions.strict restored)');
    const tsconfig = read(dir, 'tsconfig.json');
    expect(tsconfig).toContain('// our build settings');
    expect(tsconfig).toContain('"allowJs": true');
    expect(tsconfig).toContain('"strict": true');
    expect(tsconfig).toContain('"tools"');
    expect((await saasGen(['check', dir])).exitCode).toBe(0);
  });

  it('puts back a removed managed block of .gitignore and keeps the lines around it', async () => {
    writeFileSync(join(dir, '.gitignore'), 'secrets/\n');
    const checked = await saasGen(['check', dir]);
    expect(checked.exitCode).toBe(1);
    expect(checked.stdout).toContain('.gitignore: managed block is missing');
    expect(checked.stdout).toContain('+node_modules/');
    expect((await saasGen(['generate', dir])).exitCode).toBe(0);
    const ignore = read(dir, '.gitignore');
    expect(ignore).toMatch(/^# >>> saas-gen >>>[^\n]*\nnode_modules\/\n/);
    expect(ignore).toMatch(/# <<< saas-gen <<<\nsecrets\/\n$/);
  });

  it('refuses an edit inside the managed block, and --force replaces only the block', async () => {
    edit(dir, '.gitignore', (text) => `.idea/\n${text.replace('data/\n', '')}`);
    const refused = await saasGen(['generate', dir]);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain('.gitignore: managed block');
    expect((await saasGen(['generate', dir, '--force'])).exitCode).toBe(0);
    expect(read(dir, '.gitignore')).toMatch(/^\.idea\/\n# >>> saas-gen >>>.*\n(.*\n)*data\/\n/);
  });

  it('says where package.json is broken and writes nothing', async () => {
    edit(dir, 'package.json', (text) => text.replace('"private": true,', '"private": true'));
    const before = snapshot(dir);
    const result = await saasGen(['generate', dir]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/package\.json is not valid JSON \(line \d+, column \d+\)/);
    expect(snapshot(dir)).toEqual(before);
  });

  it('prints one JSON document for generate and check with --json', async () => {
    editPackage(dir, (pkg) => (pkg.scripts.start = 'node dist/src/main.js'));
    const checked = await saasGen(['check', dir, '--json']);
    expect(checked.exitCode).toBe(1);
    const report = JSON.parse(checked.stdout) as {
      command: string;
      ok: boolean;
      generatorVersion: string;
      drift: { path: string; class: string; parts: { name: string; status: string }[] }[];
    };
    expect(report).toMatchObject({ command: 'check', ok: false, generatorVersion: version });
    expect(report.drift).toEqual([
      expect.objectContaining({
        path: 'package.json',
        class: 'merged',
        parts: [expect.objectContaining({ name: 'scripts.start', status: 'conflict' })],
      }),
    ]);

    const generated = await saasGen(['generate', dir, '--json', '--force']);
    expect(generated.exitCode, generated.stderr).toBe(0);
    const plan = JSON.parse(generated.stdout) as {
      ok: boolean;
      files: { path: string; class: string; action: string }[];
    };
    expect(plan.ok).toBe(true);
    expect(plan.files).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: 'package.json', class: 'merged', action: 'update' }),
        { path: 'README.md', class: 'user', action: 'unchanged' },
        { path: 'src/app.ts', class: 'generated', action: 'unchanged' },
      ]),
    );
  });
});
