/**
 * `saas-gen diagram` and the diagrams behind it: drawn from the model and the canonical state
 * machines only, stable from run to run, and the same Mermaid the product's docs embed.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkBlueprint } from '../src/blueprint/check.js';
import type { Model } from '../src/blueprint/model.js';
import { tenantMachine, workflowMachine } from '../src/blueprint/state-machines.js';
import type { MachineTable } from '../src/blueprint/state-machines.js';
import { sequenceDiagram, stateDiagram } from '../src/generators/diagrams.js';
import { triggerLayers } from '../src/generators/sequence-diagram.js';
import { blueprint } from './support/base-blueprint.js';
import { exampleBlueprint, saasGen } from './support/cli.js';
import { yaml } from './support/marked-yaml.js';

const scratch = mkdtempSync(join(tmpdir(), 'saas-gen-diagram-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const examples = ['acme-analytics', 'clinic-scheduling'].map(
  (name) => [name, exampleBlueprint(name)] as const,
);

function modelOf(path: string, text = readFileSync(path, 'utf8')): Model {
  const { model, diagnostics } = checkBlueprint(path, text);
  if (!model) throw new Error(`${path}: ${JSON.stringify(diagnostics)}`);
  return model;
}

/** The top-level transitions of a state diagram, as `from -trigger-> to`. */
function moves(mermaid: string): string[] {
  const moves: string[] = [];
  let depth = 0;
  for (const line of mermaid.split('\n').map((l) => l.trim())) {
    if (line.endsWith('{')) depth++;
    else if (line === '}') depth--;
    const edge = /^(\S+) --> (\S+?): (\S+)/.exec(line);
    if (depth === 0 && edge) moves.push(`${edge[1]} -${edge[3]}-> ${edge[2]}`);
  }
  return moves.sort();
}

const table = (machine: MachineTable) =>
  [
    `[*] -${machine.initial.on}-> ${machine.initial.to}`,
    ...machine.transitions.map((t) => `${t.from} -${t.on}-> ${t.to}`),
  ].sort();

describe.each(examples)('saas-gen diagram on examples/%s', (_name, file) => {
  it('prints the state diagrams by default, the same on every run', async () => {
    const first = await saasGen(['diagram', file]);
    expect(first.exitCode, first.stderr).toBe(0);
    expect(first.stderr).toBe('');
    const second = await saasGen(['diagram', file, '--kind', 'state']);
    expect(second.stdout).toBe(first.stdout);
    expect(first.stdout).toBe(
      stateDiagram(modelOf(file))
        .map((d) => d.mermaid)
        .join('\n'),
    );
    expect(first.stdout.startsWith('---\ntitle: Tenant lifecycle\n---\nstateDiagram-v2\n')).toBe(
      true,
    );
  });

  it('prints the sequence diagrams with --kind sequence, the same on every run', async () => {
    const first = await saasGen(['diagram', file, '--kind', 'sequence']);
    const second = await saasGen(['diagram', file, '--kind', 'sequence']);
    expect(first.exitCode, first.stderr).toBe(0);
    expect(second.stdout).toBe(first.stdout);
    const model = modelOf(file);
    expect(first.stdout.match(/^sequenceDiagram$/gm)).toHaveLength(model.workflows.length);
    for (const step of model.workflows.flatMap((w) => w.steps)) {
      expect(first.stdout).toContain(`: ${step.on}\n`);
      if (step.compensate) expect(first.stdout).toContain(`TM->>Bus: ${step.compensate}\n`);
    }
  });

  it('draws the tenant machine and each domain workflow machine edge for edge', () => {
    const model = modelOf(file);
    const [tenant, ...domain] = stateDiagram(model);
    expect(moves(tenant?.mermaid ?? '')).toEqual(table(tenantMachine));
    expect(domain.map((d) => d.workflow)).toEqual(
      model.workflows.filter((w) => w.kind === 'domain').map((w) => w.id),
    );
    for (const diagram of domain) expect(moves(diagram.mermaid)).toEqual(table(workflowMachine));
  });

  it('prints only the diagram of --workflow', async () => {
    const model = modelOf(file);
    const domain = model.workflows.find((w) => w.kind === 'domain');
    if (!domain) return;
    const result = await saasGen(['diagram', file, '--workflow', domain.id]);
    expect(result.stdout).toBe(stateDiagram(model).find((d) => d.workflow === domain.id)?.mermaid);
  });
});

