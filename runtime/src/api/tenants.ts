/**
 * The tenant resources: sign-up (public, idempotent with `Idempotency-Key`), the operators' list
 * and counts, a tenant's own view and timeline, and the messages of a tenant.
 */
import type { FastifyInstance } from 'fastify';
import type { Store } from '../runtime/store.js';
import { tenantSagaType } from '../saga/endpoints.js';
import type { OnboardingState } from '../saga/onboarding.js';
import { tenantStates } from '../saga/tenant-machine.js';
import { signUp } from '../services/sign-up.js';
import type { SignUpRequest } from '../services/sign-up.js';
import { findTenant } from '../services/tenants.js';
import type { TenantRecord } from '../services/tenants.js';
import { clientOf } from './auth.js';
import { billingView, paymentOffer } from './payment.js';
import { problem } from './problem.js';
import * as schemas from './schemas.js';
import type { ApiContext } from './server.js';
import { onboardingOf } from '../product-definition.js';

type TenantSummary = Pick<TenantRecord, 'tenantId' | 'slug' | 'name' | 'edition' | 'correlationId'>;

/** What `GET /tenants/{id}` answers. */
export function tenantView(
  tenant: TenantSummary,
  saga: OnboardingState | undefined,
  onboardingSteps: readonly string[],
) {
  return {
    tenantId: tenant.tenantId,
    slug: tenant.slug,
    name: tenant.name,
    edition: saga?.edition ?? tenant.edition,
    state: saga?.state ?? 'Registered',
    steps: saga?.steps ?? Object.fromEntries(onboardingSteps.map((id) => [id, 'Pending'])),
    correlationId: tenant.correlationId,
    failure: saga?.failure ?? null,
  };
}

/** The tenant and its onboarding saga, or a 404 problem. */
export async function requireTenant(store: Store, id: string) {
  const tenant = await findTenant(store, id);
  if (!tenant) throw problem(404, 'Tenant not found', `no tenant ${id}`);
  const saga = (await store.getSaga<OnboardingState>(tenantSagaType, id))?.state;
  return { tenant, saga };
}

