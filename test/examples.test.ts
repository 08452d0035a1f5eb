import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, saasGen } from './support/cli.js';

const examples = readdirSync(join(repoRoot, 'examples'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name);

// The committed products are the generator's golden output: a template change must show up as
// a reviewed diff of generated code, so each example must be exactly what the generator emits.
describe.each(examples)('examples/%s', (example) => {
  it('is in sync with its blueprint (saas-gen check)', async () => {
    const result = await saasGen(['check', join('examples', example)]);
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
  });
});
