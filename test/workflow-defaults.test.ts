/**
 * A product's `definitions.ts` states only what differs from the defaults, and its
 * `saga/definition.ts` fills in the rest: the generator leaves out what equals the blueprint's
 * defaults, so the product's must be the same, and every workflow must come back whole.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { builtinServices, defaults, onboardingTrigger } from '../src/blueprint/builtins.js';
import { checkBlueprint } from '../src/blueprint/check.js';
import { parseDuration } from '../src/blueprint/duration.js';
import { defaultRetry } from '../src/blueprint/normalize.js';
import { buildView } from '../src/generators/view-model.js';
import * as product from '../runtime/src/saga/definition.js';
import type { WorkflowSpec } from '../runtime/src/saga/definition.js';
import { exampleBlueprint } from './support/cli.js';

describe("the product's workflow defaults", () => {
  it("are the blueprint's", () => {
    expect(product.defaultRetry).toEqual(defaultRetry);
    expect(product.defaultTimeoutMs).toEqual({
      onboarding: parseDuration(defaults.onboardingTimeout),
      domain: parseDuration(defaults.workflowTimeout),
    });
    expect([...product.builtinServices].sort()).toEqual(Object.keys(builtinServices).sort());
    expect(product.onboardingTrigger).toBe(onboardingTrigger);
  });

  it.each(['acme-analytics', 'clinic-scheduling', 'field-ops'])(
    'give back every workflow of %s whole from what definitions.ts states',
    (name) => {
      const path = exampleBlueprint(name);
      const { model, diagnostics } = checkBlueprint(path, readFileSync(path, 'utf8'));
      if (!model) throw new Error(`${path}: ${JSON.stringify(diagnostics)}`);
      for (const workflow of buildView(model, '0.0.0').workflows) {
        // The spec is a TypeScript literal of plain data, which is JavaScript too.
        // eslint-disable-next-line @typescript-eslint/no-implied-eval -- evaluating it is the point
        const spec = new Function(`return (${workflow.spec});`)() as WorkflowSpec;
        expect(product.defineWorkflow(spec)).toEqual(workflow.definition);
      }
    },
  );
});
