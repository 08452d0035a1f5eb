/**
 * `@saas-gen/runtime/testing`: a whole product in-process for tests. The real API, runtime,
 * services and sagas on the memory transport and SQLite (a temporary file), with a manual clock
 * so that retries and timeouts are tested without sleeping, faults injected by step
 * (`SAAS_FAULTS`), and any step's code replaced for one test.
 *
 *   const p = await startTestProduct({ product, handlers: productHandlers(doubles) });
 *   const { tenantId } = await p.signUp();
 *   await p.settle();   // a paid edition without a trial waits: `await p.pay(tenantId)`
 *   expect((await p.tenant(tenantId)).state).toBe('Active');
 *   await p.stop();
 *
 * It needs no test framework; `tenantSteps`, `nextSlug` and the fault helpers read what to
 * provoke from the product's own definition, so a test derived from them holds for any blueprint.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import { Webhook } from 'standardwebhooks';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import type { App } from '../app.js';
import { createApp } from '../app.js';
import { loadConfig } from '../config.js';
import type { Envelope } from '../contracts/envelope.js';
import type { Catalog, ProductDefinition } from '../product-definition.js';
import { onboardingOf } from '../product-definition.js';
import { ManualClock } from '../runtime/clock.js';
import type { AuditEntry, Store } from '../runtime/store.js';
import type { Transport } from '../runtime/transport.js';
import { tapped } from '../runtime/transport.js';
import { MemoryTransport } from '../runtime/memory-transport.js';
import type { StepDefinition, WorkflowDefinition } from '../saga/definition.js';
import type { SubscriptionStatus } from '../services/billing.js';
import { retryDelay } from '../saga/definition.js';
import { tenantSagaType } from '../saga/endpoints.js';
import type { OnboardingState } from '../saga/onboarding.js';
import { currentSubscription } from '../services/billing.js';
import type { StepImplementation } from '../services/steps.js';

export { ManualClock } from '../runtime/clock.js';

/** The operators' token and the JWT secret of every test product. */
export const adminToken = 'test-admin-token-0123456789abcdef';
export const jwtSecret = 'test-jwt-secret-0123456789abcdef0123456789';

/** The `BILLING_WEBHOOK_SECRET` of every test product: `billingEvent` signs with it. */
export const billingWebhookSecret = `whsec_${Buffer.from('test-billing-webhook-key-0123456789').toString('base64')}`;

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** A payment provider's event, as `POST /webhooks/billing` takes it. */
export interface BillingEvent {
  readonly type: 'payment.settled' | 'payment.past_due';
  readonly tenantId: string;
  readonly invoiceId?: string;
  /** When it happened at the provider (ISO); the delivery's timestamp stands in without it. */
  readonly occurredAt?: string;
}

export interface SignUpBody {
  slug: string;
  name: string;
  edition?: string;
  owner: { email: string; name: string };
}

export interface TenantBody {
  tenantId: string;
  slug: string;
  edition: string;
  state: string;
  steps: Record<string, string>;
  correlationId: string;
  /** Its subscription; none before the billing step ran, or without one. */
  billing: {
    status: SubscriptionStatus;
    edition: string;
    trialEndsAt: string | null;
    paidAt: string | null;
    checkoutUrl?: string;
  } | null;
  /** A change to a paid edition that waits for its payment. */
  pendingEdition: {
    edition: string;
    requestedAt: string;
    expiresAt: string;
    checkoutUrl?: string;
  } | null;
}

