/**
 * Mermaid diagrams of a product, derived only from its model and the canonical state machines
 * (src/blueprint/state-machines.ts), so that they cannot drift from what the product enforces:
 * the tenant machine with the onboarding steps drawn inside `Provisioning`, the machine of each
 * domain workflow with its steps inside `Running`, and the messages each workflow exchanges.
 * Pure; `saas-gen diagram` prints them and the product's docs/diagrams.md embeds them.
 */
import type { Model, Step, Workflow } from '../blueprint/model.js';
import { tenantMachine, workflowMachine } from '../blueprint/state-machines.js';
import type { MachineTable } from '../blueprint/state-machines.js';
import { domainWorkflows, frontMatter, nodeId, onboardingOf } from './mermaid.js';
import type { Diagram } from './mermaid.js';

/** The messages that cause each trigger of the machines (the steps' events are drawn inside). */
export function triggerCauses(model: Model, workflow: Workflow): Record<string, readonly string[]> {
  const names = (events: readonly { readonly name: string }[]) => events.map((e) => e.name);
  return {
    register: [workflow.trigger],
    start: [workflow.trigger],
    stepFailed: ['StepFailed'],
    timeout: ['WorkflowTimeoutElapsed'],
    retry: ['RetryProvisioning'],
    suspend: ['SuspendTenant', ...names(model.lifecycle.suspendOn)],
    reinstate: ['ReinstateTenant', ...names(model.lifecycle.reinstateOn)],
    decommission: ['DecommissionTenant'],
    stepCompensated: ['StepCompensated'],
  };
}

/** `trigger (Message, Message)`: the trigger first, so that the move can be read back. */
const edgeLabel = (on: string, causes: Record<string, readonly string[]>): string => {
  const messages = causes[on] ?? [];
  return messages.length > 0 ? `${on} (${messages.join(', ')})` : on;
};

function machineLines(table: MachineTable, causes: Record<string, readonly string[]>): string[] {
  return [
    `  [*] --> ${table.initial.to}: ${edgeLabel(table.initial.on, causes)}`,
    ...table.transitions.map((t) => `  ${t.from} --> ${t.to}: ${edgeLabel(t.on, causes)}`),
  ];
}

/** A workflow's steps as a composite state: each after the step whose event triggers it. */
function stepLines(workflow: Workflow, parent: string): string[] {
  const { steps } = workflow;
  if (steps.length === 0) return [];
  const id = (step: Step) => nodeId('step', step.id);
  const emitter = (event: string) => steps.find((other) => other.emits === event);
  const roots = steps.filter((step) => !emitter(step.on));
  const leaves = steps.filter((step) => !steps.some((other) => other.on === step.emits));
  const lines = steps.map((step) => `state "${step.id} (${step.service})" as ${id(step)}`);
  if (roots.length > 1) {
    const fork = nodeId(parent, 'fork');
    lines.push(`state ${fork} <<fork>>`, `[*] --> ${fork}: ${workflow.trigger}`);
    lines.push(...roots.map((step) => `${fork} --> ${id(step)}`));
  } else if (roots[0]) {
    lines.push(`[*] --> ${id(roots[0])}: ${roots[0].on}`);
  }
  for (const step of steps) {
    const from = emitter(step.on);
    if (from) lines.push(`${id(from)} --> ${id(step)}: ${step.on}`);
  }
  if (leaves.length > 1) {
    const join = nodeId(parent, 'join');
    lines.push(`state ${join} <<join>>`);
    lines.push(...leaves.map((step) => `${id(step)} --> ${join}: ${step.emits ?? ''}`));
    lines.push(`${join} --> [*]`);
  } else if (leaves[0]) {
    lines.push(`${id(leaves[0])} --> [*]: ${leaves[0].emits ?? ''}`);
  }
  return [`  state ${parent} {`, ...lines.map((line) => `    ${line}`), '  }'];
}

const stateDiagramOf = (
  title: string,
  table: MachineTable,
  causes: Record<string, readonly string[]>,
  inside: string[],
): string =>
  [...frontMatter(title), 'stateDiagram-v2', ...machineLines(table, causes), ...inside, ''].join(
    '\n',
  );

export const tenantDiagramTitle = 'Tenant lifecycle';
export const workflowDiagramTitle = (id: string): string => `Workflow ${id}`;

/** The tenant machine (steps inside Provisioning), then one machine per domain workflow. */
export function stateDiagram(model: Model): Diagram[] {
  const diagrams: Diagram[] = [];
  const onboarding = onboardingOf(model);
  if (onboarding) {
    diagrams.push({
      workflow: onboarding.id,
      title: tenantDiagramTitle,
      mermaid: stateDiagramOf(
        tenantDiagramTitle,
        tenantMachine,
        triggerCauses(model, onboarding),
        stepLines(onboarding, 'Provisioning'),
      ),
    });
  }
  for (const workflow of domainWorkflows(model)) {
    const title = workflowDiagramTitle(workflow.id);
    diagrams.push({
      workflow: workflow.id,
      title,
      mermaid: stateDiagramOf(
        title,
        workflowMachine,
        triggerCauses(model, workflow),
        stepLines(workflow, 'Running'),
      ),
    });
  }
  return diagrams;
}

export { sequenceDiagram } from './sequence-diagram.js';
export type { Diagram } from './mermaid.js';
