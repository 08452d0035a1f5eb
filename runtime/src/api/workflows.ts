/** Domain workflows: started for an Active tenant with the payload of their `startedBy` command. */
import type { FastifyInstance } from 'fastify';
import type { CorrelationId, TenantId } from '../contracts/envelope.js';
import { newId, startEnvelope } from '../contracts/envelope.js';
import type { MessageType, PayloadOf } from '../contracts/builtins.js';
import type { WorkflowDefinition } from '../saga/definition.js';
import { tenantSagaType, workflowSagaType } from '../saga/endpoints.js';
import type { OnboardingState } from '../saga/onboarding.js';
import type { WorkflowRunState } from '../saga/workflow.js';
import { findTenant } from '../services/tenants.js';
import { problem } from './problem.js';
import { dateTime, tenantParams, uuid } from './schemas.js';
import type { ApiContext } from './server.js';

const runsCollection = 'workflow-runs';

interface StartedRun {
  readonly workflowId: string;
  readonly workflow: string;
  readonly startedAt: string;
}

const runParams = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'workflowId'],
  properties: { id: uuid, workflowId: uuid },
} as const;

const runView = {
  type: 'object',
  required: ['workflowId', 'workflow', 'state', 'steps'],
  properties: {
    workflowId: uuid,
    workflow: { type: 'string' },
    state: { type: 'string', enum: ['Running', 'Completed', 'Compensating', 'Failed'] },
    steps: { type: 'object', additionalProperties: { type: 'string' } },
    failure: { type: 'object' },
    startedAt: dateTime,
  },
} as const;

const runList = {
  type: 'object',
  required: ['items'],
  properties: { items: { type: 'array', items: runView } },
} as const;

export function workflowRoutes(
  app: FastifyInstance,
  { runtime, store, product }: ApiContext,
): void {
  const domainWorkflows = new Map<string, WorkflowDefinition>(
    Object.values(product.workflows)
      .filter((workflow) => workflow.kind === 'domain')
      .map((workflow) => [workflow.id, workflow]),
  );
  const { payloadSchemas } = product.messages;
  for (const workflow of domainWorkflows.values()) {
    const trigger = workflow.trigger as MessageType;
    app.post<{ Params: { id: string }; Body: PayloadOf[MessageType] }>(
      `/tenants/:id/workflows/${workflow.id}`,
      {
        schema: { params: tenantParams, body: payloadSchemas[trigger] },
        config: {
          access: 'tenant',
          docs: {
            operationId: `start${workflow.id.replace(/(^|-)(\w)/g, (_, _dash: string, c: string) => c.toUpperCase())}`,
            summary: `Start the ${workflow.id} workflow (the payload of ${trigger}) for an Active tenant`,
            description: `Starts a run of the blueprint's \`${workflow.id}\` workflow for the tenant, with the body as the payload of its \`${trigger}\` message, and answers the run's id: follow it with \`GET /tenants/{id}/workflows/{workflowId}\`. The tenant must be Active.`,
            tag: 'workflows',
            responses: {
              202: {
                description: 'Started.',
                schema: {
                  type: 'object',
                  required: ['workflowId'],
                  properties: { workflowId: uuid },
                },
              },
              409: { description: 'The tenant is not Active.' },
            },
          },
        },
      },
      async (request, reply) => {
        const tenantId = request.params.id;
        if (!(await findTenant(store, tenantId)))
          throw problem(404, 'Tenant not found', `no tenant ${tenantId}`);
        const workflowId = newId();
        const refused = await runtime.execute(async ({ tx, now, publish }) => {
          const tenant = await tx.loadSaga<OnboardingState>(tenantSagaType, tenantId);
          if (tenant?.state.state !== 'Active') {
            return `workflows run for Active tenants; this one is ${tenant?.state.state ?? 'Registered'}`;
          }
          publish(
            startEnvelope({
              type: trigger,
              tenantId: tenantId as TenantId,
              correlationId: workflowId as CorrelationId,
              occurredAt: now,
              payload: request.body,
            }),
          );
          const run: StartedRun = {
            workflowId,
            workflow: workflow.id,
            startedAt: now.toISOString(),
          };
          await tx.putRecord({ collection: runsCollection, tenantId, id: workflowId, data: run });
          return null;
        });
        if (refused) throw problem(409, 'Tenant not active', refused);
        return reply
          .code(202)
          .header('location', `/tenants/${tenantId}/workflows/${workflowId}`)
          .send({ workflowId });
      },
    );
  }

  app.post<{ Params: { id: string; workflow: string } }>(
    '/tenants/:id/workflows/:workflow',
    { config: { access: 'tenant' } },
    async (request) => {
      throw problem(
        404,
        'Unknown workflow',
        `no workflow "${request.params.workflow}"; workflows: ${[...domainWorkflows.keys()].join(', ') || '(none)'}`,
      );
    },
  );

  app.get<{ Params: { id: string } }>(
    '/tenants/:id/workflows',
    {
      schema: { params: tenantParams },
      config: {
        access: 'tenant',
        docs: {
          operationId: 'listWorkflowRuns',
          summary: "The tenant's runs of domain workflows, in the order they started",
          description:
            "Every run of the blueprint's domain workflows the tenant started, oldest first, each with its state and the status of its steps. For an operator or the tenant's own token.",
          tag: 'workflows',
          responses: { 200: { description: 'The runs.', schema: runList } },
        },
      },
    },
    async (request) => {
      const tenantId = request.params.id;
      if (!(await findTenant(store, tenantId)))
        throw problem(404, 'Tenant not found', `no tenant ${tenantId}`);
      const started = await store.listRecords<StartedRun>(runsCollection, tenantId);
      const runs = await Promise.all(
        started.map(async ({ data }) =>
          runOf(
            data,
            await store.getSaga<WorkflowRunState>(workflowSagaType, data.workflowId),
            domainWorkflows.get(data.workflow),
          ),
        ),
      );
      return { items: runs.sort((a, b) => a.startedAt.localeCompare(b.startedAt)) };
    },
  );

  app.get<{ Params: { id: string; workflowId: string } }>(
    '/tenants/:id/workflows/:workflowId',
    {
      schema: { params: runParams },
      config: {
        access: 'tenant',
        docs: {
          operationId: 'getWorkflowRun',
          summary: 'A run of a domain workflow: its state and steps',
          description:
            "One run of a domain workflow of the tenant, by the id its start answered: its state and the status of each step. For an operator or the tenant's own token.",
          tag: 'workflows',
          responses: { 200: { description: 'The run.', schema: runView } },
        },
      },
    },
    async (request) => {
      const { id, workflowId } = request.params;
      const started = await store.getRecord<StartedRun>(runsCollection, id, workflowId);
      if (!started)
        throw problem(
          404,
          'Workflow run not found',
          `no workflow run ${workflowId} for tenant ${id}`,
        );
      return runOf(
        started.data,
        await store.getSaga<WorkflowRunState>(workflowSagaType, workflowId),
        domainWorkflows.get(started.data.workflow),
      );
    },
  );
}

/** A run as the API shows it: pending steps until its saga has started. */
function runOf(
  started: StartedRun,
  saga: { readonly state: WorkflowRunState } | undefined,
  definition: WorkflowDefinition | undefined,
) {
  const run = saga?.state;
  return {
    workflowId: started.workflowId,
    workflow: started.workflow,
    state: run?.state ?? 'Running',
    steps:
      run?.steps ??
      Object.fromEntries((definition?.steps ?? []).map((step) => [step.id, 'Pending'])),
    ...(run?.failure ? { failure: run.failure } : {}),
    startedAt: started.startedAt,
  };
}