export interface TestProduct {
  readonly app: App;
  readonly clock: ManualClock;
  /** The product's folder: its SQLite database and the e-mails it wrote (`mail/`). */
  readonly dir: string;
  /** Every message published so far, in order. */
  readonly published: Envelope[];
  /**
   * A request to the API, as an operator unless `token` says otherwise (`null`: no token at
   * all; a string: that bearer token).
   */
  inject(options: InjectOptions & { token?: string | null }): Promise<LightMyRequestResponse>;
  /** Delivers everything due now and waits until the product is idle. */
  settle(): Promise<void>;
  /**
   * Moves the clock `totalMs` forward, stopping at each moment something is due on the way (a
   * retry, a timeout, a lease running out) to deliver it and settle.
   */
  elapse(totalMs: number): Promise<void>;
  /**
   * Signs a tenant up through the public API (a fresh slug unless given). Without an `edition`,
   * on the default edition, as a customer who pays at checkout: when that edition waits for a
   * payment, `settle` delivers it once the subscription awaits it. A test that names a paid
   * edition sees the wait, and pays with `pay`.
   */
  signUp(
    overrides?: Partial<SignUpBody>,
  ): Promise<{ tenantId: string; correlationId: string; slug: string }>;
  tenant(tenantId: string): Promise<TenantBody>;
  /**
   * Delivers a payment provider's event through the real webhook, signed with
   * `billingWebhookSecret` (a fresh `webhook-id` unless given), and answers the response.
   */
  billingEvent(
    event: BillingEvent,
    delivery?: { readonly webhookId?: string },
  ): Promise<LightMyRequestResponse>;
  /** The tenant's payment settled at the provider: `billingEvent` and `settle`. */
  pay(tenantId: string): Promise<void>;
  saga(tenantId: string): Promise<OnboardingState | undefined>;
  timeline(tenantId: string): Promise<AuditEntry[]>;
  /** The files of the e-mails sent so far. */
  mails(): string[];
  /** The text of an e-mail `mails()` listed. */
  mail(file: string): string;
  stop(): Promise<void>;
}

export interface TestProductOptions<Handlers> {
  readonly product: ProductDefinition<Handlers>;
  /** The team's handlers, built with test doubles of their dependencies. */
  readonly handlers: Handlers;
  /** `SAAS_FAULTS`: `<step>:fail`, `<step>:transient:<n>`, `<step>:hang`, comma-separated. */
  readonly faults?: string;
  /** Replaces the code of these steps (by step id) for this product only. */
  readonly steps?: Readonly<Record<string, StepImplementation>>;
  /** More environment, over the kit's own. */
  readonly env?: Readonly<Record<string, string>>;
  /** Reuse the folder of an earlier product (its database and mail): a restart. */
  readonly dir?: string;
  readonly clock?: ManualClock;
  /** Another store or transport (PostgreSQL, RabbitMQ); default SQLite in `dir` and memory. */
  readonly store?: Store;
  readonly transport?: Transport;
  readonly spanExporter?: SpanExporter;
  readonly logStream?: NodeJS.WritableStream;
  readonly logLevel?: string;
  /**
   * Types the test listens to although no endpoint of the product does: the in-process bus
   * drops such a message before it is written, so without this `published` never shows it.
   */
  readonly listens?: readonly string[];
}

