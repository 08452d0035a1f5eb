/**
 * `GET /catalog` (public): what the product sells and how its onboarding runs, from the
 * blueprint, so that pages show the editions, check a slug and draw the onboarding from the
 * same definitions the API and the sagas use. Built once: it changes only with the blueprint.
 */
import type { FastifyInstance } from 'fastify';
import type { Catalog, Edition, ProductDefinition } from '../product-definition.js';
import type { StepDefinition, WorkflowDefinition } from '../saga/definition.js';
import type { MachineTable } from '../saga/machine.js';
import { tenantMachine } from '../saga/tenant-machine.js';
import { workflowMachine } from '../saga/workflow-machine.js';
import { catalog as catalogSchema } from './schemas.js';

const stepView = (step: StepDefinition) => ({
  id: step.id,
  service: step.service,
  on: step.on,
  emits: step.emits,
  compensate: step.compensate,
});

const machineView = <State extends string, Trigger extends string>(
  machine: MachineTable<State, Trigger>,
) => ({
  states: [...machine.states],
  initial: machine.initial.to,
  transitions: machine.transitions.map(({ from, to, on }) => ({ from, to, on })),
});

const editionView = (catalog: Catalog, edition: Edition) => ({
  id: edition.id,
  title: edition.title,
  trialDays: edition.trialDays,
  price: { ...edition.price },
  features: edition.features.map((id) => ({ id, title: catalog.features[id]?.title ?? id })),
  limits: { ...edition.limits },
});

/** The answer of `GET /catalog`. */
export function catalogView(product: Pick<ProductDefinition, 'catalog' | 'workflows'>) {
  const { catalog } = product;
  const all: readonly WorkflowDefinition[] = Object.values(product.workflows);
  const onboarding = all.find((workflow) => workflow.kind === 'onboarding');
  if (!onboarding) throw new Error('the product has no onboarding workflow');
  return {
    product: { name: catalog.product.name, title: catalog.product.title },
    slugPattern: catalog.slugPattern.source,
    defaultEdition: catalog.defaultEdition,
    // Object keys keep the blueprint's order (edition ids are names, never array indices).
    editions: Object.values(catalog.editions).map((edition) => editionView(catalog, edition)),
    onboarding: {
      id: onboarding.id,
      steps: onboarding.steps.map(stepView),
      timeoutMs: onboarding.timeoutMs,
    },
    tenantMachine: machineView(tenantMachine),
    workflowMachine: machineView(workflowMachine),
    workflows: all
      .filter((workflow) => workflow.kind === 'domain')
      .map((workflow) => ({
        id: workflow.id,
        startedBy: workflow.trigger,
        steps: workflow.steps.map(stepView),
        timeoutMs: workflow.timeoutMs,
      })),
  };
}

export function catalogRoutes(
  app: FastifyInstance,
  product: Pick<ProductDefinition, 'catalog' | 'workflows'>,
): void {
  const view = catalogView(product);
  app.get(
    '/catalog',
    {
      config: {
        access: 'public',
        docs: {
          operationId: 'getCatalog',
          summary: 'What the product sells and how its onboarding runs, from the blueprint',
          description:
            'The editions with their features, limits, prices and trials, the slug pattern and default edition a sign-up is checked against, the onboarding steps and the state machines. Public, and cacheable for five minutes: a sign-up page reads it.',
          tag: 'catalog',
          responses: { 200: { description: 'The catalogue.', schema: catalogSchema } },
        },
      },
    },
    async (_request, reply) => reply.header('cache-control', 'public, max-age=300').send(view),
  );
}
