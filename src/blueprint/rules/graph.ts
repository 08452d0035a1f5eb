/** Rules about how steps connect: one emitter per event, no cycles, everything reachable. */
import { platformEvents } from '../builtins.js';
import type { Step, Workflow } from '../model.js';
import { allSteps, describeStep, knownMessages } from './context.js';
import type { Rule } from './context.js';

export const duplicateEmitter: Rule = {
  code: 'duplicate-emitter',
  description: 'No two steps or reactions emit the same event, so each event has one meaning.',
  check({ model, report }) {
    const first = new Map<string, Step>();
    for (const step of allSteps(model)) {
      if (!step.emits) continue;
      const earlier = first.get(step.emits);
      if (!earlier) {
        first.set(step.emits, step);
        continue;
      }
      report({
        code: 'duplicate-emitter',
        message: `event \`${step.emits}\` is emitted by ${describeStep(step)} and already by ${describeStep(earlier)}`,
        pointer: `${step.pointer}/emits`,
        hint: 'give each step its own event, e.g. by naming what this step did',
        related: [{ pointer: `${earlier.pointer}/emits`, message: 'first emitted here' }],
      });
    }
  },
};

/** Steps whose triggering event another step of the same workflow emits. */
function edges(workflow: Workflow): Map<Step, Step[]> {
  const consumers = new Map<string, Step[]>();
  for (const step of workflow.steps) {
    consumers.set(step.on, [...(consumers.get(step.on) ?? []), step]);
  }
  return new Map(
    workflow.steps.map((step) => [step, step.emits ? (consumers.get(step.emits) ?? []) : []]),
  );
}

export function findCycles(workflow: Workflow): Step[][] {
  const next = edges(workflow);
  const state = new Map<Step, 'open' | 'done'>();
  const stack: Step[] = [];
  const cycles: Step[][] = [];
  const visit = (step: Step): void => {
    state.set(step, 'open');
    stack.push(step);
    for (const successor of next.get(step) ?? []) {
      if (state.get(successor) === 'open') {
        cycles.push(stack.slice(stack.indexOf(successor)));
      } else if (!state.has(successor)) {
        visit(successor);
      }
    }
    stack.pop();
    state.set(step, 'done');
  };
  for (const step of workflow.steps) if (!state.has(step)) visit(step);
  return cycles;
}

export const stepCycle: Rule = {
  code: 'step-cycle',
  description: 'Steps form no cycle: a workflow whose steps wait for each other never completes.',
  check({ model, report }) {
    for (const workflow of model.workflows) {
      for (const cycle of findCycles(workflow)) {
        const path = [...cycle, cycle[0]!].map((step) => step.id).join(' → ');
        const [head, ...rest] = cycle;
        report({
          code: 'step-cycle',
          message: `steps of workflow \`${workflow.id}\` form a cycle: ${path}`,
          pointer: `${head!.pointer}/on`,
          hint: `break the cycle so that one step starts from \`${workflow.trigger}\` or from an event emitted outside it`,
          related: rest.map((step) => ({
            pointer: `${step.pointer}/on`,
            message: `\`${step.id}\` is part of the cycle`,
          })),
        });
      }
    }
  },
};

/** Events available to a workflow's steps: its trigger, then what its reachable steps emit. */
function reachable(workflow: Workflow): { steps: Set<Step>; events: Set<string> } {
  const events = new Set<string>([workflow.trigger]);
  const steps = new Set<Step>();
  const pending = [...workflow.steps, ...workflow.reactions];
  let grew = true;
  while (grew) {
    grew = false;
    for (const step of pending) {
      if (steps.has(step)) continue;
      const platform = step.kind === 'reaction' && platformEvents.has(step.on);
      if (!events.has(step.on) && !platform) continue;
      steps.add(step);
      if (step.emits) events.add(step.emits);
      grew = true;
    }
  }
  return { steps, events };
}

export const unreachableStep: Rule = {
  code: 'unreachable-step',
  description:
    "Every step waits for the workflow's trigger or for an event that another step of the same workflow emits; reactions may also follow platform events.",
  check({ model, report }) {
    const known = knownMessages(model); // an unknown trigger is reported by `unknown-event`
    for (const workflow of model.workflows) {
      if (!workflow.trigger) continue; // a missing `startedBy` is reported by the schema
      const inCycle = new Set(findCycles(workflow).flat());
      const { steps } = reachable(workflow);
      for (const step of [...workflow.steps, ...workflow.reactions]) {
        if (steps.has(step) || inCycle.has(step) || !known.has(step.on)) continue;
        report({
          code: 'unreachable-step',
          message: `${describeStep(step)} can never start: nothing in workflow \`${workflow.id}\` emits \`${step.on}\` before it`,
          pointer: `${step.pointer}/on`,
          hint: `start it from \`${workflow.trigger}\` or from an event another step of \`${workflow.id}\` emits`,
        });
      }
    }
  },
};
