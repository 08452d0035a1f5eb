/**
 * Runs the whole product in-process for tests: the real API, runtime, services and saga, on
 * SQLite (a temporary file) and the memory transport, or on PostgreSQL and RabbitMQ when the
 * environment names them (infrastructure.ts), with a manual clock so that retries and timeouts
 * are tested without sleeping.
 */
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterEach } from 'vitest';
import type { App } from '../../src/app.js';
import { slugPattern } from '../../src/catalog.js';
import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import type { Envelope } from '../../src/contracts/envelope.js';
import { ManualClock } from '../../src/runtime/clock.js';
import { tapped } from '../../src/runtime/transport.js';
import type { AuditEntry } from '../../src/runtime/store.js';
import { tenantSagaType } from '../../src/saga/endpoints.js';
import type { OnboardingState } from '../../src/saga/onboarding.js';
import { workflows } from '../../src/saga/definitions.js';
import { infrastructureFor } from './infrastructure.js';

export interface Product {
  readonly app: App;
  readonly clock: ManualClock;
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
  signUp(
    overrides?: Partial<SignUpBody>,
  ): Promise<{ tenantId: string; correlationId: string; slug: string }>;
  tenant(tenantId: string): Promise<TenantBody>;
  saga(tenantId: string): Promise<OnboardingState | undefined>;
  timeline(tenantId: string): Promise<AuditEntry[]>;
  mails(): string[];
  stop(): Promise<void>;
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
}

let slugs = 0;

/** A slug length the blueprint's pattern accepts for lower-case letters, found by trying. */
const slugLength = [8, 6, 10, 5, 12, 4, 16, 7, 9, 3, 20, 24, 32].find(
  (length) => slugPattern.test('a'.repeat(length)) && slugPattern.test('z'.repeat(length)),
);

/** A fresh slug the blueprint's slug pattern accepts. */
export function nextSlug(): string {
  if (slugLength === undefined) throw new Error(`no lower-case slug matches ${slugPattern}`);
  slugs += 1;
  let n = slugs;
  let slug = '';
  for (let i = 0; i < slugLength; i++) {
    slug = String.fromCharCode(97 + (n % 26)) + slug;
    n = Math.floor(n / 26);
  }
  return slug;
}

/** The operators' token and the JWT secret of every test product. */
export const adminToken = 'test-admin-token-0123456789abcdef';
export const jwtSecret = 'test-jwt-secret-0123456789abcdef0123456789';

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

export interface ProductOptions {
  readonly faults?: string;
  readonly spanExporter?: SpanExporter;
  readonly logStream?: NodeJS.WritableStream;
  readonly logLevel?: string;
  /** More environment, over the harness's own. */
  readonly env?: Record<string, string>;
  /** Reuse the database (and mail folder) of an earlier product: a restart. */
  readonly dir?: string;
  readonly clock?: ManualClock;
  /**
   * Types the test listens to although no endpoint of the product does: the in-process bus
   * drops such a message before it is written, so without this `published` never shows it.
   */
  readonly listens?: readonly string[];
}

export async function startProduct(options: ProductOptions = {}): Promise<Product> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'product-'));
  const clock = options.clock ?? new ManualClock();
  const config = loadConfig({
    DATABASE_URL: `file:${join(dir, 'app.db')}`,
    MAIL_DIR: join(dir, 'mail'),
    LOG_LEVEL: options.logLevel ?? 'silent',
    SAAS_FAULTS: options.faults ?? '',
    // Tests sign up many tenants from one address; the limit's own test sets it.
    SIGNUP_RATE_LIMIT: '0',
    ADMIN_TOKEN: adminToken,
    JWT_SECRET: jwtSecret,
    ...options.env,
  });
  const published: Envelope[] = [];
  const infra = await infrastructureFor(dir, clock);
  const transport = tapped(
    infra.transport,
    (envelope) => published.push(envelope),
    options.listens,
  );
  const app = createApp(config, {
    clock,
    transport,
    ...(infra.store ? { store: infra.store } : {}),
    ...(options.spanExporter ? { spanExporter: options.spanExporter } : {}),
    ...(options.logStream ? { logStream: options.logStream } : {}),
  });
  await app.store.migrate();
  await app.runtime.start();
  const settle = () => app.runtime.flush();
  const product: Product = {
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
      const slug = overrides.slug ?? nextSlug();
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
      return { ...(response.json() as { tenantId: string; correlationId: string }), slug };
    },
    async tenant(tenantId) {
      const response = await product.inject({ method: 'GET', url: `/tenants/${tenantId}` });
      return response.json() as TenantBody;
    },
    async saga(tenantId) {
      return (await app.store.getSaga<OnboardingState>(tenantSagaType, tenantId))?.state;
    },
    timeline: (tenantId) => app.store.timeline(tenantId),
    mails: () => {
      try {
        return readdirSync(join(dir, 'mail'));
      } catch {
        return [];
      }
    },
    async stop() {
      await app.stop();
    },
  };
  return product;
}

export const onboardingSteps = workflows.onboarding.steps;
/** An onboarding step no other step waits for: holding it back keeps the tenant provisioning. */
export const lastOnboardingStep = onboardingSteps.find(
  (step) => !onboardingSteps.some((other) => other.on === step.emits),
)!;

/** The longest onboarding may take: its timeout. */
export const onboardingTimeoutMs = workflows.onboarding.timeoutMs;

/** A `startProduct` whose products are stopped after each test of the file that calls this. */
export function productPerTest(): (options?: ProductOptions) => Promise<Product> {
  const products: Product[] = [];
  afterEach(async () => {
    await Promise.all(products.splice(0).map((p) => p.stop().catch(() => undefined)));
  });
  return async (options = {}) => {
    const started = await startProduct(options);
    products.push(started);
    return started;
  };
}
