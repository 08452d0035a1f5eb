/** Merged files in memory: the parts saas-gen owns are kept current, the rest is the user's. */
import { describe, expect, it } from 'vitest';
import {
  hashValue,
  managedBlock,
  mergeBlock,
  mergeJson,
  parsePartName,
  partName,
} from '../src/sync/merge.js';

const owned = {
  type: 'module',
  scripts: { build: 'tsc', test: 'vitest run' },
  dependencies: { fastify: '^5.6.1', pg: '^8.23.1' },
};
const seed = `${JSON.stringify({ name: 'shop', ...owned }, null, 2)}\n`;
const recordedSeed = Object.fromEntries(
  [
    ['type', 'module'],
    ['scripts.build', 'tsc'],
    ['scripts.test', 'vitest run'],
    ['dependencies.fastify', '^5.6.1'],
    ['dependencies.pg', '^8.23.1'],
  ].map(([name, value]) => [name!, hashValue(value)]),
);
const merge = (
  current: string | null,
  options: { recorded?: object; force?: boolean; own?: object } = {},
) =>
  mergeJson({
    path: 'package.json',
    seed,
    current,
    owned: (options.own ?? owned) as Record<string, unknown>,
    recorded: (options.recorded ?? recordedSeed) as Record<string, string>,
    force: options.force ?? false,
  });
const edit = (change: (pkg: Record<string, any>) => void): string => {
  const pkg = JSON.parse(seed) as Record<string, any>;
  change(pkg);
  return `${JSON.stringify(pkg, null, 2)}\n`;
};

describe('mergeJson', () => {
  it('writes the seed when there is no file', () => {
    const result = merge(null);
    expect(result.content).toBe(seed);
    expect(result.recorded).toEqual(recordedSeed);
  });

  it("keeps the user's own dependencies, scripts and fields byte for byte", () => {
    const mine = edit((pkg) => {
      pkg.dependencies.zod = '^3.23.0';
      pkg.scripts.lint = 'eslint .';
      pkg.author = 'Dana';
    });
    const result = merge(mine);
    expect(result.content).toBe(mine);
    expect(result.parts).toEqual([]);
  });

  it('restores a missing owned part in place, sorted among sorted dependencies', () => {
    const result = merge(edit((pkg) => delete pkg.dependencies.fastify));
    expect(result.parts).toEqual([
      { name: 'dependencies.fastify', status: 'restored', expected: '^5.6.1' },
    ]);
    expect(result.content).toBe(seed);
  });

  it("updates a part that still holds saas-gen's older value", () => {
    const older = edit((pkg) => (pkg.dependencies.fastify = '^5.0.0'));
    const recorded = { ...recordedSeed, 'dependencies.fastify': hashValue('^5.0.0') };
    const result = merge(older, { recorded });
    expect(result.parts.map((part) => [part.name, part.status])).toEqual([
      ['dependencies.fastify', 'updated'],
    ]);
    expect(JSON.parse(result.content).dependencies.fastify).toBe('^5.6.1');
  });

  it('refuses a part edited by hand, replaces it with force, and keeps it when held', () => {
    const edited = edit((pkg) => (pkg.dependencies.fastify = '5.0.0'));
    const refused = merge(edited);
    expect(refused.parts).toEqual([
      { name: 'dependencies.fastify', status: 'conflict', expected: '^5.6.1', actual: '5.0.0' },
    ]);
    expect(refused.content).toBe(edited);

    const forced = merge(edited, { force: true });
    expect(forced.parts[0]?.status).toBe('replaced');
    expect(JSON.parse(forced.content).dependencies.fastify).toBe('^5.6.1');

    const held = edit((pkg) => {
      pkg.dependencies.fastify = '5.0.0';
      pkg['saas-gen'] = { hold: ['dependencies.fastify'] };
    });
    const kept = merge(held);
    expect(kept.parts[0]?.status).toBe('held');
    expect(kept.content).toBe(held);
  });

  it("replaces a replaceable part whatever it holds: the product's pin of saas-gen", () => {
    const ranged = edit((pkg) => (pkg.dependencies.fastify = '^5.7.0'));
    const result = mergeJson({
      path: 'package.json',
      seed,
      current: ranged,
      owned,
      recorded: recordedSeed,
      force: false,
      replaceable: ['dependencies.fastify'],
    });
    expect(result.parts[0]?.status).toBe('updated');
    expect(JSON.parse(result.content).dependencies.fastify).toBe('^5.6.1');
  });

  it('updates a part that holds what an earlier saas-gen wrote, with no record of it', () => {
    // A product of 0.1, its package.json edited elsewhere: no part is recorded as saas-gen's.
    const older = edit((pkg) => {
      pkg.dependencies.fastify = '^4.28.0';
      pkg.dependencies.zod = '^3.23.0';
    });
    const formerly = { 'dependencies.fastify': ['^4.28.0'] };
    const input = { path: 'package.json', seed, owned, recorded: {}, force: false };
    const updated = mergeJson({ ...input, current: older, formerly });
    expect(updated.parts).toEqual([
      expect.objectContaining({ name: 'dependencies.fastify', status: 'updated' }),
    ]);
    expect(JSON.parse(updated.content).dependencies).toEqual({
      fastify: '^5.6.1',
      pg: '^8.23.1',
      zod: '^3.23.0',
    });
    const edited = edit((pkg) => (pkg.dependencies.fastify = '^4.29.1'));
    expect(mergeJson({ ...input, current: edited, formerly }).parts[0]?.status).toBe('conflict');
  });

  it('warns about a hold that names no owned part', () => {
    const result = merge(edit((pkg) => (pkg['saas-gen'] = { hold: ['dependencies.fastfy'] })));
    expect(result.warnings).toEqual([
      expect.stringContaining('`dependencies.fastfy`, which saas-gen does not own'),
    ]);
  });

  it("treats every part of an earlier saas-gen's untouched file as saas-gen's", () => {
    const older = edit((pkg) => (pkg.scripts.test = 'vitest'));
    expect(merge(older, { recorded: {} }).parts[0]?.status).toBe('conflict');
    expect(merge(older, { recorded: 'all' as never }).parts[0]?.status).toBe('updated');
  });

  it('removes a part saas-gen no longer owns when unedited, and leaves an edited one', () => {
    const { pg: _pg, ...dependencies } = owned.dependencies;
    const own = { ...owned, dependencies };
    const dropped = merge(seed, { own });
    expect(dropped.parts).toEqual([
      { name: 'dependencies.pg', status: 'removed', actual: '^8.23.1' },
    ]);
    expect(JSON.parse(dropped.content).dependencies).toEqual({ fastify: '^5.6.1' });

    const mine = edit((pkg) => (pkg.dependencies.pg = '^8.0.0'));
    expect(merge(mine, { own }).content).toBe(mine);
  });

  it('adds missing members of an owned array and keeps the ones the user added', () => {
    const tsconfig = `{
  // the user's comment
  "compilerOptions": { "strict": true, "types": ["vitest/globals"] },
  "include": ["src", "tools"]
}
`;
    const result = mergeJson({
      path: 'tsconfig.json',
      seed: '',
      current: tsconfig,
      owned: { compilerOptions: { strict: true, types: ['node'] }, include: ['src', 'test'] },
      recorded: {},
      force: false,
    });
    expect(result.parts.map((part) => [part.name, part.status])).toEqual([
      ['compilerOptions.types', 'restored'],
      ['include', 'restored'],
    ]);
    expect(result.content).toContain("// the user's comment");
    expect(result.content).toMatch(/"types": \[\s*"vitest\/globals",\s*"node"\s*\]/);
    expect(result.content).toMatch(/"include": \[\s*"src",\s*"tools",\s*"test"\s*\]/);
  });

  it('says where a file that is not JSON is broken, and changes nothing', () => {
    const result = merge('{\n  "name": "shop",\n  oops\n}\n');
    expect(result.error).toMatch(/package\.json is not valid JSON \(line 3, column 3\)/);
    expect(result.content).toBe('{\n  "name": "shop",\n  oops\n}\n');
  });
});

