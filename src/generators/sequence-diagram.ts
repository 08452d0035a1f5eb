/**
 * The messages a workflow exchanges, as a Mermaid sequence diagram: the API starts it, Tenant
 * Management (the saga) follows it through the bus, each service answers its step in the order
 * the triggers happen, reactions follow their events, every move is audited, and a failure is
 * compensated latest first. Derived only from the model.
 */
import { formatDuration } from '../blueprint/duration.js';
import type { Model, Step, Workflow } from '../blueprint/model.js';
import { domainWorkflows, frontMatter, nodeId, onboardingOf } from './mermaid.js';
import type { Diagram } from './mermaid.js';

/** Steps in the order their triggers happen: those on the trigger, then those on their events… */
export function triggerLayers(workflow: Workflow): Step[][] {
  const layers: Step[][] = [];
  const placed = new Set<Step>();
  let events = new Set([workflow.trigger]);
  for (;;) {
    const layer = workflow.steps.filter((step) => !placed.has(step) && events.has(step.on));
    if (layer.length === 0) return layers;
    layers.push(layer);
    for (const step of layer) placed.add(step);
    events = new Set(layer.flatMap((step) => (step.emits ? [step.emits] : [])));
  }
}

interface Cast {
  readonly participant: (service: string) => string;
  readonly lines: string[];
}

/** One step or reaction: the bus delivers its trigger, the service answers with its event. */
function stepExchange(step: Step, cast: Cast, saga: boolean, indent: string): string[] {
  const service = cast.participant(step.service);
  const lines = [`${indent}Bus->>${service}: ${step.on}`];
  if (step.emits) {
    lines.push(`${indent}${service}->>Bus: ${step.emits}`);
    if (saga)
      lines.push(
        `${indent}Bus->>TM: ${step.emits}`,
        `${indent}TM-)Audit: step ${step.id} succeeded`,
      );
  }
  return lines;
}

/** A layer of steps: several triggered by the same events run in parallel. */
function exchanges(steps: readonly Step[], cast: Cast): string[] {
  if (steps.length === 1 && steps[0]) return stepExchange(steps[0], cast, true, '  ');
  return [
    ...steps.flatMap((step, index) => [
      `  ${index === 0 ? 'par' : 'and'} step ${step.id}`,
      ...stepExchange(step, cast, true, '    '),
    ]),
    '  end',
  ];
}

/** Reactions follow the events they react to; nobody waits for them. */
function reactionsOn(workflow: Workflow, events: readonly string[], cast: Cast): string[] {
  return workflow.reactions
    .filter((reaction) => events.includes(reaction.on))
    .flatMap((reaction) => [
      `  Note over Bus,${cast.participant(reaction.service)}: reaction ${reaction.id}, not awaited`,
      ...stepExchange(reaction, cast, false, '  '),
    ]);
}

function castOf(workflow: Workflow): Cast {
  const services = [...new Set([...workflow.steps, ...workflow.reactions].map((s) => s.service))];
  return {
    participant: (service) => nodeId('svc', service),
    lines: services.map((service) => `  participant ${nodeId('svc', service)} as ${service}`),
  };
}

/** How a workflow starts, from the API's point of view. */
function opening(workflow: Workflow): string[] {
  const onboarding = workflow.kind === 'onboarding';
  const request = onboarding ? 'POST /tenants' : `POST /tenants/{id}/workflows/${workflow.id}`;
  const answer = onboarding ? '202 {tenantId, correlationId, state}' : '202 {workflowId}';
  const started = onboarding ? 'Registered → Provisioning' : 'Running';
  return [
    `  Client->>API: ${request}`,
    `  API->>Bus: ${workflow.trigger}`,
    `  API-->>Client: ${answer}`,
    `  Bus->>TM: ${workflow.trigger}`,
    `  TM-)Audit: ${started}`,
    '  Note over TM,Audit: every move is audited and announced with AuditEntryRecorded',
    `  Note over TM: timeout in ${formatDuration(workflow.timeoutMs)}`,
  ];
}

/** A failure: the saga says so and undoes the compensatable steps, latest first, one at a time. */
function failure(workflow: Workflow, cast: Cast): string[] {
  const onboarding = workflow.kind === 'onboarding';
  const undo = triggerLayers(workflow)
    .flat()
    .reverse()
    .filter((step) => step.compensate);
  return [
    `  opt a step fails (StepFailed) or the timeout fires (WorkflowTimeoutElapsed)`,
    onboarding
      ? '    TM->>Bus: TenantProvisioningFailed or TenantProvisioningTimedOut'
      : '    TM-)Audit: Running → Compensating',
    ...(onboarding ? ['    TM-)Audit: Provisioning → ProvisioningFailed'] : []),
    ...undo.flatMap((step) => [
      `    TM->>Bus: ${step.compensate ?? ''}`,
      `    Bus->>${cast.participant(step.service)}: ${step.compensate ?? ''}`,
      `    ${cast.participant(step.service)}->>Bus: StepCompensated`,
      `    Bus->>TM: StepCompensated (${step.id})`,
    ]),
    ...(onboarding ? [] : ['    TM->>Bus: WorkflowFailed', '    TM-)Audit: Compensating → Failed']),
    '  end',
  ];
}

function sequenceOf(workflow: Workflow, title: string): string {
  const cast = castOf(workflow);
  const onboarding = workflow.kind === 'onboarding';
  const finished = onboarding ? 'TenantProvisioned' : 'WorkflowCompleted';
  const body = triggerLayers(workflow).flatMap((layer) => [
    ...exchanges(layer, cast),
    ...reactionsOn(
      workflow,
      layer.flatMap((step) => (step.emits ? [step.emits] : [])),
      cast,
    ),
  ]);
  const emitted = new Set([
    workflow.trigger,
    ...workflow.steps.flatMap((step) => (step.emits ? [step.emits] : [])),
  ]);
  const afterwards = workflow.reactions
    .filter((reaction) => !emitted.has(reaction.on))
    .map((reaction) => reaction.on);
  return [
    ...frontMatter(title),
    'sequenceDiagram',
    '  actor Client',
    '  participant API',
    '  participant TM as Tenant Management',
    '  participant Bus',
    ...cast.lines,
    '  participant Audit as Audit Trail',
    ...opening(workflow),
    ...reactionsOn(workflow, [workflow.trigger], cast),
    ...body,
    `  TM->>Bus: ${finished}`,
    `  TM-)Audit: ${onboarding ? 'Provisioning → Active' : 'Running → Completed'}`,
    ...reactionsOn(workflow, [...new Set(afterwards)], cast),
    ...failure(workflow, cast),
    '',
  ].join('\n');
}

export const sequenceDiagramTitle = (workflow: Workflow): string =>
  workflow.kind === 'onboarding' ? 'Onboarding messages' : `Workflow ${workflow.id} messages`;

/** The messages of onboarding, then of each domain workflow, step by step in trigger order. */
export function sequenceDiagram(model: Model): Diagram[] {
  const onboarding = onboardingOf(model);
  return [...(onboarding ? [onboarding] : []), ...domainWorkflows(model)].map((workflow) => {
    const title = sequenceDiagramTitle(workflow);
    return { workflow: workflow.id, title, mermaid: sequenceOf(workflow, title) };
  });
}
