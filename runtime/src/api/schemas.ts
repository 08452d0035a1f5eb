/**
 * The JSON Schemas of the API, built from the blueprint's catalogue (editions, slug pattern,
 * features, limits, flags). Fastify validates requests with them, and /openapi.json publishes
 * them with the documented responses: one definition for both, so the two cannot drift.
 */
import type { Catalog } from '../product-definition.js';
import { tenantStates } from '../saga/tenant-machine.js';

/**
 * A string from a list of the catalogue's ids. A blueprint may have none (no flags, say): an
 * empty `enum` is not valid JSON Schema, and `not: {}` says the same, that nothing matches.
 */
const oneOf = (values: readonly string[]) =>
  values.length > 0 ? { type: 'string', enum: values } : { type: 'string', not: {} };

const string = (maxLength: number, description?: string) =>
  ({ type: 'string', minLength: 1, maxLength, ...(description ? { description } : {}) }) as const;

/**
 * No control character (`\p{Cc}`: line breaks, tabs, NUL, escapes): a name is one line of plain
 * text wherever it is shown, in a log line, a console cell or an e-mail.
 */
export const plainTextPattern = '^\\P{Cc}*$';

/** A display name: one line of plain text. */
const plainText = (maxLength: number, description?: string) =>
  ({ ...string(maxLength, description), pattern: plainTextPattern }) as const;

export const uuid = { type: 'string', format: 'uuid' } as const;
export const dateTime = { type: 'string', format: 'date-time' } as const;

export const tenantParams = {
  type: 'object',
  additionalProperties: false,
  required: ['id'],
  properties: { id: { ...uuid, description: 'The tenant id.' } },
} as const;

export const idempotencyHeaders = {
  type: 'object',
  properties: {
    'idempotency-key': {
      type: 'string',
      minLength: 1,
      maxLength: 255,
      pattern: '^[\\x21-\\x7E]+$',
      description:
        "A random key per request (a UUID), the client's own: repeating the request with the same key and body answers the same tenant.",
    },
  },
} as const;

const paymentTerms = {
  type: 'string',
  enum: ['free', 'trial', 'paid'],
  description:
    '`free`: nothing to pay. `trial`: ready now; pay before the trial ends or the tenant is suspended. `paid`: onboarding (or the edition change) waits for the payment, within the onboarding timeout.',
} as const;

const checkoutUrl = {
  type: 'string',
  format: 'uri',
  description: 'Where to pay (`CHECKOUT_URL` with the tenant id); absent when it is not set.',
} as const;

export const paymentOffer = {
  type: 'object',
  required: ['terms'],
  properties: { terms: paymentTerms, checkoutUrl },
} as const;

const nullableDate = { type: ['string', 'null'], format: 'date-time' } as const;

/** The tenant's subscription, and an edition change waiting for its payment. */
const billing = {
  type: ['object', 'null'],
  description: "The tenant's subscription; `null` before billing opened it.",
  required: ['status', 'edition', 'trialEndsAt', 'paidAt'],
  properties: {
    status: {
      type: 'string',
      enum: ['trialing', 'awaiting_payment', 'active', 'past_due', 'canceled'],
    },
    edition: { type: 'string' },
    trialEndsAt: nullableDate,
    paidAt: nullableDate,
    checkoutUrl,
  },
} as const;

const pendingEdition = {
  type: ['object', 'null'],
  description: 'A change to a paid edition that waits for its payment; `null` when none does.',
  required: ['edition', 'requestedAt', 'expiresAt'],
  properties: {
    edition: { type: 'string' },
    requestedAt: { type: 'string', format: 'date-time' },
    expiresAt: { type: 'string', format: 'date-time' },
    checkoutUrl,
  },
} as const;

export const signUpAccepted = {
  type: 'object',
  required: ['tenantId', 'correlationId', 'state', 'progressToken'],
  properties: {
    tenantId: uuid,
    correlationId: uuid,
    state: { type: 'string' },
    progressToken: {
      type: 'string',
      description:
        'A bearer token, valid for an hour, that reads this tenant (`GET /tenants/{id}`) and nothing else.',
    },
    payment: paymentOffer,
  },
} as const;

const stepStatus = { type: 'string', enum: ['Pending', 'Succeeded', 'Failed', 'Compensated'] };

