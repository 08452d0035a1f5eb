/**
 * The tenant resources: sign-up, reads, the timeline and the operator's lifecycle commands.
 * Commands are validated against the tenant state machine before they are queued, so a move the
 * machine forbids is a 409 and queues nothing.
 */
import type { FastifyInstance } from 'fastify';
import { defaultEdition, editionIds, slugPattern } from '../catalog.js';
import type { TenantId } from '../contracts/envelope.js';
import { newTenantId, startEnvelope } from '../contracts/envelope.js';
import { workflows } from '../saga/definitions.js';
import { commandRefusal, tenantSagaType } from '../saga/endpoints.js';
import type { TenantCommand } from '../saga/endpoints.js';
import type { OnboardingState } from '../saga/onboarding.js';
import { findTenant, saveTenant } from '../services/tenants.js';
import type { TenantRecord } from '../services/tenants.js';
import { problem } from './problem.js';
import type { ApiContext } from './server.js';

interface SignUp {
  readonly slug: string;
  readonly name: string;
  readonly edition?: string;
  readonly owner: { readonly email: string; readonly name: string };
}

const signUpSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['slug', 'name', 'owner'],
  properties: {
    slug: { type: 'string', pattern: slugPattern.source },
    name: { type: 'string', minLength: 1, maxLength: 200 },
    edition: { type: 'string', enum: editionIds },
    owner: {
      type: 'object',
      additionalProperties: false,
      required: ['email', 'name'],
      properties: {
        email: { type: 'string', format: 'email', maxLength: 254 },
        name: { type: 'string', minLength: 1, maxLength: 200 },
      },
    },
  },
} as const;

const onboardingSteps = workflows.onboarding.steps.map((step) => step.id);

type TenantSummary = Pick<TenantRecord, 'tenantId' | 'slug' | 'name' | 'edition' | 'correlationId'>;

/** What `GET /tenants/{id}` answers. */
export function tenantView(tenant: TenantSummary, saga: OnboardingState | undefined) {
  return {
    tenantId: tenant.tenantId,
    slug: tenant.slug,
    name: tenant.name,
    edition: saga?.edition ?? tenant.edition,
    state: saga?.state ?? 'Registered',
    steps: saga?.steps ?? Object.fromEntries(onboardingSteps.map((id) => [id, 'Pending'])),
    correlationId: tenant.correlationId,
    ...(saga?.failure ? { failure: saga.failure } : {}),
  };
}

const lifecycleRoutes: Record<string, TenantCommand> = {
  suspend: 'SuspendTenant',
  reinstate: 'ReinstateTenant',
  decommission: 'DecommissionTenant',
  'provisioning/retry': 'RetryProvisioning',
};

export function tenantRoutes(app: FastifyInstance, { runtime, store }: ApiContext): void {
  app.post<{ Body: SignUp }>(
    '/tenants',
    { schema: { body: signUpSchema } },
    async (request, reply) => {
      const body = request.body;
      const tenantId = newTenantId();
      const result = await runtime.execute(async ({ tx, now, publish }) => {
        const holder = await tx.claimUnique('slug', body.slug, tenantId);
        if (holder !== tenantId) return { taken: true } as const;
        const edition = body.edition ?? defaultEdition;
        const registered = publish(
          startEnvelope({
            type: 'TenantRegistered',
            tenantId,
            occurredAt: now,
            payload: {
              slug: body.slug,
              name: body.name,
              edition,
              ownerEmail: body.owner.email,
              ownerName: body.owner.name,
            },
          }),
        );
        await saveTenant(tx, {
          tenantId,
          slug: body.slug,
          name: body.name,
          edition,
          owner: { email: body.owner.email, name: body.owner.name },
          correlationId: registered.correlationId,
          createdAt: now.toISOString(),
        });
        return { taken: false, correlationId: registered.correlationId } as const;
      });
      if (result.taken)
        throw problem(409, 'Slug taken', `the slug "${body.slug}" belongs to another tenant`);
      return reply
        .code(202)
        .header('location', `/tenants/${tenantId}`)
        .send({ tenantId, correlationId: result.correlationId, state: 'Registered' });
    },
  );

  app.get<{ Querystring: { state?: string; limit?: number; cursor?: string } }>(
    '/tenants',
    {
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            state: { type: 'string' },
            limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
            cursor: { type: 'string' },
          },
        },
      },
    },
    async (request) => {
      const { state, limit = 50, cursor } = request.query;
      const page = await store.listSagas<OnboardingState>({
        type: tenantSagaType,
        limit,
        ...(state === undefined ? {} : { state }),
        ...(cursor === undefined ? {} : { cursor }),
      });
      return {
        items: page.items.map(({ state: saga }) => tenantView(saga, saga)),
        ...(page.nextCursor === undefined ? {} : { nextCursor: page.nextCursor }),
      };
    },
  );

  app.get<{ Params: { id: string } }>('/tenants/:id', async (request) => {
    const { tenant, saga } = await loadTenant(request.params.id);
    return tenantView(tenant, saga);
  });

  app.get<{ Params: { id: string } }>('/tenants/:id/timeline', async (request) => {
    const { tenant } = await loadTenant(request.params.id);
    return { tenantId: tenant.tenantId, entries: await store.timeline(tenant.tenantId) };
  });

  for (const [path, command] of Object.entries(lifecycleRoutes)) {
    app.post<{ Params: { id: string }; Body: { reason?: string } | undefined }>(
      `/tenants/:id/${path}`,
      {
        schema: {
          body: {
            type: ['object', 'null'],
            additionalProperties: false,
            properties: { reason: { type: 'string', maxLength: 500 } },
          },
        },
      },
      async (request, reply) => {
        const { tenant } = await loadTenant(request.params.id);
        const reason = request.body?.reason;
        const refused = await runtime.execute(async ({ tx, now, publish }) => {
          const saga = await tx.loadSaga<OnboardingState>(tenantSagaType, tenant.tenantId);
          const refusal = commandRefusal(
            saga?.state ?? { state: 'Registered', compensation: [] },
            command,
          );
          if (refusal) return refusal;
          publish(
            startEnvelope({
              type: command,
              tenantId: tenant.tenantId as TenantId,
              occurredAt: now,
              payload:
                command === 'RetryProvisioning' ? {} : reason === undefined ? {} : { reason },
            }),
          );
          return null;
        });
        if (refused) throw problem(409, 'Transition not allowed', refused);
        return reply.code(202).send({ tenantId: tenant.tenantId, accepted: command });
      },
    );
  }

  async function loadTenant(id: string) {
    const tenant = await findTenant(store, id);
    if (!tenant) throw problem(404, 'Tenant not found', `no tenant ${id}`);
    const saga = (await store.getSaga<OnboardingState>(tenantSagaType, id))?.state;
    return { tenant, saga };
  }
}
