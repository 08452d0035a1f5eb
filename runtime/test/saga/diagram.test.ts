/**
 * docs/diagrams.md against the code that runs: the state diagrams drawn there must be, edge for
 * edge, the transition tables the sagas enforce, with this blueprint's steps inside.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { WorkflowDefinition } from '../../src/saga/definition.js';
import { onboarding, workflows } from '../../src/saga/definitions.js';
import type { MachineTable } from '../../src/saga/machine.js';
import { tenantMachine } from '../../src/saga/tenant-machine.js';
import { workflowMachine } from '../../src/saga/workflow-machine.js';

const docs = readFileSync(
  fileURLToPath(new URL('../../docs/diagrams.md', import.meta.url)),
  'utf8',
);

/** Each ```mermaid block of the docs, by the title in its front matter. */
const blocks = new Map(
  [...docs.matchAll(/```mermaid\n([\s\S]*?)```/g)].map((match) => {
    const source = match[1] ?? '';
    return [/^title: (.+)$/m.exec(source)?.[1] ?? '', source] as const;
  }),
);

interface Edge {
  readonly from: string;
  readonly to: string;
  readonly label: string;
}

/** The transitions of a state diagram: those outside composite states, and those inside each. */
function parseStateDiagram(source: string) {
  const outer: Edge[] = [];
  const inner = new Map<string, { edges: Edge[]; states: Map<string, string> }>();
  let composite: string | null = null;
  for (const raw of source.split('\n')) {
    const line = raw.trim();
    const opens = /^state (\S+) \{$/.exec(line);
    if (opens?.[1]) {
      composite = opens[1];
      inner.set(composite, { edges: [], states: new Map() });
      continue;
    }
    if (line === '}') {
      composite = null;
      continue;
    }
    const named = /^state "([^"]+)" as (\S+)$/.exec(line);
    if (named?.[1] && named[2] && composite) inner.get(composite)?.states.set(named[2], named[1]);
    const edge = /^(\S+) --> (\S+?)(?::\s*(.*))?$/.exec(line);
    if (!edge?.[1] || !edge[2]) continue;
    const parsed = { from: edge[1], to: edge[2], label: edge[3] ?? '' };
    if (composite) inner.get(composite)?.edges.push(parsed);
    else outer.push(parsed);
  }
  return { outer, inner };
}

/** A machine edge's label is its trigger, then the messages that cause it in parentheses. */
const asMove = (edge: Edge) => `${edge.from} -${edge.label.split(' (')[0]}-> ${edge.to}`;

const tableMoves = (table: MachineTable<string, string>) => [
  `[*] -${table.initial.on}-> ${table.initial.to}`,
  ...table.transitions.map((t) => `${t.from} -${t.on}-> ${t.to}`),
];

/** The steps drawn inside a composite state: `id (service)` by node, and their edges. */
function expectSteps(
  composite: { edges: Edge[]; states: Map<string, string> } | undefined,
  workflow: WorkflowDefinition,
) {
  if (workflow.steps.length === 0) return;
  expect(composite).toBeDefined();
  const states = composite?.states ?? new Map<string, string>();
  expect([...states.values()].sort()).toEqual(
    workflow.steps.map((step) => `${step.id} (${step.service})`).sort(),
  );
  const node = (id: string) => [...states].find(([, label]) => label.startsWith(`${id} (`))?.[0];
  const edges = (composite?.edges ?? []).map((e) => `${e.from} -${e.label}-> ${e.to}`);
  for (const step of workflow.steps) {
    const emitter = workflow.steps.find((other) => other.emits === step.on);
    if (emitter) expect(edges).toContain(`${node(emitter.id)} -${step.on}-> ${node(step.id)}`);
  }
}

describe('docs/diagrams.md', () => {
  it('draws the tenant state machine exactly as the runtime transition table', () => {
    const source = blocks.get('Tenant lifecycle');
    expect(source).toBeDefined();
    const { outer } = parseStateDiagram(source ?? '');
    expect(outer.map(asMove).sort()).toEqual(tableMoves(tenantMachine).sort());
  });

  it("draws this blueprint's onboarding steps inside Provisioning", () => {
    const { inner } = parseStateDiagram(blocks.get('Tenant lifecycle') ?? '');
    expectSteps(inner.get('Provisioning'), onboarding.workflow);
  });

  const domain = Object.values(workflows as Record<string, WorkflowDefinition>).filter(
    (workflow) => workflow.kind === 'domain',
  );
  it.each(domain.map((workflow) => [workflow.id, workflow] as const))(
    'draws workflow %s as the workflow transition table, with its steps inside Running',
    (id, workflow) => {
      const source = blocks.get(`Workflow ${id}`);
      expect(source).toBeDefined();
      const { outer, inner } = parseStateDiagram(source ?? '');
      expect(outer.map(asMove).sort()).toEqual(tableMoves(workflowMachine).sort());
      expectSteps(inner.get('Running'), workflow);
    },
  );

  it('draws the messages of every workflow', () => {
    expect(blocks.has('Onboarding messages')).toBe(true);
    for (const workflow of domain)
      expect(blocks.has(`Workflow ${workflow.id} messages`)).toBe(true);
  });
});