export const tenantState = { type: 'string', enum: tenantStates } as const;

export const tenant = {
  type: 'object',
  required: ['tenantId', 'slug', 'name', 'edition', 'state', 'steps', 'correlationId', 'failure'],
  properties: {
    tenantId: uuid,
    slug: { type: 'string' },
    name: { type: 'string' },
    edition: { type: 'string' },
    state: tenantState,
    steps: { type: 'object', additionalProperties: stepStatus },
    correlationId: uuid,
    failure: {
      type: ['object', 'null'],
      description: 'Why the last onboarding attempt failed; `null` when it did not.',
      required: ['reason'],
      properties: { reason: { type: 'string' }, step: { type: 'string' } },
    },
    billing,
    pendingEdition,
  },
} as const;

export const tenantQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    state: tenantState,
    q: {
      type: 'string',
      minLength: 1,
      maxLength: 200,
      description: 'Only tenants whose slug or name contains this, in any case.',
    },
    limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
    cursor: { type: 'string', maxLength: 500 },
  },
} as const;

export const tenantPage = {
  type: 'object',
  required: ['items'],
  properties: {
    items: { type: 'array', items: tenant },
    nextCursor: { type: 'string', description: 'Pass as `cursor` for the next page.' },
  },
} as const;

export const timeline = {
  type: 'object',
  required: ['tenantId', 'entries'],
  properties: {
    tenantId: uuid,
    entries: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'action', 'at', 'correlationId', 'causationId'],
        properties: {
          id: uuid,
          tenantId: uuid,
          correlationId: { type: 'string' },
          causationId: { type: 'string' },
          action: { type: 'string' },
          fromState: { type: ['string', 'null'] },
          toState: { type: ['string', 'null'] },
          detail: { type: 'object' },
          at: dateTime,
        },
      },
    },
  },
} as const;

export const reasonBody = {
  type: ['object', 'null'],
  additionalProperties: false,
  properties: { reason: { type: 'string', maxLength: 500 } },
} as const;

export const commandAccepted = {
  type: 'object',
  required: ['tenantId', 'accepted'],
  properties: { tenantId: uuid, accepted: { type: 'string' } },
} as const;

export const editionChangeAccepted = {
  type: 'object',
  required: ['tenantId', 'accepted', 'edition', 'payment'],
  properties: {
    tenantId: uuid,
    accepted: { type: 'string' },
    edition: { type: 'string' },
    payment: paymentOffer,
  },
} as const;

export const tokenBody = {
  type: ['object', 'null'],
  additionalProperties: false,
  properties: {
    expiresIn: {
      type: 'integer',
      minimum: 60,
      maximum: 30 * 86_400,
      default: 3600,
      description: 'Seconds until the token expires.',
    },
  },
} as const;

export const tokenMinted = {
  type: 'object',
  required: ['token', 'tokenType', 'tenantId', 'expiresAt'],
  properties: {
    token: { type: 'string' },
    tokenType: { type: 'string', enum: ['Bearer'] },
    tenantId: uuid,
    expiresAt: dateTime,
  },
} as const;

export const limitUsage = {
  type: 'object',
  required: ['max', 'used', 'remaining'],
  properties: {
    max: { type: ['integer', 'null'], description: '`null`: unlimited.' },
    used: { type: 'integer' },
    remaining: { type: ['integer', 'null'] },
  },
} as const;

export const usageBody = {
  type: 'object',
  additionalProperties: false,
  required: ['amount'],
  properties: { amount: { type: 'integer', minimum: 1, maximum: 1_000_000 } },
} as const;

export const usage = {
  type: 'object',
  required: ['tenantId', 'limit', ...limitUsage.required],
  properties: { tenantId: uuid, limit: { type: 'string' }, ...limitUsage.properties },
} as const;

export const flagBody = {
  type: 'object',
  additionalProperties: false,
  required: ['enabled'],
  properties: { enabled: { type: 'boolean' } },
} as const;

export const flagView = {
  type: 'object',
  required: ['tenantId', 'flag', 'enabled', 'source'],
  properties: {
    tenantId: uuid,
    flag: { type: 'string' },
    enabled: { type: 'boolean' },
    source: { type: 'string', enum: ['override', 'edition', 'default'] },
  },
} as const;

