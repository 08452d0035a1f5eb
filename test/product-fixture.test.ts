/**
 * The repository checks the product's vendored files (tsconfig.product.json, the `product` test
 * project) with the dependencies a generated product installs: same packages, same ranges.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, saasGen, tempDir } from './support/cli.js';

type Manifest = Record<'dependencies' | 'devDependencies', Record<string, string>>;

describe('the repository’s view of the product', () => {
  it('has every dependency of a generated product, at the product’s range', async () => {
    const dir = join(tempDir(), 'product');
    const fixture = join(repoRoot, 'test/fixtures/catalog/blueprint.yaml');
    const created = await saasGen(['new', dir, '--blueprint', fixture, '--skip-install']);
    expect(created.exitCode, created.stderr).toBe(0);
    const product = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest;
    const repo = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as Manifest;
    const ours = { ...repo.dependencies, ...repo.devDependencies };
    const needed = { ...product.dependencies, ...product.devDependencies };
    // The product's pin of the generator itself is the one thing the repository cannot have.
    delete needed['saas-gen'];
    const mismatched = Object.entries(needed)
      .filter(([name, range]) => ours[name] !== range)
      .map(([name, range]) => `${name}: product ${range}, repository ${ours[name] ?? 'missing'}`);
    expect(mismatched).toEqual([]);
  });
});
