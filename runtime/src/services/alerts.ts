/**
 * Onboarding alerts: when `ALERT_WEBHOOK_URL` is set, every onboarding that timed out
 * (`TenantProvisioningTimedOut`) or failed (`TenantProvisioningFailed`) is POSTed there as JSON,
 * for an on-call channel or an incident tool to pick up.
 *
 * The sender is a sink endpoint: the request runs outside any store transaction, so a receiver
 * that is slow or down holds up no other message. A failure (a network error, no answer within
 * `requestTimeoutMs`, an answer other than 2xx) throws, so the runtime retries with backoff and
 * dead-letters after the last attempt, for an operator to replay. A sink keeps no inbox entry:
 * a record per delivered event (collection `alerts`) stops a redelivery of a message already
 * delivered from being sent again, and `webhook-id` (the event's id, the same on every attempt)
 * lets the receiver drop the duplicates that remain possible (a crash between sending and
 * recording).
 *
 * With `ALERT_WEBHOOK_SECRET` the request is signed as a Standard Webhook
 * (https://www.standardwebhooks.com): `webhook-signature` over `<id>.<timestamp>.<body>`.
 */
import { Webhook } from 'standardwebhooks';
import type { Envelope } from '../contracts/envelope.js';
import type { PayloadOf } from '../contracts/builtins.js';
import type { SinkDefinition } from '../runtime/handler.js';
import type { Logger } from '../runtime/logger.js';
import { messageFields } from '../runtime/logger.js';
import type { Store, Tx } from '../runtime/store.js';
import type { RetryPolicy } from '../saga/definition.js';
import { findTenant } from './tenants.js';

export const alertEndpointName = 'alerts.onboarding-webhook';

/** Where each delivered event is recorded, by its `eventId`, in the tenant's records. */
export const alertsCollection = 'alerts';

/** The messages alerted on, and the `type` each alert carries. */
export const alertTypes = {
  TenantProvisioningTimedOut: 'onboarding.timed_out',
  TenantProvisioningFailed: 'onboarding.failed',
} as const;

type AlertedMessage = keyof typeof alertTypes;

/**
 * A receiver that is down is tried again 7 times, from 1 s doubling up to 5 min (about 9 minutes
 * in all), before the alert dead-letters for an operator to replay.
 */
export const alertRetry: RetryPolicy = {
  attempts: 8,
  backoff: 'exponential',
  initialDelayMs: 1000,
  maxDelayMs: 5 * 60_000,
};

/** How long one request may take before it counts as failed (and is retried). */
export const requestTimeoutMs = 10_000;

/** What the sender reads and writes: the tenant directory and its own records. */
export type AlertStore = Pick<Store, 'getRecord' | 'transaction'>;

export interface AlertOptions {
  /** `ALERT_WEBHOOK_URL`: http(s), checked by the configuration. */
  readonly url: string;
  /** `ALERT_WEBHOOK_SECRET`: `whsec_` and the key in base64; unset, alerts go unsigned. */
  readonly secret?: string | undefined;
  /** `PUBLIC_URL`, for the links in the alert (no trailing slash). */
  readonly publicUrl: string;
  /** Undefined only where the endpoint is made for its route and never runs. */
  readonly store: AlertStore | undefined;
  readonly log: Logger;
  /** For tests; defaults to the global `fetch`. */
  readonly fetch?: typeof fetch;
}

export interface AlertBody {
  readonly type: (typeof alertTypes)[AlertedMessage];
  readonly tenantId: string;
  readonly correlationId: string;
  readonly occurredAt: string;
  readonly eventId: string;
  /** From the tenant directory; `null` if the tenant is not (or no longer) in it. */
  readonly tenant: {
    readonly slug: string;
    readonly name: string;
    readonly edition: string;
  } | null;
  readonly reason?: string;
  readonly failedStep?: string | null;
  readonly timeoutMs?: number;
  readonly pendingSteps?: readonly string[];
  readonly links: { readonly tenant: string; readonly timeline: string; readonly retry: string };
}

/** What is recorded once an event's alert was accepted by the receiver. */
interface Delivered {
  readonly type: string;
  readonly status: number;
  readonly attempt: number;
  readonly deliveredAt: string;
}

/**
 * A URL as it may be logged: user name and password replaced, the query left out (webhook URLs
 * often carry a token in either).
 */
export function safeUrl(url: string): string {
  const parsed = new URL(url);
  const credentials = parsed.username || parsed.password ? '***@' : '';
  return `${parsed.protocol}//${credentials}${parsed.host}${parsed.pathname}${parsed.search ? '?…' : ''}`;
}