export const envelope = {
  type: 'object',
  description: 'The message as it travelled, unchanged (it may be invalid: that can be why).',
  properties: {
    eventId: { type: 'string' },
    type: { type: 'string' },
    version: { type: 'integer' },
    occurredAt: { type: 'string' },
    tenantId: { type: 'string' },
    correlationId: { type: 'string' },
    causationId: { type: 'string' },
    traceId: { type: 'string' },
    payload: {},
  },
} as const;

export const deadLetter = {
  type: 'object',
  required: [
    'id',
    'consumer',
    'envelope',
    'errorType',
    'errorMessage',
    'attempts',
    'firstFailedAt',
    'lastFailedAt',
    'replayable',
  ],
  properties: {
    id: uuid,
    consumer: { type: 'string', description: 'The endpoint that failed to handle the message.' },
    envelope,
    errorType: { type: 'string' },
    errorMessage: { type: 'string' },
    attempts: { type: 'integer', minimum: 1 },
    firstFailedAt: dateTime,
    lastFailedAt: dateTime,
    replayable: {
      type: 'boolean',
      description: 'False when the message is older than the inbox retention: replay needs force.',
    },
  },
} as const;

export const deadLetterQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { tenantId: uuid, type: { type: 'string', maxLength: 200 } },
} as const;

export const deadLetterList = {
  type: 'object',
  required: ['items'],
  properties: { items: { type: 'array', items: deadLetter } },
} as const;

export const deadLetterParams = {
  type: 'object',
  additionalProperties: false,
  required: ['id'],
  properties: { id: uuid },
} as const;

export const forceQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    force: {
      type: 'boolean',
      default: false,
      description: 'Replay even a message older than the inbox retention.',
    },
  },
} as const;

export const replayOutcome = {
  type: 'string',
  enum: ['replayed', 'wouldReplay', 'notFound', 'tooOld'],
} as const;

export const replayed = {
  type: 'object',
  required: ['id', 'outcome'],
  properties: { id: uuid, outcome: replayOutcome },
} as const;

export const bulkReplayBody = {
  type: 'object',
  additionalProperties: false,
  required: ['ids'],
  properties: {
    ids: { type: 'array', items: uuid, minItems: 1, maxItems: 500, uniqueItems: true },
    dryRun: { type: 'boolean', default: false },
  },
} as const;

export const bulkReplayed = {
  type: 'object',
  required: ['dryRun', 'results'],
  properties: { dryRun: { type: 'boolean' }, results: { type: 'array', items: replayed } },
} as const;

export const health = {
  type: 'object',
  required: ['status', 'store', 'bus'],
  properties: {
    status: { type: 'string', enum: ['ok', 'unavailable'] },
    store: { type: 'boolean' },
    bus: { type: 'boolean' },
  },
} as const;

