/**
 * `POST /webhooks/billing`: the payment provider tells the product that a tenant's invoice is past
 * due or settled, and the product publishes `PaymentPastDue` or `PaymentSettled`, which the
 * onboarding saga answers as the blueprint's `lifecycle.suspendOn` and `reinstateOn` say.
 *
 * No bearer token: the Standard Webhooks signature under `BILLING_WEBHOOK_SECRET` is the
 * authentication (webhook-signature.ts), checked on the body exactly as it arrived, before the
 * body is parsed or validated. Providers deliver at least once: a `webhook-id` seen before is
 * acknowledged again and applied once, because it is claimed in the same transaction that
 * publishes. Events of one tenant apply in the provider's order (`occurredAt`, else the signed
 * `webhook-timestamp`): a `payment.settled` must not be undone by an older `payment.past_due`
 * that arrives after it, so an event older than the newest applied is acknowledged, noted on the
 * tenant's timeline, and not published.
 */
import type { FastifyInstance } from 'fastify';
import { ConfigError } from '../config.js';
import type { CorrelationId, Envelope, TenantId } from '../contracts/envelope.js';
import { newEventId, newId, startEnvelope } from '../contracts/envelope.js';
import type { Tx } from '../runtime/store.js';
import type { PayloadOf } from '../contracts/builtins.js';
import { findTenant } from '../services/tenants.js';
import { problem } from './problem.js';
import * as schemas from './schemas.js';
import type { ApiContext } from './server.js';
import { SignatureVerifier, secretProblem } from './webhook-signature.js';

export interface BillingWebhook {
  readonly type: keyof typeof messageOf;
  readonly tenantId: string;
  readonly invoiceId?: string;
  /** The provider's event time (ISO 8601). */
  readonly occurredAt?: string;
}

/** The provider's event types, and the product's message for each. */
const messageOf = {
  'payment.past_due': 'PaymentPastDue',
  'payment.settled': 'PaymentSettled',
} as const;

/**
 * Where a claimed `webhook-id` is kept. Its owner says what the delivery was applied as —
 * `<eventId> <message> <tenantId>` — so that a repeat answers what was done the first time.
 */
const claimScope = 'billing-webhook';

/**
 * What a delivery was applied as; `eventId` `-` in the claim (and none in the answer) for one
 * that was older than the newest applied, and so not applied.
 */
function applied(eventId: string, accepted: string, tenantId: string) {
  return eventId === '-'
    ? { accepted, tenantId, applied: false }
    : { eventId, accepted, tenantId, applied: true };
}

/** Per tenant, the newest provider event applied: an older one arriving late is not applied. */
const orderCollection = 'billing-webhooks';

interface NewestEvent {
  /** The provider's event time (ISO), or the delivery's signed timestamp. */
  readonly at: string;
  readonly webhookId: string;
  readonly type: string;
}

/** The timeline says why an event was not applied, as the sagas' entries say why they moved. */
async function noteIgnored(
  tx: Pick<Tx, 'appendAudit'>,
  now: Date,
  publish: (envelope: Envelope) => void,
  tenant: { readonly tenantId: string; readonly correlationId: string },
  detail: Record<string, string>,
): Promise<void> {
  const entryId = newId();
  const action = 'billingEventIgnored';
  const envelope = startEnvelope({
    type: 'AuditEntryRecorded',
    tenantId: tenant.tenantId as TenantId,
    correlationId: tenant.correlationId as CorrelationId,
    occurredAt: now,
    payload: { entryId, action },
  });
  await tx.appendAudit({
    id: entryId,
    tenantId: envelope.tenantId,
    correlationId: tenant.correlationId,
    causationId: envelope.eventId,
    action,
    fromState: null,
    toState: null,
    detail: { ...detail, reason: 'older than the newest billing event applied for this tenant' },
    at: now.toISOString(),
  });
  publish(envelope);
}

