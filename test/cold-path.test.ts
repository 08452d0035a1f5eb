/**
 * What a cold `check` and `new` load: the handler contracts are built as text, so neither needs
 * ts-morph (it bundles the TypeScript compiler, a second of loading); only `generate` adding a
 * new step's method to a team's handlers file does.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { referenceBlueprint, repoRoot, saasGen, tempDir } from './support/cli.js';

const hook = pathToFileURL(join(repoRoot, 'test/support/no-ts-morph.js')).href;
/** An empty cache, and no ts-morph to load. */
const cold = (): Record<string, string> => ({
  TMPDIR: tempDir('saas-gen-cold-'),
  NODE_OPTIONS: `--import=${hook}`,
});

describe('without ts-morph', () => {
  it('the hook refuses it, by import and by require', async () => {
    for (const args of [
      ['--input-type=module', '-e', "await import('ts-morph')"],
      ['-e', "require('ts-morph')"],
    ]) {
      const run = await execa('node', args, { env: cold(), reject: false, all: true });
      expect(run.exitCode, run.all).not.toBe(0);
      expect(run.all).toContain('ts-morph is not available in this test');
    }
  });

  it('new makes a product with its handler contracts, and check judges it, with an empty cache', async () => {
    const dir = join(tempDir(), 'product');
    const created = await saasGen(
      ['new', dir, '--blueprint', referenceBlueprint, '--skip-install'],
      {
        env: cold(),
      },
    );
    expect(created.exitCode, created.stderr).toBe(0);
    expect(existsSync(join(dir, 'src/services/analytics/contract.ts'))).toBe(true);
    const checked = await saasGen(['check', dir], { env: cold() });
    expect(checked.exitCode, checked.stderr).toBe(0);
    const reference = await saasGen(['check', join(repoRoot, 'examples/acme-analytics')], {
      env: cold(),
    });
    expect(reference.exitCode, reference.stderr).toBe(0);
  });
});
