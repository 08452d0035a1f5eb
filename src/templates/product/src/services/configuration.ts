/**
 * Built-in configuration: applies the edition's features, limits and flags to the tenant. Flags
 * resolve tenant override → edition → default.
 */
import type { EditionId, FlagId } from '../catalog.js';
import { editions, flagFor, flags, isEditionId } from '../catalog.js';
import type { EntitlementsAppliedPayload } from '../contracts/messages.js';
import type { Tx } from '../runtime/store.js';
import { StepFailure } from './step-context.js';
import type { StepImplementation } from './steps.js';

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

/** Flag values for a tenant: its overrides first, then the edition, then the default. */
export async function resolveFlags(
  tx: Pick<Tx, 'getRecord'>,
  tenantId: string,
  edition: EditionId,
): Promise<Record<string, boolean>> {
  const overrides =
    (await tx.getRecord<Record<string, boolean>>(flagOverridesCollection, tenantId, 'current'))
      ?.data ?? {};
  return Object.fromEntries(
    (Object.keys(flags) as FlagId[]).map((flag) => [
      flag,
      overrides[flag] ?? flagFor(flag, edition),
    ]),
  );
}

export const configuration: StepImplementation = {
  async run(_message, context): Promise<EntitlementsAppliedPayload> {
    const { tenant } = context;
    if (!isEditionId(tenant.edition))
      throw new StepFailure(`tenant ${tenant.tenantId} has unknown edition ${tenant.edition}`);
    const plan = editions[tenant.edition];
    const entitlements: Entitlements = {
      edition: tenant.edition,
      status: 'applied',
      features: [...plan.features],
      limits: { ...plan.limits },
      flags: await resolveFlags(context.tx, tenant.tenantId, tenant.edition),
      appliedAt: context.now.toISOString(),
    };
    await context.tx.putRecord({
      collection: entitlementsCollection,
      tenantId: tenant.tenantId,
      id: 'current',
      data: entitlements,
    });
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
};