export function webhookRoutes(
  app: FastifyInstance,
  { runtime, clock, billingWebhookSecret, metrics }: ApiContext,
): void {
  let verifier: SignatureVerifier | undefined;
  if (billingWebhookSecret !== undefined) {
    const refused = secretProblem(billingWebhookSecret);
    if (refused) throw new ConfigError(`BILLING_WEBHOOK_SECRET ${refused}`);
    verifier = new SignatureVerifier(billingWebhookSecret, clock);
  }

  // A scope of its own, so that only this route keeps the body as text: the MAC covers the exact
  // bytes, which parsing and re-serialising would not reproduce. The server's body limit holds.
  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) =>
      done(null, body),
    );

    scope.post<{ Body: BillingWebhook }>(
      '/webhooks/billing',
      {
        schema: { body: schemas.billingWebhookBody, headers: schemas.billingWebhookHeaders },
        config: {
          access: 'public',
          docs: {
            operationId: 'billingWebhook',
            summary: 'The payment provider reports an invoice past due or settled',
            tag: 'webhooks',
            description:
              "Signed as Standard Webhooks with `BILLING_WEBHOOK_SECRET`: `webhook-signature` is `v1,` and the base64 HMAC-SHA256 of `<webhook-id>.<webhook-timestamp>.<body>`, and the timestamp must be within 5 minutes of the server's clock. `payment.past_due` publishes `PaymentPastDue` for the tenant, `payment.settled` `PaymentSettled`; the tenant moves as the blueprint's `lifecycle` says, and a settled payment completes a subscription or an edition change that waits for it. A repeated `webhook-id` is acknowledged and applied once. Events of a tenant apply in the provider's order (`occurredAt`, else `webhook-timestamp`): an older one than the newest applied is acknowledged with `applied: false` and noted on the tenant's timeline.",
            responses: {
              202: {
                description: 'Accepted and published.',
                schema: schemas.billingWebhookAccepted,
              },
              200: {
                description:
                  'This `webhook-id` was accepted before, or the event is older than the newest applied (`applied: false`); nothing is published.',
                schema: schemas.billingWebhookAccepted,
              },
              401: {
                description:
                  'A signature header is missing, no signature matches, or the timestamp is more than 5 minutes off; `detail` says which.',
              },
              404: { description: 'No tenant has this `tenantId`; nothing is published.' },
              503: { description: 'BILLING_WEBHOOK_SECRET is not set.' },
            },
          },
        },
        // Before the body is read: without a secret there is nothing to verify it with.
        onRequest: async () => {
          if (!verifier)
            throw problem(
              503,
              'Webhooks not configured',
              'billing webhooks are not configured: set BILLING_WEBHOOK_SECRET',
            );
        },
        // Before validation, so that an unsigned caller learns nothing about what the body
        // should hold; then the verified text becomes the JSON body the schema checks.
        preValidation: async (request) => {
          const raw = typeof request.body === 'string' ? request.body : '';
          const verdict = verifier!.verify(request.headers, raw);
          if (!verdict.ok) throw problem(401, 'Invalid webhook signature', verdict.reason);
          try {
            request.body = JSON.parse(raw) as BillingWebhook;
          } catch {
            throw problem(400, 'Malformed JSON', 'the body is not valid JSON');
          }
        },
      },
      async (request, reply) => {
        const { type, tenantId, invoiceId, occurredAt } = request.body;
        const webhookId = request.headers['webhook-id'] as string;
        const message = messageOf[type];
        // The provider's event time orders a tenant's events; the signed send time stands in.
        const eventAt =
          occurredAt === undefined
            ? new Date(Number(request.headers['webhook-timestamp']) * 1000).toISOString()
            : new Date(occurredAt).toISOString();
        const outcome = await runtime.execute(async ({ tx, now, publish }) => {
          const eventId = newEventId();
          const newest = await tx.getRecord<NewestEvent>(orderCollection, tenantId, 'newest');
          const stale = newest !== undefined && eventAt < newest.data.at;
          const owner = `${stale ? '-' : eventId} ${message} ${tenantId}`;
          const holder = await tx.claimUnique(claimScope, webhookId, owner);
          if (holder !== owner) {
            const [eventId, accepted, earlierTenant] = holder.split(' ');
            return { replayed: true, ...applied(eventId!, accepted!, earlierTenant!) };
          }
          // Throwing rolls the claim back with the rest: a refused delivery does not spend its id.
          const tenant = await findTenant(tx, tenantId);
          if (!tenant) throw problem(404, 'Tenant not found', `no tenant ${tenantId}`);
          if (stale) {
            await noteIgnored(tx, now, publish, tenant, {
              webhookId,
              type,
              occurredAt: eventAt,
              newest: newest.data.at,
            });
            return { replayed: false, ...applied('-', message, tenantId) };
          }
          await tx.putRecord<NewestEvent>({
            collection: orderCollection,
            tenantId,
            id: 'newest',
            data: { at: eventAt, webhookId, type },
          });
          // In the tenant's correlation: a payment that completes an onboarding is part of it.
          publish({
            ...startEnvelope<typeof message, PayloadOf[typeof message]>({
              type: message,
              tenantId: tenantId as TenantId,
              correlationId: tenant.correlationId as CorrelationId,
              occurredAt: now,
              payload: invoiceId === undefined ? {} : { invoiceId },
            }),
            eventId,
            causationId: eventId,
          });
          return { replayed: false, ...applied(eventId, message, tenantId) };
        });
        metrics.webhook(
          type,
          outcome.replayed ? 'repeated' : outcome.applied ? 'applied' : 'stale',
        );
        request.log.info(
          { tenantId: outcome.tenantId, webhookId, eventId: outcome.eventId },
          outcome.replayed
            ? 'billing webhook repeated: applied once already'
            : outcome.applied
              ? `billing webhook: ${outcome.accepted} published`
              : 'billing webhook older than the newest applied: not applied',
        );
        return reply
          .code(outcome.replayed || !outcome.applied ? 200 : 202)
          .send({ webhookId, ...outcome });
      },
    );
  });
}
