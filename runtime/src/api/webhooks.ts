/**
 * `POST /webhooks/billing`: the payment provider tells the product that a tenant's invoice is past
 * due or settled, and the product publishes `PaymentPastDue` or `PaymentSettled`, which the
 * onboarding saga answers as the blueprint's `lifecycle.suspendOn` and `reinstateOn` say.
 *
 * No bearer token: the Standard Webhooks signature under `BILLING_WEBHOOK_SECRET` is the
 * authentication (webhook-signature.ts), checked on the body exactly as it arrived, before the
 * body is parsed or validated. Providers deliver at least once: a `webhook-id` seen before is
 * acknowledged again and applied once, because it is claimed in the same transaction that
 * publishes.
 */
import type { FastifyInstance } from 'fastify';
import { ConfigError } from '../config.js';
import type { TenantId } from '../contracts/envelope.js';
import { startEnvelope } from '../contracts/envelope.js';
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

interface Applied {
  readonly eventId: string;
  readonly accepted: string;
  readonly tenantId: string;
}

export function webhookRoutes(
  app: FastifyInstance,
  { runtime, clock, billingWebhookSecret }: ApiContext,
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
              "Signed as Standard Webhooks with `BILLING_WEBHOOK_SECRET`: `webhook-signature` is `v1,` and the base64 HMAC-SHA256 of `<webhook-id>.<webhook-timestamp>.<body>`, and the timestamp must be within 5 minutes of the server's clock. `payment.past_due` publishes `PaymentPastDue` for the tenant, `payment.settled` `PaymentSettled`; the tenant moves as the blueprint's `lifecycle` says. A repeated `webhook-id` is acknowledged and applied once.",
            responses: {
              202: {
                description: 'Accepted and published.',
                schema: schemas.billingWebhookAccepted,
              },
              200: {
                description: 'This `webhook-id` was accepted before; nothing is published again.',
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
        const { type, tenantId, invoiceId } = request.body;
        const webhookId = request.headers['webhook-id'] as string;
        const message = messageOf[type];
        const outcome = await runtime.execute(async ({ tx, now, publish }) => {
          const envelope = startEnvelope<typeof message, PayloadOf[typeof message]>({
            type: message,
            tenantId: tenantId as TenantId,
            occurredAt: now,
            payload: invoiceId === undefined ? {} : { invoiceId },
          });
          const owner = `${envelope.eventId} ${message} ${tenantId}`;
          const holder = await tx.claimUnique(claimScope, webhookId, owner);
          if (holder !== owner) {
            const [eventId, accepted, earlierTenant] = holder.split(' ');
            const earlier: Applied = {
              eventId: eventId!,
              accepted: accepted!,
              tenantId: earlierTenant!,
            };
            return { replayed: true, ...earlier };
          }
          // Throwing rolls the claim back with the rest: a refused delivery does not spend its id.
          if (!(await findTenant(tx, tenantId)))
            throw problem(404, 'Tenant not found', `no tenant ${tenantId}`);
          publish(envelope);
          const applied: Applied = { eventId: envelope.eventId, accepted: message, tenantId };
          return { replayed: false, ...applied };
        });
        request.log.info(
          { tenantId: outcome.tenantId, webhookId, eventId: outcome.eventId },
          outcome.replayed
            ? 'billing webhook repeated: applied once already'
            : `billing webhook: ${outcome.accepted} published`,
        );
        return reply.code(outcome.replayed ? 200 : 202).send({ webhookId, ...outcome });
      },
    );
  });
}
