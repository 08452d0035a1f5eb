/**
 * The synthetic blueprint `npm run bench` measures (scripts/synthetic-blueprint.ts) must stay a
 * blueprint the generator accepts, of the size it claims; otherwise the bench would time an
 * early refusal. Speed itself is measured by the bench, never here.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { largeShape, syntheticBlueprint } from '../scripts/synthetic-blueprint.js';
import type { SyntheticShape } from '../scripts/synthetic-blueprint.js';
import { checkBlueprint } from '../src/blueprint/check.js';
import { saasGen, tempDir } from './support/cli.js';

const shapeOf = (shape: SyntheticShape) => {
  const { model, diagnostics } = checkBlueprint('synthetic.yaml', syntheticBlueprint(shape).text);
  return {
    diagnostics: diagnostics.map((d) => `${d.code}: ${d.message}`),
    workflows: model?.workflows.length,
    steps: model?.workflows.reduce((sum, workflow) => sum + workflow.steps.length, 0),
    services: new Set(model?.workflows.flatMap((w) => w.steps.map((s) => s.service))).size,
  };
};

const dir = tempDir('saas-gen-bench-blueprint-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the synthetic bench blueprint', () => {
  it('is accepted by `saas-gen validate` without a warning', async () => {
    const path = join(dir, 'blueprint.yaml');
    writeFileSync(path, syntheticBlueprint(largeShape).text);
    const result = await saasGen(['validate', path]);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe(`✓ ${path}: valid\n`);
    expect(result.exitCode).toBe(0);
  });

  it.each([
    // The bench's shape: the 3 built-in onboarding steps and 10 domain services.
    [largeShape, 3 + largeShape.services],
    [{ workflows: 1, steps: 3, services: 1 }, 3],
    [{ workflows: 3, steps: 20, services: 2 }, 3 + 2],
  ])('has the workflows and steps it is asked for: %o', (shape, services) => {
    expect(shapeOf(shape)).toEqual({
      diagnostics: [],
      workflows: shape.workflows,
      steps: shape.steps,
      services,
    });
  });

  it('is the same text every time, so that runs of the bench compare', () => {
    expect(syntheticBlueprint(largeShape).text).toBe(syntheticBlueprint(largeShape).text);
  });

  it('refuses a shape it cannot build', () => {
    expect(() => syntheticBlueprint({ workflows: 10, steps: 20, services: 2 })).toThrow(/steps/);
    expect(() => syntheticBlueprint({ workflows: 2, steps: 10, services: 0 })).toThrow(/services/);
  });
});