export const problemSchema = {
  type: 'object',
  description: 'RFC 9457 problem details.',
  required: ['type', 'title', 'status'],
  properties: {
    type: { type: 'string', format: 'uri-reference' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    instance: { type: 'string' },
    errors: {
      type: 'array',
      description: 'Each thing wrong with the request.',
      items: {
        type: 'object',
        required: ['in', 'path', 'message'],
        properties: {
          in: { type: 'string' },
          path: { type: 'string' },
          message: { type: 'string' },
        },
      },
    },
  },
} as const;

export const billingWebhookBody = {
  type: 'object',
  additionalProperties: false,
  required: ['type', 'tenantId'],
  properties: {
    type: {
      type: 'string',
      enum: ['payment.past_due', 'payment.settled'],
      description:
        '`payment.past_due` publishes `PaymentPastDue`, `payment.settled` `PaymentSettled`.',
    },
    tenantId: { ...uuid, description: 'The tenant whose invoice it is.' },
    invoiceId: string(200, "The provider's invoice, carried in the message."),
    occurredAt: {
      type: 'string',
      format: 'date-time',
      description:
        'When the event happened at the provider. Events of a tenant apply in this order: one older than the newest applied is acknowledged and not applied. Without it, `webhook-timestamp` stands for it.',
    },
  },
} as const;

/** Checked by the route itself before validation (a missing one is a 401); listed for the docs. */
export const billingWebhookHeaders = {
  type: 'object',
  required: ['webhook-id', 'webhook-timestamp', 'webhook-signature'],
  properties: {
    'webhook-id': {
      type: 'string',
      maxLength: 255,
      description: 'The delivery; a repeated id is applied once.',
    },
    'webhook-timestamp': {
      type: 'string',
      pattern: '^[0-9]+$',
      description: 'Unix seconds; more than 5 minutes off is refused.',
    },
    'webhook-signature': {
      type: 'string',
      description: '`v1,<base64 HMAC-SHA256>`, several separated by spaces.',
    },
  },
} as const;

export const billingWebhookAccepted = {
  type: 'object',
  required: ['webhookId', 'accepted', 'tenantId', 'replayed', 'applied'],
  properties: {
    webhookId: { type: 'string' },
    eventId: {
      ...uuid,
      description: 'The message it was published as (the first time); absent when not applied.',
    },
    accepted: { type: 'string', enum: ['PaymentPastDue', 'PaymentSettled'] },
    tenantId: uuid,
    replayed: { type: 'boolean', description: 'True when this `webhook-id` was accepted before.' },
    applied: {
      type: 'boolean',
      description:
        "False when the event is older than the newest one applied for the tenant: acknowledged, noted on the tenant's timeline, and not published.",
    },
  },
} as const;

export const activationBody = {
  type: 'object',
  additionalProperties: false,
  required: ['tenantId', 'code'],
  properties: {
    tenantId: { ...uuid, description: 'The tenant of the invitation (the link names it).' },
    code: string(100, 'The activation code of the e-mail.'),
  },
} as const;

export const activated = {
  type: 'object',
  required: ['tenantId', 'userId', 'status'],
  properties: { tenantId: uuid, userId: uuid, status: { type: 'string', enum: ['Active'] } },
} as const;

const stepView = {
  type: 'object',
  required: ['id', 'service', 'on', 'emits', 'compensate'],
  properties: {
    id: { type: 'string' },
    service: { type: 'string' },
    on: { type: 'string', description: 'The message that starts the step.' },
    emits: { type: ['string', 'null'], description: 'The event its success publishes.' },
    compensate: { type: ['string', 'null'], description: 'The command that undoes it.' },
  },
} as const;

const machineView = {
  type: 'object',
  required: ['states', 'initial', 'transitions'],
  properties: {
    states: { type: 'array', items: { type: 'string' } },
    initial: { type: 'string' },
    transitions: {
      type: 'array',
      items: {
        type: 'object',
        required: ['from', 'to', 'on'],
        properties: { from: { type: 'string' }, to: { type: 'string' }, on: { type: 'string' } },
      },
    },
  },
} as const;

export const catalog = {
  type: 'object',
  required: [
    'product',
    'slugPattern',
    'defaultEdition',
    'editions',
    'onboarding',
    'tenantMachine',
    'workflowMachine',
    'workflows',
  ],
  properties: {
    product: {
      type: 'object',
      required: ['name', 'title'],
      properties: { name: { type: 'string' }, title: { type: 'string' } },
    },
    slugPattern: {
      type: 'string',
      description: 'The source of the regular expression a slug must match.',
    },
    defaultEdition: { type: 'string' },
    editions: {
      type: 'array',
      description: 'In the order of the blueprint.',
      items: {
        type: 'object',
        required: ['id', 'title', 'trialDays', 'price', 'features', 'limits'],
        properties: {
          id: { type: 'string' },
          title: { type: 'string' },
          trialDays: { type: 'integer' },
          price: {
            type: 'object',
            required: ['amount', 'currency', 'interval'],
            properties: {
              amount: { type: 'number' },
              currency: { type: 'string' },
              interval: { type: 'string', enum: ['month', 'year'] },
            },
          },
          features: {
            type: 'array',
            items: {
              type: 'object',
              required: ['id', 'title'],
              properties: { id: { type: 'string' }, title: { type: 'string' } },
            },
          },
          limits: {
            type: 'object',
            description: '`null`: unlimited.',
            additionalProperties: { type: ['number', 'null'] },
          },
        },
      },
    },
    onboarding: {
      type: 'object',
      required: ['id', 'steps', 'timeoutMs'],
      properties: {
        id: { type: 'string' },
        steps: { type: 'array', items: stepView },
        timeoutMs: { type: 'integer' },
      },
    },
    tenantMachine: machineView,
    workflowMachine: machineView,
    workflows: {
      type: 'array',
      description: 'The domain workflows a tenant can start.',
      items: {
        type: 'object',
        required: ['id', 'startedBy', 'steps', 'timeoutMs'],
        properties: {
          id: { type: 'string' },
          startedBy: { type: 'string', description: 'The command that starts a run.' },
          steps: { type: 'array', items: stepView },
          timeoutMs: { type: 'integer' },
        },
      },
    },
  },
} as const;

export const tenantCounts = {
  type: 'object',
  description: 'How many tenants are in each state of the tenant machine (0 included).',
  required: tenantStates,
  properties: Object.fromEntries(
    tenantStates.map((state) => [state, { type: 'integer', minimum: 0 }]),
  ),
  additionalProperties: false,
} as const;

export const messagesQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { limit: { type: 'integer', minimum: 1, maximum: 1000, default: 500 } },
} as const;

