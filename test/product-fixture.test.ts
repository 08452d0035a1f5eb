/**
 * The repository tests the fixture product (the `product` test project) and the runtime with the
 * dependencies a generated product installs: same packages, same ranges, and the runtime at the
 * generator's own version, as the product pins it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, saasGen, tempDir } from './support/cli.js';

type Manifest = { version: string } & Record<
  'dependencies' | 'devDependencies',
  Record<string, string>
>;

const manifest = (path: string) =>
  JSON.parse(readFileSync(join(repoRoot, path), 'utf8')) as Manifest;

describe('the repository’s view of the product', () => {
  it('has every dependency of a generated product, at the product’s range', async () => {
    const dir = join(tempDir(), 'product');
    const fixture = join(repoRoot, 'test/fixtures/catalog/blueprint.yaml');
    const created = await saasGen(['new', dir, '--blueprint', fixture, '--skip-install']);
    expect(created.exitCode, created.stderr).toBe(0);
    const product = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest;
    const repo = manifest('package.json');
    const ours = { ...repo.dependencies, ...repo.devDependencies };
    const needed = { ...product.dependencies, ...product.devDependencies };
    // The product pins the generator and its runtime at this version: the workspace's own.
    expect(needed['saas-gen']).toBe(repo.version);
    expect(needed['@saas-gen/runtime']).toBe(manifest('runtime/package.json').version);
    delete needed['saas-gen'];
    delete needed['@saas-gen/runtime'];
    const mismatched = Object.entries(needed)
      .filter(([name, range]) => ours[name] !== range)
      .map(([name, range]) => `${name}: product ${range}, repository ${ours[name] ?? 'missing'}`);
    expect(mismatched).toEqual([]);
  });

  it('publishes the runtime at the generator’s version', () => {
    expect(manifest('runtime/package.json').version).toBe(manifest('package.json').version);
  });
});
