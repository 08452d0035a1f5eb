/**
 * The tenant directory: who a tenant is (slug, name, edition, owner). Services look the tenant up
 * here by `tenantId` instead of trusting whatever message triggered them.
 */
import type { Tx } from '../runtime/store.js';

export const tenantsCollection = 'tenants';

export interface TenantRecord {
  readonly tenantId: string;
  readonly slug: string;
  readonly name: string;
  readonly edition: string;
  readonly owner: { readonly email: string; readonly name: string };
  readonly correlationId: string;
  readonly createdAt: string;
}

export async function findTenant(
  tx: Pick<Tx, 'getRecord'>,
  tenantId: string,
): Promise<TenantRecord | undefined> {
  const record = await tx.getRecord<TenantRecord>(tenantsCollection, tenantId, tenantId);
  return record?.data;
}

export async function saveTenant(tx: Pick<Tx, 'putRecord'>, tenant: TenantRecord): Promise<void> {
  await tx.putRecord({
    collection: tenantsCollection,
    tenantId: tenant.tenantId,
    id: tenant.tenantId,
    data: tenant,
  });
}
