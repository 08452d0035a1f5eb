/**
 * Entitlements over HTTP: what a tenant may use (features, limits with their usage, flags),
 * consuming a metered limit, and the operators' edition changes and flag overrides. Enforcement
 * lives in src/entitlements.ts, which domain handlers use too.
 */
import type { FastifyInstance } from 'fastify';
import type { TenantId } from '../contracts/envelope.js';
import { newId, startEnvelope } from '../contracts/envelope.js';
import { entitlementsOf, limitsOf } from '../entitlements.js';
import type { UnitContext } from '../runtime/runtime.js';
import { editionRefusal, tenantSagaType } from '../saga/endpoints.js';
import type { OnboardingState } from '../saga/onboarding.js';
import { flagOverridesCollection } from '../services/configuration.js';
import { paymentOffer } from './payment.js';
import { problem } from './problem.js';
import * as schemas from './schemas.js';
import type { ApiContext } from './server.js';
import { requireTenant } from './tenants.js';

type Overrides = Record<string, boolean>;

export function entitlementRoutes(app: FastifyInstance, context: ApiContext): void {
  const { store, product, schemas: catalogSchemas } = context;
  const { catalog } = product;
  app.get<{ Params: { id: string } }>(
    '/tenants/:id/entitlements',
    {
      schema: { params: schemas.tenantParams },
      config: {
        access: 'tenant',
        docs: {
          operationId: 'getEntitlements',
          summary: 'Features, limits with current usage, and flags of a tenant',
          description:
            "What the tenant's edition includes, each limit with what it has used and what remains, and each flag as it resolves (an override, else the edition's value) with where it came from. For an operator or the tenant's own token.",
          tag: 'entitlements',
          responses: {
            200: { description: 'The entitlements.', schema: catalogSchemas.entitlements },
          },
        },
      },
    },
    async (request) => {
      const { tenant } = await requireTenant(store, request.params.id);
      const api = entitlementsOf(store, catalog);
      const effective = await api.effective(tenant.tenantId);
      if (!effective)
        throw problem(404, 'Tenant not found', `tenant ${tenant.tenantId} has no edition`);
      const resolved = await api.flags(tenant.tenantId);
      const used = await store.counters(tenant.tenantId);
      return {
        tenantId: tenant.tenantId,
        edition: effective.edition,
        status: effective.status,
        features: [...effective.features].sort(),
        limits: Object.fromEntries(
          catalog.limitIds.map((id) => [id, usageOf(effective.limits[id] ?? null, used[id] ?? 0)]),
        ),
        flags: Object.fromEntries(Object.entries(resolved).map(([id, flag]) => [id, flag.value])),
        flagSources: Object.fromEntries(
          Object.entries(resolved).map(([id, flag]) => [id, flag.source]),
        ),
      };
    },
  );

  // A catalogue without limits (or flags) has no such routes to offer.
  editionRoute(app, context);
  if (catalog.limitIds.length > 0) consumeRoute(app, context);
  if (Object.keys(catalog.flags).length > 0) flagRoutes(app, context);
}

function consumeRoute(
  app: FastifyInstance,
  { runtime, store, product, schemas: catalogSchemas }: ApiContext,
): void {
  app.post<{ Params: { id: string; limit: string }; Body: { amount: number } }>(
    '/tenants/:id/usage/:limit',
    {
      schema: { params: catalogSchemas.usageParams, body: schemas.usageBody },
      config: {
        access: 'tenant',
        docs: {
          operationId: 'consumeLimit',
          summary: "Consume some of a metered limit, atomically; never beyond the edition's limit",
          description:
            'Adds `amount` to what an Active tenant has used of the limit, in one transaction, and answers what remains; an amount that would go beyond the limit consumes nothing and answers 409.',
          tag: 'entitlements',
          responses: {
            200: { description: 'Consumed.', schema: schemas.usage },
            409: { description: 'It would exceed the limit, or the tenant is not Active.' },
          },
        },
      },
    },
    async (request) => {
      const { id, limit } = request.params;
      const { tenant, saga } = await requireTenant(store, id);
      if (saga?.state !== 'Active')
        throw problem(409, 'Tenant not active', `tenant ${id} is ${saga?.state ?? 'Registered'}`);
      const result = await runtime.execute(({ tx }) =>
        limitsOf(tx, product.catalog).consume(tenant.tenantId, limit, request.body.amount),
      );
      const { used, max, remaining } = result;
      if (!result.ok)
        throw problem(409, 'Limit exceeded', result.reason, {
          limit,
          requested: request.body.amount,
          used,
          max,
          remaining,
        });
      return { tenantId: tenant.tenantId, limit, used, max, remaining };
    },
  );
}