export const tenantMessages = {
  type: 'object',
  required: ['items'],
  properties: {
    items: {
      type: 'array',
      description:
        'In the order they were committed; a root of the causation tree is caused by itself or by a message not among them.',
      items: {
        type: 'object',
        required: ['eventId', 'type', 'occurredAt', 'correlationId', 'causationId', 'tenantId'],
        properties: {
          eventId: uuid,
          type: { type: 'string' },
          occurredAt: dateTime,
          correlationId: { type: 'string' },
          causationId: { type: 'string' },
          tenantId: uuid,
        },
      },
    },
  },
} as const;

/**
 * The schemas that list the catalogue's ids (editions, features, limits, flags) or its slug
 * pattern: built once per product, by `buildServer`.
 */
export function catalogSchemas(catalog: Catalog) {
  const editionIds = Object.keys(catalog.editions);
  const flagIds = Object.keys(catalog.flags);
  const { limitIds, slugPattern, features } = catalog;
  const limitProperties = Object.fromEntries(limitIds.map((id) => [id, limitUsage]));
  const editionId = {
    type: 'string',
    enum: editionIds,
    description: 'An edition of the catalogue.',
  } as const;
  const signUpBody = {
    type: 'object',
    additionalProperties: false,
    required: ['slug', 'name', 'owner'],
    properties: {
      slug: {
        type: 'string',
        pattern: slugPattern.source,
        description: `Unique; must match ${slugPattern.source}.`,
      },
      name: plainText(200, "The tenant's display name: one line, no control characters."),
      edition: { ...editionId, description: "Defaults to the blueprint's default edition." },
      owner: {
        type: 'object',
        additionalProperties: false,
        required: ['email', 'name'],
        properties: {
          email: { type: 'string', format: 'email', maxLength: 254 },
          name: plainText(200, 'One line, no control characters.'),
        },
      },
    },
  } as const;
  const entitlements = {
    type: 'object',
    required: ['tenantId', 'edition', 'status', 'features', 'limits', 'flags', 'flagSources'],
    properties: {
      tenantId: uuid,
      edition: { type: 'string' },
      status: {
        type: 'string',
        enum: ['applied', 'pending', 'revoked'],
        description:
          "`pending`: the configuration service has not applied them yet; the edition's hold.",
      },
      features: { type: 'array', items: oneOf(Object.keys(features)) },
      limits: { type: 'object', properties: limitProperties, additionalProperties: false },
      flags: {
        type: 'object',
        properties: Object.fromEntries(flagIds.map((id) => [id, { type: 'boolean' }])),
        additionalProperties: false,
      },
      flagSources: {
        type: 'object',
        description: "Where each flag's value comes from: tenant override → edition → default.",
        additionalProperties: { type: 'string', enum: ['override', 'edition', 'default'] },
      },
    },
  } as const;
  const editionBody = {
    type: 'object',
    additionalProperties: false,
    required: ['edition'],
    properties: { edition: editionId },
  } as const;
  const usageParams = {
    type: 'object',
    additionalProperties: false,
    required: ['id', 'limit'],
    properties: { id: uuid, limit: oneOf(limitIds) },
  } as const;
  const flagParams = {
    type: 'object',
    additionalProperties: false,
    required: ['id', 'flag'],
    properties: { id: uuid, flag: oneOf(flagIds) },
  } as const;
  return { editionId, signUpBody, entitlements, editionBody, usageParams, flagParams };
}

export type CatalogSchemas = ReturnType<typeof catalogSchemas>;
