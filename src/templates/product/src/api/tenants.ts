/**
 * The tenant resources: sign-up (public, idempotent with `Idempotency-Key`), the operators' list,
 * and a tenant's own view and timeline.
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { defaultEdition } from '../catalog.js';
import {
  childTraceParent,
  isTraceParent,
  newTenantId,
  startEnvelope,
} from '../contracts/envelope.js';
import type { Store } from '../runtime/store.js';
import { workflows } from '../saga/definitions.js';
import { tenantSagaType } from '../saga/endpoints.js';
import type { OnboardingState } from '../saga/onboarding.js';
import { findTenant, saveTenant } from '../services/tenants.js';
import type { TenantRecord } from '../services/tenants.js';
import { problem } from './problem.js';
import * as schemas from './schemas.js';
import type { ApiContext } from './server.js';

interface SignUp {
  readonly slug: string;
  readonly name: string;
  readonly edition?: string;
  readonly owner: { readonly email: string; readonly name: string };
}

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

/** The tenant and its onboarding saga, or a 404 problem. */
export async function requireTenant(store: Store, id: string) {
  const tenant = await findTenant(store, id);
  if (!tenant) throw problem(404, 'Tenant not found', `no tenant ${id}`);
  const saga = (await store.getSaga<OnboardingState>(tenantSagaType, id))?.state;
  return { tenant, saga };
}

/** JSON with sorted keys: the same body, however its fields are ordered, has one fingerprint. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object')
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonical((value as Record<string, unknown>)[key])}`)
      .join(',')}}`;
  return JSON.stringify(value);
}

const fingerprint = (body: unknown) => createHash('sha256').update(canonical(body)).digest('hex');

export function tenantRoutes(app: FastifyInstance, { runtime, store }: ApiContext): void {
  app.post<{ Body: SignUp; Headers: { 'idempotency-key'?: string; traceparent?: string } }>(
    '/tenants',
    {
      schema: { body: schemas.signUpBody, headers: schemas.idempotencyHeaders },
      config: {
        access: 'public',
        docs: {
          operationId: 'signUp',
          summary: 'Sign up a tenant: onboarding starts',
          tag: 'tenants',
          description:
            "With `Idempotency-Key`, repeating the request with the same body answers the same tenant, and with another body 422. A `traceparent` header puts the onboarding in the caller's trace.",
          responses: {
            202: {
              description: 'Accepted; `Location` names the tenant.',
              schema: schemas.signUpAccepted,
            },
            409: { description: 'The slug belongs to another tenant.' },
            422: { description: 'The Idempotency-Key was used with another body.' },
          },
        },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const key = request.headers['idempotency-key'];
      const caller = request.headers.traceparent;
      const print = fingerprint(body);
      const tenantId = newTenantId();
      const result = await runtime.execute(async ({ tx, now, publish }) => {
        if (key !== undefined) {
          // The key's owner is the tenant it created and the body it was created from.
          const claim = `${tenantId} ${print}`;
          const holder = await tx.claimUnique('idempotency-key:sign-up', key, claim);
          if (holder !== claim) {
            const [earlier, earlierPrint] = holder.split(' ');
            if (earlierPrint !== print)
              throw problem(
                422,
                'Idempotency key reused',
                'this Idempotency-Key was used with a different request body',
              );
            return { kind: 'replay', tenantId: earlier! } as const;
          }
        }
        // Throwing rolls the whole unit back: the key is not spent on a refused sign-up.
        if ((await tx.claimUnique('slug', body.slug, tenantId)) !== tenantId)
          throw problem(409, 'Slug taken', `the slug "${body.slug}" belongs to another tenant`);
        const edition = body.edition ?? defaultEdition;
        const registered = publish(
          startEnvelope({
            type: 'TenantRegistered',
            tenantId,
            occurredAt: now,
            ...(caller && isTraceParent(caller) ? { traceId: childTraceParent(caller) } : {}),
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
        return { kind: 'created', registered } as const;
      });
      if (result.kind === 'replay') {
        const earlier = await findTenant(store, result.tenantId);
        if (!earlier)
          throw new Error(`the idempotency key names tenant ${result.tenantId}, which is gone`);
        return reply
          .code(202)
          .header('location', `/tenants/${earlier.tenantId}`)
          .header('idempotent-replayed', 'true')
          .send({
            tenantId: earlier.tenantId,
            correlationId: earlier.correlationId,
            state: 'Registered',
          });
      }
      const created = result.registered;
      request.log.info(
        { tenantId, correlationId: created.correlationId, traceId: created.traceId.split('-')[1] },
        'tenant registered',
      );
      return reply
        .code(202)
        .header('location', `/tenants/${tenantId}`)
        .send({ tenantId, correlationId: created.correlationId, state: 'Registered' });
    },
  );

  app.get<{ Querystring: { state?: string; limit?: number; cursor?: string } }>(
    '/tenants',
    {
      schema: { querystring: schemas.tenantQuery },
      config: {
        access: 'operator',
        docs: {
          operationId: 'listTenants',
          summary: 'A page of tenants, optionally in one state',
          tag: 'tenants',
          responses: { 200: { description: 'A page.', schema: schemas.tenantPage } },
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

  app.get<{ Params: { id: string } }>(
    '/tenants/:id',
    {
      schema: { params: schemas.tenantParams },
      config: {
        access: 'tenant',
        docs: {
          operationId: 'getTenant',
          summary: 'A tenant: its state and the status of each onboarding step',
          tag: 'tenants',
          responses: { 200: { description: 'The tenant.', schema: schemas.tenant } },
        },
      },
    },
    async (request) => {
      const { tenant, saga } = await requireTenant(store, request.params.id);
      return tenantView(tenant, saga);
    },
  );

  app.get<{ Params: { id: string } }>(
    '/tenants/:id/timeline',
    {
      schema: { params: schemas.tenantParams },
      config: {
        access: 'tenant',
        docs: {
          operationId: 'getTimeline',
          summary: "The tenant's audit entries, in order",
          tag: 'tenants',
          responses: { 200: { description: 'The timeline.', schema: schemas.timeline } },
        },
      },
    },
    async (request) => {
      const { tenant } = await requireTenant(store, request.params.id);
      return { tenantId: tenant.tenantId, entries: await store.timeline(tenant.tenantId) };
    },
  );
}