export function tenantRoutes(
  app: FastifyInstance,
  {
    runtime,
    store,
    clock,
    auth,
    signUpRateLimit,
    signUpEmailLimit = 0,
    idempotencyKeyTtlMs,
    tracing,
    product,
    checkoutUrl,
    schemas: catalogSchemas,
  }: ApiContext,
): void {
  const onboardingSteps = onboardingOf(product).workflow.steps.map((step) => step.id);
  /** What a sign-up answers, a replay included: a fresh `progressToken` each time. */
  const accepted = async (tenantId: string, correlationId: string, edition: string) => ({
    tenantId,
    correlationId,
    state: 'Registered',
    progressToken: (await auth.mintProgressToken(tenantId)).token,
    payment: paymentOffer(product.catalog, edition, tenantId, checkoutUrl),
  });

  app.post<{ Body: SignUpRequest; Headers: { 'idempotency-key'?: string; traceparent?: string } }>(
    '/tenants',
    {
      schema: { body: catalogSchemas.signUpBody, headers: schemas.idempotencyHeaders },
      config: {
        access: 'public',
        // Per client address: each sign-up e-mails an address of the caller's choosing.
        rateLimit: signUpRateLimit > 0 ? { max: signUpRateLimit, timeWindow: 60_000 } : false,
        docs: {
          operationId: 'signUp',
          summary: 'Sign up a tenant: onboarding starts',
          tag: 'tenants',
          description:
            "With `Idempotency-Key` (a random one per sign-up: a UUID), repeating the request with the same body answers the same tenant, and with another body 422; a key is the client's (its bearer token's principal, or else its address), and is remembered for `IDEMPOTENCY_KEY_TTL_HOURS`. A `traceparent` header puts the onboarding in the caller's trace. Each client address may sign up `SIGNUP_RATE_LIMIT` tenants a minute, and one owner e-mail may be named in `SIGNUP_EMAIL_LIMIT` sign-ups an hour. The answer's `payment` says how the edition is paid for: a `paid` one's onboarding waits for the payment at `payment.checkoutUrl`. The answer's `progressToken` (valid for an hour; a replay answers a fresh one) reads this tenant with `GET /tenants/{id}`, and nothing else.",
          responses: {
            202: {
              description: 'Accepted; `Location` names the tenant.',
              schema: schemas.signUpAccepted,
            },
            409: { description: 'The slug belongs to another tenant.' },
            422: { description: 'The Idempotency-Key was used with another body.' },
            429: {
              description:
                'Too many sign-ups from this client, or naming this owner e-mail; `Retry-After` says when to try again.',
            },
          },
        },
      },
    },
    async (request, reply) => {
      const idempotencyKey = request.headers['idempotency-key'];
      // Traced, the onboarding is a child of this request's span (itself the caller's child).
      const traceParent = tracing ? tracing.traceParentOf(request) : request.headers.traceparent;
      const result = await signUp(runtime, request.body, {
        keyTtlMs: idempotencyKeyTtlMs,
        defaultEdition: product.catalog.defaultEdition,
        emailLimit: signUpEmailLimit,
        ...(idempotencyKey === undefined
          ? {}
          : { idempotencyKey, client: await clientOf(request, auth) }),
        ...(traceParent === undefined ? {} : { traceParent }),
      });
      switch (result.kind) {
        case 'slug-taken':
          throw problem(409, 'Slug taken', `the slug "${result.slug}" belongs to another tenant`);
        case 'key-reused':
          throw problem(
            422,
            'Idempotency-Key reused',
            'Idempotency-Key reused with a different request body',
          );
        case 'email-throttled': {
          const seconds = Math.max(
            1,
            Math.ceil((result.retryAt.getTime() - clock.now().getTime()) / 1000),
          );
          throw problem(
            429,
            'Too many sign-ups for this e-mail',
            `the owner's address may be named in ${signUpEmailLimit} sign-ups an hour; try again in ${seconds} seconds`,
            {},
            { 'retry-after': String(seconds) },
          );
        }
        case 'replayed': {
          const earlier = await findTenant(store, result.tenantId);
          if (!earlier)
            throw new Error(`the idempotency key names tenant ${result.tenantId}, which is gone`);
          return reply
            .code(202)
            .header('location', `/tenants/${earlier.tenantId}`)
            .header('idempotent-replayed', 'true')
            .send(await accepted(earlier.tenantId, earlier.correlationId, earlier.edition));
        }
        case 'created': {
          const { tenantId, correlationId } = result;
          request.log.info(
            { tenantId, correlationId, traceId: result.traceId.split('-')[1] },
            'tenant registered',
          );
          return reply
            .code(202)
            .header('location', `/tenants/${tenantId}`)
            .send(
              await accepted(
                tenantId,
                correlationId,
                request.body.edition ?? product.catalog.defaultEdition,
              ),
            );
        }
      }
    },
  );

  app.get<{ Querystring: { state?: string; q?: string; limit?: number; cursor?: string } }>(
    '/tenants',
    {
      schema: { querystring: schemas.tenantQuery },
      config: {
        access: 'operator',
        docs: {
          operationId: 'listTenants',
          summary: 'A page of tenants, optionally in one state or matching a text',
          description: '`q` matches the slug or the name, case-insensitively, anywhere in them.',
          tag: 'tenants',
          responses: { 200: { description: 'A page.', schema: schemas.tenantPage } },
        },
      },
    },
    async (request) => {
      const { state, q, limit = 50, cursor } = request.query;
      const page = await store.listSagas<OnboardingState>({
        type: tenantSagaType,
        limit,
        ...(state === undefined ? {} : { state }),
        ...(q === undefined ? {} : { search: q }),
        ...(cursor === undefined ? {} : { cursor }),
      });
      return {
        items: page.items.map(({ state: saga }) => tenantView(saga, saga, onboardingSteps)),
        ...(page.nextCursor === undefined ? {} : { nextCursor: page.nextCursor }),
      };
    },
  );

  app.get(
    '/tenants/counts',
    {
      config: {
        access: 'operator',
        docs: {
          operationId: 'countTenants',
          summary: 'How many tenants are in each state',
          description:
            'The number of tenants in each state of the tenant machine, every state included (0 when none). Operators only.',
          tag: 'tenants',
          responses: { 200: { description: 'The counts.', schema: schemas.tenantCounts } },
        },
      },
    },
    async () => {
      const counts = await store.countSagas(tenantSagaType);
      return Object.fromEntries(tenantStates.map((state) => [state, counts[state] ?? 0]));
    },
  );

  app.get<{ Params: { id: string } }>(
    '/tenants/:id',
    {
      schema: { params: schemas.tenantParams },
      config: {
        // Its sign-up watches its onboarding here with the progress token.
        access: 'progress',
        docs: {
          operationId: 'getTenant',
          summary: 'A tenant: its state, the status of each onboarding step, and its billing',
          description:
            "Readable by an operator, the tenant's token, and its sign-up's `progressToken`.",
          tag: 'tenants',
          responses: { 200: { description: 'The tenant.', schema: schemas.tenant } },
        },
      },
    },
    async (request) => {
      const { tenant, saga } = await requireTenant(store, request.params.id);
      return {
        ...tenantView(tenant, saga, onboardingSteps),
        ...(await billingView(store, tenant.tenantId, saga, checkoutUrl)),
      };
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
          description:
            "Everything that happened to the tenant, oldest first: its sign-up, each onboarding step that ran, succeeded, failed or was compensated, its lifecycle commands and flag overrides. For an operator or the tenant's own token.",
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

  app.get<{ Params: { id: string }; Querystring: { limit?: number } }>(
    '/tenants/:id/messages',
    {
      schema: { params: schemas.tenantParams, querystring: schemas.messagesQuery },
      config: {
        access: 'operator',
        docs: {
          operationId: 'listTenantMessages',
          summary: "The tenant's messages the store still holds, in the order they were committed",
          tag: 'tenants',
          description:
            'From the outbox, within its retention (`INBOX_RETENTION_DAYS`): the newest `limit`. `causationId` links each message to the one that caused it, for a causation tree.',
          responses: { 200: { description: 'The messages.', schema: schemas.tenantMessages } },
        },
      },
    },
    async (request) => {
      const { tenant } = await requireTenant(store, request.params.id);
      const messages = await store.tenantMessages(tenant.tenantId, request.query.limit ?? 500);
      return {
        items: messages.map(
          ({ eventId, type, occurredAt, correlationId, causationId, tenantId }) => ({
            eventId,
            type,
            occurredAt,
            correlationId,
            causationId,
            tenantId,
          }),
        ),
      };
    },
  );
}