function editionRoute(
  app: FastifyInstance,
  { runtime, store, product, checkoutUrl, schemas: catalogSchemas }: ApiContext,
): void {
  app.put<{ Params: { id: string }; Body: { edition: string } }>(
    '/tenants/:id/edition',
    {
      schema: { params: schemas.tenantParams, body: catalogSchemas.editionBody },
      config: {
        access: 'operator',
        docs: {
          operationId: 'changeEdition',
          summary: 'Move a tenant to another edition; its entitlements are applied again',
          description:
            "A change to a paid edition without a trial waits for the tenant's `payment.settled` (the answer's `payment.checkoutUrl` says where to pay), within the onboarding timeout; `GET /tenants/{id}` shows it as `pendingEdition`. A change to a trial edition starts its trial.",
          tag: 'entitlements',
          responses: {
            202: { description: 'Queued.', schema: schemas.editionChangeAccepted },
            409: { description: 'The tenant is neither Active nor Suspended.' },
          },
        },
      },
    },
    async (request, reply) => {
      const { tenant } = await requireTenant(store, request.params.id);
      const { edition } = request.body;
      const refused = await runtime.execute(async ({ tx, now, publish }) => {
        const saga = await tx.loadSaga<OnboardingState>(tenantSagaType, tenant.tenantId);
        const refusal = editionRefusal(saga?.state ?? { state: 'Registered' });
        if (refusal) return refusal;
        publish(
          startEnvelope({
            type: 'ChangeEdition',
            tenantId: tenant.tenantId as TenantId,
            occurredAt: now,
            payload: { edition },
          }),
        );
        return null;
      });
      if (refused) throw problem(409, 'Edition change not allowed', refused);
      return reply.code(202).send({
        tenantId: tenant.tenantId,
        accepted: 'ChangeEdition',
        edition,
        payment: paymentOffer(product.catalog, edition, tenant.tenantId, checkoutUrl),
      });
    },
  );
}

function flagRoutes(
  app: FastifyInstance,
  { runtime, store, product, schemas: catalogSchemas }: ApiContext,
): void {
  const flagDocs = (operationId: string, summary: string, description: string) => ({
    access: 'operator' as const,
    docs: {
      operationId,
      summary,
      description,
      tag: 'entitlements' as const,
      responses: { 200: { description: 'The flag as it now resolves.', schema: schemas.flagView } },
    },
  });

  const setOverride = async (tenantId: string, flag: string, enabled: boolean | undefined) => {
    await runtime.execute(async (unit) => {
      const current =
        (await unit.tx.getRecord<Overrides>(flagOverridesCollection, tenantId, 'current'))?.data ??
        {};
      const { [flag]: previous, ...others } = current;
      const next: Overrides = enabled === undefined ? others : { ...others, [flag]: enabled };
      await unit.tx.putRecord({
        collection: flagOverridesCollection,
        tenantId,
        id: 'current',
        data: next,
      });
      await audit(unit, tenantId, 'flagOverridden', {
        flag,
        from: previous ?? null,
        to: enabled ?? null,
      });
    });
    const resolved = (await entitlementsOf(store, product.catalog).flags(tenantId))[flag]!;
    return { tenantId, flag, enabled: resolved.value, source: resolved.source };
  };

  app.put<{ Params: { id: string; flag: string }; Body: { enabled: boolean } }>(
    '/tenants/:id/flags/:flag',
    {
      schema: { params: catalogSchemas.flagParams, body: schemas.flagBody },
      config: flagDocs(
        'overrideFlag',
        "Override a flag for one tenant (before its edition's value)",
        "Sets the tenant's own value of the flag, which wins over its edition's, and records the change in the tenant's timeline. Operators only.",
      ),
    },
    async (request) => {
      const { tenant } = await requireTenant(store, request.params.id);
      return setOverride(tenant.tenantId, request.params.flag, request.body.enabled);
    },
  );

  app.delete<{ Params: { id: string; flag: string } }>(
    '/tenants/:id/flags/:flag',
    {
      schema: { params: catalogSchemas.flagParams },
      config: flagDocs(
        'clearFlagOverride',
        "Remove a tenant's override: the edition decides again",
        "Removes the tenant's own value of the flag, if it has one, and records the change in the tenant's timeline; the flag then resolves to its edition's value. Operators only.",
      ),
    },
    async (request) => {
      const { tenant } = await requireTenant(store, request.params.id);
      return setOverride(tenant.tenantId, request.params.flag, undefined);
    },
  );
}

function usageOf(max: number | null, used: number) {
  return { max, used, remaining: max === null ? null : Math.max(0, max - used) };
}

/** An audit entry written by the API itself (not a saga move), announced like the saga's. */
async function audit(
  { tx, now, publish }: UnitContext,
  tenantId: string,
  action: string,
  detail: Record<string, unknown>,
): Promise<void> {
  const entryId = newId();
  const announced = publish(
    startEnvelope({
      type: 'AuditEntryRecorded',
      tenantId: tenantId as TenantId,
      occurredAt: now,
      payload: { entryId, action },
    }),
  );
  await tx.appendAudit({
    id: entryId,
    tenantId,
    correlationId: announced.correlationId,
    causationId: announced.eventId,
    action,
    fromState: null,
    toState: null,
    detail,
    at: now.toISOString(),
  });
}
