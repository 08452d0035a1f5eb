/**
 * Built-in configuration: applies the edition's features, limits and flags to the tenant, at
 * onboarding and again when the edition changes (edition.ts). Flags resolve tenant override →
 * edition → default.
 */
import type { EntitlementsAppliedPayload } from '../contracts/builtins.js';
import type { Catalog } from '../product-definition.js';
import { flagFor, isEditionId } from '../product-definition.js';
import type { Tx } from '../runtime/store.js';
import { StepFailure } from './step-context.js';
import type { StepImplementation } from './steps.js';
import type { TenantRecord } from './tenants.js';

export const entitlementsCollection = 'entitlements';
export const flagOverridesCollection = 'flag-overrides';

export interface Entitlements {
  readonly edition: string;
  readonly status: 'applied' | 'revoked';
  readonly features: readonly string[];
  readonly limits: Readonly<Record<string, number | null>>;
  readonly flags: Readonly<Record<string, boolean>>;
  readonly appliedAt: string;
}

export type FlagSource = 'override' | 'edition' | 'default';

/** Each flag's value for a tenant and where it comes from: override, then edition, then default. */
export async function resolveFlagSources(
  tx: Pick<Tx, 'getRecord'>,
  catalog: Catalog,
  tenantId: string,
  edition: string,
): Promise<Record<string, { readonly value: boolean; readonly source: FlagSource }>> {
  const overrides =
    (await tx.getRecord<Record<string, boolean>>(flagOverridesCollection, tenantId, 'current'))
      ?.data ?? {};
  return Object.fromEntries(
    Object.entries(catalog.flags).map(([flag, definition]) => {
      const override = overrides[flag];
      if (typeof override === 'boolean') return [flag, { value: override, source: 'override' }];
      const value = isEditionId(catalog, edition)
        ? flagFor(catalog, flag, edition)
        : definition.default;
      return [flag, { value, source: value === definition.default ? 'default' : 'edition' }];
    }),
  );
}

/** Flag values for a tenant: its overrides first, then the edition, then the default. */
export async function resolveFlags(
  tx: Pick<Tx, 'getRecord'>,
  catalog: Catalog,
  tenantId: string,
  edition: string,
): Promise<Record<string, boolean>> {
  const resolved = await resolveFlagSources(tx, catalog, tenantId, edition);
  return Object.fromEntries(Object.entries(resolved).map(([flag, { value }]) => [flag, value]));
}

/** Writes the entitlements of the tenant's edition (the one in the tenant directory). */
export async function applyEntitlements(
  tx: Pick<Tx, 'getRecord' | 'putRecord'>,
  catalog: Catalog,
  tenant: Pick<TenantRecord, 'tenantId' | 'edition'>,
  now: Date,
): Promise<Entitlements> {
  const plan = isEditionId(catalog, tenant.edition) ? catalog.editions[tenant.edition] : undefined;
  if (!plan)
    throw new StepFailure(`tenant ${tenant.tenantId} has unknown edition ${tenant.edition}`);
  const entitlements: Entitlements = {
    edition: tenant.edition,
    status: 'applied',
    features: [...plan.features],
    limits: { ...plan.limits },
    flags: await resolveFlags(tx, catalog, tenant.tenantId, tenant.edition),
    appliedAt: now.toISOString(),
  };
  await tx.putRecord({
    collection: entitlementsCollection,
    tenantId: tenant.tenantId,
    id: 'current',
    data: entitlements,
  });
  return entitlements;
}

/** The built-in configuration step of a product with this catalog. */
export const configurationStep = (catalog: Catalog): StepImplementation => ({
  async run(_message, context): Promise<EntitlementsAppliedPayload> {
    const entitlements = await applyEntitlements(context.tx, catalog, context.tenant, context.now);
    return {
      edition: entitlements.edition,
      features: [...entitlements.features],
      limits: { ...entitlements.limits },
      flags: { ...entitlements.flags },
    };
  },

  async compensate(_message, context) {
    const current = await context.tx.getRecord<Entitlements>(
      entitlementsCollection,
      context.tenant.tenantId,
      'current',
    );
    if (!current || current.data.status === 'revoked') return;
    await context.tx.putRecord({
      ...current,
      data: { ...current.data, status: 'revoked', features: [] },
    });
  },
});