describe('the diagrams of a product', () => {
  it('are embedded in docs/diagrams.md, exactly as `saas-gen diagram` prints them', async () => {
    const [, file] = examples[0]!;
    const dir = join(scratch, 'product');
    const created = await saasGen(['new', dir, '--blueprint', file, '--skip-install']);
    expect(created.exitCode, created.stderr).toBe(0);
    const docs = readFileSync(join(dir, 'docs', 'diagrams.md'), 'utf8');
    const model = modelOf(file);
    for (const diagram of [...stateDiagram(model), ...sequenceDiagram(model)])
      expect(docs).toContain(`\`\`\`mermaid\n${diagram.mermaid}\`\`\``);
  });
});

describe('stateDiagram', () => {
  it('draws parallel steps between a fork and a join, and a chain without them', () => {
    const [tenant] = stateDiagram(modelOf('base.yaml', blueprint()));
    const mermaid = tenant?.mermaid ?? '';
    expect(mermaid).toContain('state Provisioning_fork <<fork>>');
    expect(mermaid).toContain('Provisioning_fork --> step_subscription');
    expect(mermaid).toContain('Provisioning_fork --> step_owner');
    expect(mermaid).toContain('step_subscription --> step_notebook: SubscriptionActivated');
    expect(mermaid).toContain('step_owner --> Provisioning_join: UserInvited');
    expect(mermaid).toContain('step_notebook --> Provisioning_join: NotebookCreated');
    expect(stateDiagram(modelOf('base.yaml', blueprint()))).toHaveLength(1);

    const chain = blueprint({
      workflows: yaml`
        workflows:
          onboarding:
            steps:
              subscription: { service: billing, on: TenantRegistered, emits: SubscriptionActivated }
              set-up: { service: configuration, on: SubscriptionActivated, emits: EntitlementsApplied }
      `,
    });
    const single = stateDiagram(modelOf('chain.yaml', chain))[0]?.mermaid ?? '';
    expect(single).not.toContain('<<fork>>');
    expect(single).not.toContain('<<join>>');
    expect(single).toContain('[*] --> step_subscription: TenantRegistered');
    expect(single).toContain('state "set-up (configuration)" as step_set_up');
    expect(single).toContain('step_set_up --> [*]: EntitlementsApplied');
  });

  it("names the blueprint's lifecycle events on the suspend and reinstate edges", () => {
    const [tenant] = stateDiagram(modelOf('base.yaml', blueprint()));
    expect(tenant?.mermaid).toContain(
      'Active --> Suspended: suspend (SuspendTenant, PaymentPastDue)',
    );
    const none = stateDiagram(modelOf('none.yaml', blueprint({ lifecycle: '' })))[0];
    expect(none?.mermaid).toContain('Active --> Suspended: suspend (SuspendTenant)\n');
  });
});

describe('triggerLayers', () => {
  it('orders steps by when their trigger happens', () => {
    const onboarding = modelOf(examples[0]![1]).workflows[0]!;
    expect(triggerLayers(onboarding).map((layer) => layer.map((s) => s.id))).toEqual([
      ['subscription', 'owner'],
      ['configuration'],
      ['workspace'],
    ]);
  });
});

describe('saas-gen diagram, refusing', () => {
  it('prints the diagnostics of an invalid blueprint on stderr and exits 1', async () => {
    const file = join(scratch, 'broken.yaml');
    writeFileSync(file, blueprint({ lifecycle: 'lifecycle:\n  suspendOn: [PaymentPastDew]\n' }));
    const result = await saasGen(['diagram', file]);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/broken\.yaml:\d+:\d+: error /);
    expect(result.stderr).toContain('no diagram was drawn');
  });

  it('exits 2 for an unknown --kind and 1 for an unknown --workflow', async () => {
    const [, file] = examples[0]!;
    expect((await saasGen(['diagram', file, '--kind', 'class'])).exitCode).toBe(2);
    const unknown = await saasGen(['diagram', file, '--workflow', 'nope']);
    expect(unknown.exitCode).toBe(1);
    expect(unknown.stderr).toContain('has no workflow `nope`');
  });
});
