/** Stage 4: the semantic rules, in the order their diagnostics read best. */
import type { Diagnostic } from '../diagnostics.js';
import type { Model } from '../model.js';
import type { Rule } from './context.js';
import { duplicateEmitter, stepCycle, unreachableStep } from './graph.js';
import {
  missingLimit,
  unknownEdition,
  unknownEvent,
  unknownFeature,
  unusedDeclaration,
} from './references.js';
import {
  builtinServiceContract,
  commandConflict,
  duplicateStepId,
  duplicateWorkflowId,
  ownerNeverActivated,
  reservedEvent,
  unknownService,
} from './services.js';
import { invalidRegex, lifecycleConflict } from './tenancy.js';
import { durationRange, retryExceedsTimeout } from './timing.js';

export type { Rule, RuleContext } from './context.js';

export const rules: readonly Rule[] = [
  unknownEdition,
  unknownFeature,
  missingLimit,
  invalidRegex,
  unknownEvent,
  unknownService,
  builtinServiceContract,
  reservedEvent,
  commandConflict,
  duplicateEmitter,
  duplicateStepId,
  duplicateWorkflowId,
  ownerNeverActivated,
  stepCycle,
  unreachableStep,
  durationRange,
  retryExceedsTimeout,
  lifecycleConflict,
  unusedDeclaration,
];

export function runRules(model: Model, data: unknown): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  for (const rule of rules) {
    rule.check({
      model,
      data,
      report: (diagnostic) => diagnostics.push({ severity: 'error', ...diagnostic }),
    });
  }
  return diagnostics;
}