export async function startTestProduct<Handlers>(
  options: TestProductOptions<Handlers>,
): Promise<TestProduct> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'product-'));
  const clock = options.clock ?? new ManualClock();
  const config = loadConfig({
    DATABASE_URL: `file:${join(dir, 'app.db')}`,
    MAIL_DIR: join(dir, 'mail'),
    LOG_LEVEL: options.logLevel ?? 'silent',
    SAAS_FAULTS: options.faults ?? '',
    // Tests sign up many tenants from one address, some to one e-mail; the limits' own tests
    // set them.
    SIGNUP_RATE_LIMIT: '0',
    SIGNUP_EMAIL_LIMIT: '0',
    ACTIVATION_EMAIL_LIMIT: '0',
    ADMIN_TOKEN: adminToken,
    JWT_SECRET: jwtSecret,
    BILLING_WEBHOOK_SECRET: billingWebhookSecret,
    ...options.env,
  });
  const published: Envelope[] = [];
  const transport = tapped(
    options.transport ?? new MemoryTransport(),
    (envelope) => published.push(envelope),
    options.listens,
  );
  const overridden = options.steps;
  const product: ProductDefinition<Handlers> = overridden
    ? {
        ...options.product,
        steps: (handlers, builtins) => ({
          ...options.product.steps(handlers, builtins),
          ...overridden,
        }),
      }
    : options.product;
  const app = createApp(config, {
    product,
    handlers: options.handlers,
    clock,
    transport,
    ...(options.store ? { store: options.store } : {}),
    ...(options.spanExporter ? { spanExporter: options.spanExporter } : {}),
    ...(options.logStream ? { logStream: options.logStream } : {}),
  });
  await app.store.migrate();
  await app.runtime.start();
  // Kept by folder, so that a restarted product (the same `dir`) still pays for them.
  const paysAtCheckout = checkoutPayers.get(dir) ?? new Set<string>();
  checkoutPayers.set(dir, paysAtCheckout);
  const settle = async () => {
    await app.runtime.flush();
    for (const tenantId of paysAtCheckout) {
      const subscription = await currentSubscription(app.store, tenantId);
      if (!subscription) continue;
      paysAtCheckout.delete(tenantId);
      if (subscription.status !== 'awaiting_payment') continue;
      await started.billingEvent({ type: 'payment.settled', tenantId });
      await app.runtime.flush();
    }
  };
  const slugs = slugMaker(product.catalog);
  const mailDir = join(dir, 'mail');
  const started: TestProduct = {
    app,
    clock,
    dir,
    published,
    inject({ token = adminToken, ...request }) {
      return app.server.inject({
        ...request,
        headers: { ...request.headers, ...(token === null ? {} : bearer(token)) },
      });
    },
    settle,
    async elapse(totalMs) {
      const end = clock.now().getTime() + totalMs;
      await settle();
      for (let now = clock.now().getTime(); now < end; now = clock.now().getTime()) {
        // Every timed thing is a scheduled message: waking only when one is due skips the quiet
        // stretches, which matters on a broker, where each settle is a few round trips.
        const due = (await app.store.nextDue())?.getTime();
        clock.advance((due !== undefined && due > now ? Math.min(due, end) : end) - now);
        await settle();
      }
    },
    async signUp(overrides = {}) {
      const slug = overrides.slug ?? slugs();
      // Sign-up is public: no token.
      const response = await app.server.inject({
        method: 'POST',
        url: '/tenants',
        payload: {
          slug,
          name: `Tenant ${slug}`,
          owner: { email: `owner@${slug}.test`, name: 'Owner' },
          ...overrides,
        },
      });
      if (response.statusCode !== 202)
        throw new Error(`sign-up refused: ${response.statusCode} ${response.body}`);
      const accepted = response.json() as { tenantId: string; correlationId: string };
      if (overrides.edition === undefined) paysAtCheckout.add(accepted.tenantId);
      return { ...accepted, slug };
    },
    async tenant(tenantId) {
      const response = await started.inject({ method: 'GET', url: `/tenants/${tenantId}` });
      return response.json() as TenantBody;
    },
    billingEvent(event, delivery = {}) {
      const body = JSON.stringify(event);
      const webhookId = delivery.webhookId ?? `msg_${randomUUID()}`;
      const secret = config.billingWebhookSecret ?? billingWebhookSecret;
      return app.server.inject({
        method: 'POST',
        url: '/webhooks/billing',
        headers: {
          'content-type': 'application/json',
          'webhook-id': webhookId,
          'webhook-timestamp': String(Math.floor(clock.now().getTime() / 1000)),
          'webhook-signature': new Webhook(secret).sign(webhookId, clock.now(), body),
        },
        payload: body,
      });
    },
    async pay(tenantId) {
      const response = await started.billingEvent({ type: 'payment.settled', tenantId });
      if (response.statusCode !== 202)
        throw new Error(`payment refused: ${response.statusCode} ${response.body}`);
      await settle();
    },
    async saga(tenantId) {
      return (await app.store.getSaga<OnboardingState>(tenantSagaType, tenantId))?.state;
    },
    timeline: (tenantId) => app.store.timeline(tenantId),
    mails: () => {
      try {
        return readdirSync(mailDir).sort();
      } catch {
        return [];
      }
    },
    mail: (file) => readFileSync(join(mailDir, file), 'utf8'),
    async stop() {
      await app.stop();
    },
  };
  return started;
}

