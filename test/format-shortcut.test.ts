/**
 * A `check` or `generate` of an unchanged product takes the formatted files from the product
 * itself (the manifest records the key each was formatted from), so it needs no formatter even
 * with an empty cache, as in a fresh CI container; a changed or hand-edited file is still
 * formatted and judged. And the JSON the generator lays out without Prettier is Prettier's layout.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as prettier from 'prettier';
import { describe, expect, it } from 'vitest';
import { formatStringifiedJson, prettierOptions } from '../src/generators/format.js';
import { referenceBlueprint, repoRoot, saasGen, snapshot, tempDir } from './support/cli.js';

const noPrettier = `--import=${pathToFileURL(join(repoRoot, 'test/support/no-prettier.js')).href}`;
/** An empty cache and, with `blocked`, no Prettier. */
const cold = (blocked: boolean): Record<string, string> => ({
  TMPDIR: tempDir('saas-gen-cold-'),
  ...(blocked ? { NODE_OPTIONS: noPrettier } : {}),
});

async function newProduct(): Promise<string> {
  const dir = join(tempDir(), 'product');
  const result = await saasGen(['new', dir, '--blueprint', referenceBlueprint, '--skip-install'], {
    env: cold(false),
  });
  expect(result.exitCode, result.stderr).toBe(0);
  return dir;
}

describe('an unchanged product answers for its own formatting', () => {
  it('is checked and regenerated with an empty cache and without Prettier; `new` cannot be', async () => {
    const dir = await newProduct();
    const manifest = JSON.parse(readFileSync(join(dir, '.saas-gen/manifest.json'), 'utf8'));
    expect(Object.keys(manifest.inputs)).toEqual(
      expect.arrayContaining(['docs/reference.md', 'src/services/analytics/contract.ts']),
    );

    const checked = await saasGen(['check', dir], { env: cold(true) });
    expect(checked.stderr).toBe('');
    expect(checked.exitCode).toBe(0);
    const before = snapshot(dir);
    const generated = await saasGen(['generate', dir], { env: cold(true) });
    expect(generated.exitCode, generated.stderr).toBe(0);
    expect(generated.stdout).toContain('Up to date');
    expect(snapshot(dir)).toEqual(before);

    // Without the shortcut a run needs Prettier, and the hook makes sure it has none.
    const created = await saasGen(
      ['new', join(tempDir(), 'product'), '--blueprint', referenceBlueprint, '--skip-install'],
      { env: cold(true) },
    );
    expect(created.exitCode).not.toBe(0);
    expect(created.stderr).toContain('prettier is not available in this test');
  });

  it('still formats and reports a hand-edited file, with its diff', async () => {
    const dir = await newProduct();
    const path = join(dir, 'docs/reference.md');
    const text = readFileSync(path, 'utf8');
    writeFileSync(path, `${text}\nA note by hand.\n`);
    const checked = await saasGen(['check', dir], { env: cold(false) });
    expect(checked.exitCode).toBe(1);
    expect(checked.stdout).toContain('docs/reference.md: differs from what saas-gen generates');
    expect(checked.stdout).toMatch(/^-A note by hand\.$/m);
    // Only that file: the rest still come from the disk.
    expect(checked.stdout.match(/differs from what saas-gen generates/g)).toHaveLength(1);
  });

  it('formats again a file whose input changed, even when the disk still holds the old output', async () => {
    const dir = await newProduct();
    const manifestFile = join(dir, '.saas-gen/manifest.json');
    const manifest = JSON.parse(readFileSync(manifestFile, 'utf8'));
    // As if an earlier saas-gen had formatted docs/reference.md from another text.
    manifest.inputs['docs/reference.md'] = '0'.repeat(64);
    writeFileSync(manifestFile, `${JSON.stringify(manifest, null, 2)}\n`);
    const blocked = await saasGen(['check', dir], { env: cold(true) });
    expect(blocked.exitCode).not.toBe(0);
    const checked = await saasGen(['check', dir], { env: cold(false) });
    expect(checked.exitCode, checked.stdout).toBe(0);
  });
});

describe('JSON laid out without Prettier', () => {
  it('is what Prettier prints, or is left to Prettier', async () => {
    let seed = 7;
    const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const word = () => 'abcdefghij klmnopqrstuvwxyz'.slice(0, Math.floor(random() * 27));
    const value = (depth: number): unknown => {
      const kind = random();
      if (depth > 4 || kind < 0.3) {
        const scalar = random();
        if (scalar < 0.4) return word().repeat(Math.floor(random() * 4));
        if (scalar < 0.7) return Math.floor(random() * 1000) - 100;
        return scalar < 0.8 ? random() : scalar < 0.9 ? null : random() < 0.5;
      }
      if (kind < 0.65)
        return Array.from({ length: Math.floor(random() * 6) }, () => value(depth + 1));
      return Object.fromEntries(
        Array.from({ length: Math.floor(random() * 5) }, () => [word() || 'k', value(depth + 1)]),
      );
    };
    const texts = Array.from({ length: 400 }, () => `${JSON.stringify(value(0), null, 2)}\n`);
    const product = snapshot(await newProduct());
    texts.push(
      ...Object.entries(product).flatMap(([path, text]) => (path.endsWith('.json') ? [text] : [])),
    );
    let laidOut = 0;
    for (const text of texts) {
      const ours = formatStringifiedJson(text);
      if (ours === undefined) continue;
      laidOut += 1;
      expect(ours).toBe(await prettier.format(text, { ...prettierOptions, parser: 'json' }));
    }
    expect(laidOut).toBeGreaterThan(300);
    // Numbers too many for one line are filled by Prettier: left to it.
    expect(
      formatStringifiedJson(
        `${JSON.stringify({ n: Array.from({ length: 40 }, (_, i) => i) }, null, 2)}\n`,
      ),
    ).toBeUndefined();
    expect(formatStringifiedJson('{"a": 1}\n')).toBeUndefined();
  });
});
