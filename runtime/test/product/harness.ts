/**
 * Runs the whole fixture product in-process for the runtime's tests: the test kit
 * (`startTestProduct`) on SQLite and the memory transport, or on PostgreSQL and RabbitMQ when the
 * environment names them (infrastructure.ts), with the fixture's placeholder handlers.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { catalog } from '../../src/catalog.js';
import { productDefinition } from '../../src/product.js';
import { ManualClock } from '../../src/runtime/clock.js';
import { workflows } from '../../src/saga/definitions.js';
import { productHandlers } from '../../src/services/registry.js';
import type { TestProduct, TestProductOptions } from '../../src/testing/index.js';
import { slugMaker, startTestProduct } from '../../src/testing/index.js';
import { doubles } from '../doubles.js';
import { infrastructureFor } from './infrastructure.js';

export type { SignUpBody, TenantBody } from '../../src/testing/index.js';
export { adminToken, bearer, jwtSecret } from '../../src/testing/index.js';

export type Product = TestProduct;

export type ProductOptions = Omit<
  Partial<TestProductOptions<unknown>>,
  'product' | 'handlers' | 'store' | 'transport'
>;

/** A fresh slug the blueprint's slug pattern accepts. */
export const nextSlug = slugMaker(catalog);

export async function startProduct(options: ProductOptions = {}): Promise<Product> {
  const clock = options.clock ?? new ManualClock();
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'product-'));
  const infra = await infrastructureFor(dir, clock);
  return startTestProduct({
    ...options,
    product: productDefinition,
    handlers: productHandlers(doubles()),
    dir,
    clock,
    transport: infra.transport,
    ...(infra.store ? { store: infra.store } : {}),
  });
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

/** The fixture product and its handlers, for a test that calls `createApp` itself. */
export const fixture = { product: productDefinition, handlers: productHandlers(doubles()) };