/**
 * By product folder, the tenants the kit signed up on the default edition: they pay when their
 * subscription awaits it, also after a restart of the product on the same folder.
 */
const checkoutPayers = new Map<string, Set<string>>();

let slugCount = 0;

/** Fresh slugs that the catalogue's slug pattern accepts: lower-case letters, of a length found by trying. */
export function slugMaker(catalog: Pick<Catalog, 'slugPattern'>): () => string {
  const pattern = catalog.slugPattern;
  const length = [8, 6, 10, 5, 12, 4, 16, 7, 9, 3, 20, 24, 32].find(
    (n) => pattern.test('a'.repeat(n)) && pattern.test('z'.repeat(n)),
  );
  return () => {
    if (length === undefined) throw new Error(`no lower-case slug matches ${pattern}`);
    slugCount += 1;
    let n = slugCount;
    let slug = '';
    for (let i = 0; i < length; i++) {
      slug = String.fromCharCode(97 + (n % 26)) + slug;
      n = Math.floor(n / 26);
    }
    return slug;
  };
}

/** The onboarding workflow of a product. */
export const onboardingWorkflow = (
  product: Pick<ProductDefinition, 'workflows' | 'lifecycle'>,
): WorkflowDefinition => onboardingOf(product).workflow;

/** The onboarding steps that no other step waits for: holding one back keeps the tenant provisioning. */
export const lastSteps = (workflow: WorkflowDefinition): StepDefinition[] =>
  workflow.steps.filter((step) => !workflow.steps.some((other) => other.on === step.emits));

/**
 * The steps that completed before `step` can start, in the order they complete: `step`'s
 * trigger chain back to the workflow's trigger. When `step` fails, these are what compensates.
 */
export function stepsBefore(workflow: WorkflowDefinition, step: StepDefinition): StepDefinition[] {
  const chain: StepDefinition[] = [];
  for (let on = step.on; on !== workflow.trigger;) {
    const emitter = workflow.steps.find((other) => other.emits === on);
    if (!emitter) break;
    chain.unshift(emitter);
    on = emitter.on;
  }
  return chain;
}

/** How long all of a step's retries take at most: the delays between its attempts. */
export function retryBudgetMs(step: StepDefinition): number {
  let total = 0;
  for (let attempt = 1; attempt < step.retry.attempts; attempt++)
    total += retryDelay(step.retry, attempt);
  return total;
}

interface FieldSchema {
  readonly type?: string;
  readonly format?: string;
  readonly items?: FieldSchema;
}

/** A value its JSON Schema accepts. */
function sample(schema: FieldSchema): unknown {
  if (schema.type === 'array') return [sample(schema.items ?? {})];
  if (schema.type === 'integer' || schema.type === 'number') return 1;
  if (schema.type === 'boolean') return true;
  if (schema.type === 'object') return {};
  const formats: Record<string, string> = {
    uuid: randomUUID(),
    email: 'someone@example.com',
    uri: 'https://example.com/',
    'date-time': new Date(0).toISOString(),
    date: '2030-01-01',
  };
  return formats[schema.format ?? ''] ?? 'sample';
}

/**
 * A payload of message `type` that its schema in `product` accepts, made up from the schema: a
 * domain workflow's start command, say, whatever fields the blueprint gave it.
 */
export function samplePayload(
  product: Pick<ProductDefinition, 'messages'>,
  type: string,
): Record<string, unknown> {
  const schema = product.messages.payloadSchemas[type] as
    { readonly properties?: Record<string, FieldSchema> } | undefined;
  if (!schema) throw new Error(`the product has no message ${type}`);
  return Object.fromEntries(
    Object.entries(schema.properties ?? {}).map(([name, field]) => [name, sample(field)]),
  );
}
