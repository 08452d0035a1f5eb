import { builtinEvents, builtinServices, internalMessages } from '../builtins.js';
import type { Diagnostic } from '../diagnostics.js';
import type { Model, Step } from '../model.js';

export interface RuleContext {
  readonly model: Model;
  /** The parsed blueprint as written, for rules that must tell a default from a written value. */
  readonly data: unknown;
  // A function property, not a method: rules take it out of the context by destructuring.
  readonly report: (
    diagnostic: Omit<Diagnostic, 'severity'> & { severity?: Diagnostic['severity'] },
  ) => void;
}

/** A semantic check: one concern, one stable code. */
export interface Rule {
  readonly code: string;
  readonly description: string;
  check(ctx: RuleContext): void;
}

export const allSteps = (model: Model): Step[] =>
  model.workflows.flatMap((workflow) => [...workflow.steps, ...workflow.reactions]);

export const describeStep = (step: Step): string =>
  `${step.kind} \`${step.id}\` of workflow \`${step.workflowId}\``;

/** Every message name the blueprint can refer to: built-ins, declared, emitted and commands. */
export function knownMessages(model: Model): Set<string> {
  // Internal names are known so that `reserved-event` alone reports their use.
  const known = new Set<string>([...builtinEvents, ...internalMessages]);
  for (const service of Object.values(builtinServices)) {
    if ('compensate' in service) known.add(service.compensate);
  }
  for (const message of model.messages) known.add(message.name);
  for (const workflow of model.workflows) {
    if (workflow.trigger) known.add(workflow.trigger);
  }
  for (const step of allSteps(model)) {
    if (step.emits) known.add(step.emits);
    if (step.compensate) known.add(step.compensate);
  }
  return known;
}
