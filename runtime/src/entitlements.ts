/**
 * Entitlements, enforced: what a tenant may use, for domain handlers and the API alike.
 *
 *   const { entitlements, limits } = context;          // in a step handler (StepContext)
 *   if (await entitlements.has(tenantId, 'sso')) …
 *   const seat = await limits.consume(tenantId, 'seats', 1);
 *   if (!seat.ok) throw new StepFailure(seat.reason);
 *
 * Both read through the transaction they are given, so what a handler consumes commits (or
 * rolls back) with the rest of its step, exactly once. The source of truth is what the
 * configuration service applied; before it has, the tenant's edition holds ("pending").
 */
import type { Catalog } from './product-definition.js';
import { isEditionId } from './product-definition.js';
import type { Tx } from './runtime/store.js';
import type { Entitlements as Applied, FlagSource } from './services/configuration.js';
import { entitlementsCollection, resolveFlagSources } from './services/configuration.js';
import { findTenant } from './services/tenants.js';

type Reader = Pick<Tx, 'getRecord'>;

export interface Effective {
  readonly edition: string;
  readonly status: 'applied' | 'pending' | 'revoked';
  readonly features: readonly string[];
  /** Per limit: the maximum, `null` for unlimited. */
  readonly limits: Readonly<Record<string, number | null>>;
}

export interface EntitlementsApi {
  /** Whether the tenant may use `feature` now. */
  has(tenantId: string, feature: string): Promise<boolean>;
  /** A flag's value: tenant override → edition → default. */
  flag(tenantId: string, flag: string): Promise<boolean>;
  /** Everything at once, as `GET /tenants/{id}/entitlements` shows it (without usage). */
  effective(tenantId: string): Promise<Effective | undefined>;
  flags(tenantId: string): Promise<Record<string, { value: boolean; source: FlagSource }>>;
}

export type ConsumeResult =
  | {
      readonly ok: true;
      readonly used: number;
      readonly max: number | null;
      readonly remaining: number | null;
    }
  | {
      readonly ok: false;
      readonly reason: string;
      readonly used: number;
      readonly max: number | null;
      readonly remaining: number | null;
    };

export interface LimitsApi {
  /** Consumes `amount` of a limit, atomically; refused (not thrown) when it would exceed it. */
  consume(tenantId: string, limit: string, amount?: number): Promise<ConsumeResult>;
  /** Gives `amount` back (a seat freed); never below zero. Returns what is used after. */
  release(tenantId: string, limit: string, amount?: number): Promise<number>;
}

/** What the tenant is entitled to now: the applied record, else its edition's catalogue entry. */
async function effectiveOf(
  tx: Reader,
  catalog: Catalog,
  tenantId: string,
): Promise<Effective | undefined> {
  const applied = (await tx.getRecord<Applied>(entitlementsCollection, tenantId, 'current'))?.data;
  if (applied?.status === 'revoked')
    return {
      edition: applied.edition,
      status: 'revoked',
      features: [],
      limits: Object.fromEntries(catalog.limitIds.map((id) => [id, 0])),
    };
  if (applied) return { ...applied, status: 'applied' };
  const tenant = await findTenant(tx, tenantId);
  const plan =
    tenant && isEditionId(catalog, tenant.edition) ? catalog.editions[tenant.edition] : undefined;
  if (!tenant || !plan) return undefined;
  return {
    edition: tenant.edition,
    status: 'pending',
    features: [...plan.features],
    limits: { ...plan.limits },
  };
}

export function entitlementsOf(tx: Reader, catalog: Catalog): EntitlementsApi {
  const flags = async (tenantId: string) =>
    resolveFlagSources(
      tx,
      catalog,
      tenantId,
      (await effectiveOf(tx, catalog, tenantId))?.edition ?? '',
    );
  return {
    effective: (tenantId) => effectiveOf(tx, catalog, tenantId),
    has: async (tenantId, feature) =>
      (await effectiveOf(tx, catalog, tenantId))?.features.includes(feature) ?? false,
    flag: async (tenantId, flag) => (await flags(tenantId))[flag]?.value ?? false,
    flags,
  };
}

export function limitsOf(tx: Pick<Tx, 'getRecord' | 'addToCounter'>, catalog: Catalog): LimitsApi {
  return {
    async consume(tenantId, limit, amount = 1) {
      if (!Number.isInteger(amount) || amount < 1)
        throw new RangeError(`consume a positive whole amount, not ${amount}`);
      const effective = await effectiveOf(tx, catalog, tenantId);
      if (!effective)
        return { ok: false, reason: `no tenant ${tenantId}`, used: 0, max: 0, remaining: 0 };
      const max = effective.limits[limit] ?? null;
      if (effective.status === 'revoked')
        return refused(
          tx,
          tenantId,
          limit,
          0,
          `the entitlements of tenant ${tenantId} are revoked`,
        );
      const used = await tx.addToCounter(tenantId, limit, amount, max);
      if (used === undefined)
        return refused(
          tx,
          tenantId,
          limit,
          max,
          `consuming ${amount} more ${limit} would exceed the ${effective.edition} edition's limit of ${max}`,
        );
      return { ok: true, used, max, remaining: max === null ? null : max - used };
    },
    async release(tenantId, limit, amount = 1) {
      const after = (await tx.addToCounter(tenantId, limit, -amount, null)) ?? 0;
      if (after >= 0) return after;
      return (await tx.addToCounter(tenantId, limit, -after, null)) ?? 0;
    },
  };
}

async function refused(
  tx: Pick<Tx, 'addToCounter'>,
  tenantId: string,
  limit: string,
  max: number | null,
  reason: string,
): Promise<ConsumeResult> {
  // Adding nothing reads the counter inside the same transaction.
  const used = (await tx.addToCounter(tenantId, limit, 0, null)) ?? 0;
  return { ok: false, reason, used, max, remaining: max === null ? null : Math.max(0, max - used) };
}
