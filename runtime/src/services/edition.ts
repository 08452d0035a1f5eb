/**
 * Configuration's answer to an edition change (`EditionChanged`, from the saga): the tenant
 * directory takes the new edition, and the entitlements of that edition are applied again, in
 * one transaction. Limits already consumed stay consumed: a downgrade below the current usage
 * refuses further consumption; it takes nothing away.
 */
import type { PayloadOf } from '../contracts/builtins.js';
import type { Catalog } from '../product-definition.js';
import { isEditionId } from '../product-definition.js';
import type { EndpointDefinition } from '../runtime/handler.js';
import { PermanentError } from '../runtime/handler.js';
import type { RetryPolicy } from '../saga/definition.js';
import { applyEntitlements } from './configuration.js';
import { findTenant, saveTenant } from './tenants.js';

export const editionEndpointName = 'configuration.edition-changed';

const retry: RetryPolicy = {
  attempts: 5,
  backoff: 'exponential',
  initialDelayMs: 200,
  maxDelayMs: 30_000,
};

export function editionEndpoint(catalog: Catalog): EndpointDefinition {
  return {
    name: editionEndpointName,
    types: ['EditionChanged'],
    retry,
    async handle(ctx) {
      const { to } = ctx.message.payload as PayloadOf['EditionChanged'];
      const tenant = await findTenant(ctx.tx, ctx.message.tenantId);
      if (!tenant)
        throw new PermanentError(`tenant ${ctx.message.tenantId} is not in the directory`);
      if (!isEditionId(catalog, to)) throw new PermanentError(`unknown edition ${to}`);
      const moved = { ...tenant, edition: to };
      await saveTenant(ctx.tx, moved);
      await applyEntitlements(ctx.tx, catalog, moved, ctx.now);
    },
  };
}
