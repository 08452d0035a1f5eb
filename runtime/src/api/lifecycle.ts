/**
 * The operators' commands on a tenant: suspend, reinstate, decommission, retry a failed
 * provisioning, and mint a tenant-scoped token. Commands are checked against the tenant state
 * machine before they are queued, so a move the machine forbids is a 409 and queues nothing.
 */
import type { FastifyInstance } from 'fastify';
import type { TenantId } from '../contracts/envelope.js';
import { startEnvelope } from '../contracts/envelope.js';
import { commandRefusal, tenantSagaType } from '../saga/endpoints.js';
import type { TenantCommand } from '../saga/endpoints.js';
import type { OnboardingState } from '../saga/onboarding.js';
import { problem } from './problem.js';
import * as schemas from './schemas.js';
import type { ApiContext } from './server.js';
import { requireTenant } from './tenants.js';

const commands: Record<
  string,
  { command: TenantCommand; operationId: string; summary: string; description: string }
> = {
  suspend: {
    command: 'SuspendTenant',
    operationId: 'suspendTenant',
    summary: 'Suspend an Active tenant',
    description:
      'Queues the command that moves an Active tenant to Suspended: its workflows cannot be started until it is reinstated. An optional `reason` goes into its timeline.',
  },
  reinstate: {
    command: 'ReinstateTenant',
    operationId: 'reinstateTenant',
    summary: 'Reinstate a Suspended tenant',
    description:
      'Queues the command that moves a Suspended tenant back to Active. An optional `reason` goes into its timeline.',
  },
  decommission: {
    command: 'DecommissionTenant',
    operationId: 'decommissionTenant',
    summary: 'Close a tenant, compensating its onboarding',
    description:
      'Queues the command that closes the tenant for good: the onboarding steps that succeeded are compensated, and its tokens are refused from then on. An optional `reason` goes into its timeline.',
  },
  'provisioning/retry': {
    command: 'RetryProvisioning',
    operationId: 'retryProvisioning',
    summary: 'Re-run the steps of a failed provisioning that did not succeed',
    description:
      'Once the cause of a failed or timed-out onboarding is fixed: queues the command that runs again the steps that did not succeed, keeping those that did.',
  },
};

export function lifecycleRoutes(app: FastifyInstance, { runtime, store, auth }: ApiContext): void {
  for (const [path, { command, operationId, summary, description }] of Object.entries(commands)) {
    app.post<{ Params: { id: string }; Body: { reason?: string } | undefined }>(
      `/tenants/:id/${path}`,
      {
        schema: { params: schemas.tenantParams, body: schemas.reasonBody },
        config: {
          access: 'operator',
          docs: {
            operationId,
            summary,
            description,
            tag: 'lifecycle',
            responses: {
              202: { description: 'Queued.', schema: schemas.commandAccepted },
              409: { description: 'The tenant state machine forbids this move now.' },
            },
          },
        },
      },
      async (request, reply) => {
        const { tenant } = await requireTenant(store, request.params.id);
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

  app.post<{ Params: { id: string }; Body: { expiresIn?: number } | undefined }>(
    '/tenants/:id/tokens',
    {
      schema: { params: schemas.tenantParams, body: schemas.tokenBody },
      config: {
        access: 'operator',
        docs: {
          operationId: 'mintTenantToken',
          summary: 'Mint a token that sees this tenant only',
          description:
            'A JWT (HS256, signed with JWT_SECRET) with `role` `tenant` and the tenant id, valid for `expiresIn` seconds: it reads and acts on this tenant only, never on another nor on operator routes. Operators only.',
          tag: 'lifecycle',
          responses: {
            201: { description: 'The token.', schema: schemas.tokenMinted },
            409: { description: 'The tenant is decommissioned: its tokens would be refused.' },
          },
        },
      },
    },
    async (request, reply) => {
      const { tenant, saga } = await requireTenant(store, request.params.id);
      if (saga?.state === 'Decommissioned')
        throw problem(
          409,
          'Tenant decommissioned',
          `tenant ${tenant.tenantId} is closed: it gets no new tokens`,
        );
      const { token, expiresAt } = await auth.mintTenantToken(
        tenant.tenantId,
        request.body?.expiresIn ?? 3600,
      );
      return reply.code(201).header('cache-control', 'no-store').send({
        token,
        tokenType: 'Bearer',
        tenantId: tenant.tenantId,
        expiresAt: expiresAt.toISOString(),
      });
    },
  );
}