/** The alert about `message`, with the tenant as the directory knows it. */
export function alertBody(
  message: Envelope,
  tenant: { slug: string; name: string; edition: string } | undefined,
  publicUrl: string,
): AlertBody {
  const type = message.type as AlertedMessage;
  const base = `${publicUrl}/tenants/${encodeURIComponent(message.tenantId)}`;
  const details =
    type === 'TenantProvisioningFailed'
      ? failureDetails(message.payload as PayloadOf['TenantProvisioningFailed'])
      : timeoutDetails(message.payload as PayloadOf['TenantProvisioningTimedOut']);
  return {
    type: alertTypes[type],
    tenantId: message.tenantId,
    correlationId: message.correlationId,
    occurredAt: message.occurredAt,
    eventId: message.eventId,
    tenant: tenant ? { slug: tenant.slug, name: tenant.name, edition: tenant.edition } : null,
    ...details,
    // `retry` is to be POSTed, with an operator's token; the others are GETs.
    links: { tenant: base, timeline: `${base}/timeline`, retry: `${base}/provisioning/retry` },
  };
}

const failureDetails = ({ reason, failedStep }: PayloadOf['TenantProvisioningFailed']) => ({
  reason,
  failedStep: failedStep ?? null,
});

const timeoutDetails = ({ timeoutMs, pendingSteps }: PayloadOf['TenantProvisioningTimedOut']) => ({
  timeoutMs,
  pendingSteps,
});

/** A request that did not reach the receiver, or that it did not accept. */
export class AlertDeliveryFailed extends Error {
  override name = 'AlertDeliveryFailed';
}

export function alertEndpoint(options: AlertOptions): SinkDefinition {
  const send = options.fetch ?? fetch;
  // fetch refuses a URL with credentials in it: they travel as Basic authorization instead.
  const target = new URL(options.url);
  const authorization =
    target.username || target.password
      ? `Basic ${Buffer.from(`${decodeURIComponent(target.username)}:${decodeURIComponent(target.password)}`).toString('base64')}`
      : undefined;
  target.username = '';
  target.password = '';
  const shown = safeUrl(options.url);
  const signer = options.secret ? new Webhook(options.secret) : undefined;
  return {
    kind: 'sink',
    name: alertEndpointName,
    types: Object.keys(alertTypes),
    retry: alertRetry,
    async send(message, attempt) {
      const store = options.store;
      if (!store) throw new Error(`${alertEndpointName} was made without a store: it cannot send`);
      const { tenantId, eventId } = message;
      if (await store.getRecord<Delivered>(alertsCollection, tenantId, eventId)) return;
      const tenant = await findTenant(store, tenantId);
      const body = JSON.stringify(alertBody(message, tenant, options.publicUrl));
      // The wall clock, not the product's: the receiver checks the timestamp against its own.
      const sentAt = new Date();
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        'webhook-id': eventId,
        'webhook-timestamp': String(Math.floor(sentAt.getTime() / 1000)),
        ...(signer ? { 'webhook-signature': signer.sign(eventId, sentAt, body) } : {}),
        ...(authorization ? { authorization } : {}),
      };
      let status: number;
      try {
        const response = await send(target, {
          method: 'POST',
          headers,
          body,
          // A redirect is an answer other than 2xx: following it would resend the alert elsewhere.
          redirect: 'manual',
          signal: AbortSignal.timeout(requestTimeoutMs),
        });
        status = response.status;
        // Read the answer, so that the connection is free for the next request.
        await response.arrayBuffer().catch(() => undefined);
      } catch (error) {
        throw new AlertDeliveryFailed(`POST ${shown}: ${reason(error)}`, { cause: error });
      }
      if (status < 200 || status > 299)
        throw new AlertDeliveryFailed(`POST ${shown} answered ${status}`);
      await store.transaction((tx: Tx) =>
        tx.putRecord<Delivered>({
          collection: alertsCollection,
          tenantId,
          id: eventId,
          data: { type: message.type, status, attempt, deliveredAt: sentAt.toISOString() },
        }),
      );
      options.log.info(
        { ...messageFields(message), endpoint: alertEndpointName, eventId, url: shown, status },
        'onboarding alert delivered',
      );
    },
  };
}

/** Why a request failed, in words: fetch says only "fetch failed" and puts the cause beneath. */
function reason(error: unknown): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError'))
    return `no answer within ${requestTimeoutMs} ms`;
  const cause = error instanceof Error ? error.cause : undefined;
  if (cause instanceof Error) return `${(error as Error).message}: ${cause.message}`;
  return error instanceof Error ? error.message : String(error);
}