describe('part names', () => {
  it.each([
    [['dependencies', 'fastify'], 'dependencies.fastify'],
    [['devDependencies', '@types/node'], 'devDependencies.@types/node'],
    [['yaml.schemas', './schema.json'], '["yaml.schemas"]["./schema.json"]'],
  ])('%j is %s and back', (path, name) => {
    expect(partName(path)).toBe(name);
    expect(parsePartName(name)).toEqual(path);
  });
});

describe('mergeBlock', () => {
  const body = 'node_modules/\ndata/\n';
  const block = (
    current: string | null,
    recorded: object = { 'managed block': hashValue('node_modules/\ndata') },
    force = false,
  ) =>
    mergeBlock({
      path: '.gitignore',
      seed: managedBlock(body),
      current,
      body,
      recorded: recorded as never,
      force,
    });

  it("keeps the user's lines around the block", () => {
    const mine = `# mine\n.idea/\n${managedBlock(body)}local/\n`;
    expect(block(mine).content).toBe(mine);
  });

  it('puts a missing block back on top and keeps every line of the user', () => {
    const result = block('.idea/\n');
    expect(result.parts[0]?.status).toBe('restored');
    expect(result.content).toBe(`${managedBlock(body)}.idea/\n`);
  });

  it("replaces an earlier saas-gen's untouched whole file with the block", () => {
    expect(block('node_modules/\n', 'all' as never).content).toBe(managedBlock(body));
  });

  it('refuses a block edited by hand unless forced', () => {
    const edited = managedBlock('node_modules/\n');
    expect(block(edited).parts[0]?.status).toBe('conflict');
    expect(block(edited, {}, true).content).toBe(managedBlock(body));
  });

  it("updates a block that holds saas-gen's older lines, keeping the user's", () => {
    const older = `.idea/\n${managedBlock('node_modules/\n')}`;
    const result = block(older, { 'managed block': hashValue('node_modules/') });
    expect(result.parts[0]?.status).toBe('updated');
    expect(result.content).toBe(`.idea/\n${managedBlock(body)}`);
  });
});
