/**
 * Entitlements, enforced, for every edition of the catalogue: one test per edition × feature,
 * per edition × limit boundary and per edition × flag, through the API and the typed in-process
 * API that domain handlers use; then edition changes, flag overrides and concurrent consumption.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { EditionId, FeatureId, FlagId, LimitId } from '../../src/catalog.js';
import {
  catalog,
  editionIds,
  editions,
  features,
  flagFor,
  flags,
  limitIds,
} from '../../src/catalog.js';
import { entitlementsOf, limitsOf } from '../../src/entitlements.js';
import { workflows } from '../../src/saga/definitions.js';
import {
  activeTenant,
  expectProblem,
  expectUnchanged,
  snapshot,
  tenantToken,
} from './api-support.js';
import type { Product } from './harness.js';
import { lastOnboardingStep, startProduct } from './harness.js';

interface EntitlementsBody {
  edition: string;
  status: string;
  features: string[];
  limits: Record<string, { max: number | null; used: number; remaining: number | null }>;
  flags: Record<string, boolean>;
  flagSources: Record<string, string>;
}

const featureIds = Object.keys(features) as FeatureId[];
/** The flags as data: a catalogue may have none, and then `flags` has no keys to index. */
const flagDefaults: Record<string, { readonly default: boolean }> = flags;
const flagIds = Object.keys(flags) as FlagId[];
const limitOf = (edition: EditionId, limit: LimitId): number | null =>
  (editions[edition].limits as Record<string, number | null>)[limit] ?? null;

const byEditionAndFeature = editionIds.flatMap((edition) =>
  featureIds.map(
    (feature) => [edition, feature, editions[edition].features.includes(feature as never)] as const,
  ),
);
const byEditionAndLimit = editionIds.flatMap((edition) =>
  limitIds.map((limit) => [edition, limit, limitOf(edition, limit)] as const),
);
const byEditionAndFlag = editionIds.flatMap((edition) =>
  flagIds.map((flag) => [edition, flag, flagFor(flag, edition)] as const),
);

describe('per edition', () => {
  let p: Product;
  /** One Active tenant on each edition. */
  const tenants = new Map<string, string>();
  beforeAll(async () => {
    p = await startProduct();
    for (const edition of editionIds)
      tenants.set(edition, (await activeTenant(p, { edition })).tenantId);
  });
  afterAll(async () => {
    await p.stop();
  });

  const entitlementsOfTenant = async (edition: EditionId) => {
    const tenantId = tenants.get(edition)!;
    const token = await tenantToken(p, tenantId);
    const response = await p.inject({
      method: 'GET',
      url: `/tenants/${tenantId}/entitlements`,
      token,
    });
    expect(response.statusCode, response.body).toBe(200);
    return response.json() as EntitlementsBody;
  };

  it.each(editionIds)('applies the %s edition to its tenants', async (edition) => {
    const body = await entitlementsOfTenant(edition);
    expect(body.edition).toBe(edition);
    expect(body.features).toEqual([...editions[edition].features].sort());
    for (const limit of limitIds) expect(body.limits[limit]!.max).toBe(limitOf(edition, limit));
  });

  // Only what this blueprint has: a product without flags has no flag tests, not skipped ones.
  if (byEditionAndFeature.length > 0) {
    it.each(byEditionAndFeature)('%s has feature %s: %s', async (edition, feature, included) => {
      expect((await entitlementsOfTenant(edition)).features.includes(feature)).toBe(included);
      // What a domain handler asks, in its step's transaction.
      const has = await p.app.runtime.execute(({ tx }) =>
        entitlementsOf(tx, catalog).has(tenants.get(edition)!, feature),
      );
      expect(has).toBe(included);
    });
  }

  if (byEditionAndLimit.length > 0) {
    it.each(byEditionAndLimit)(
      '%s: %s can be consumed up to its limit (%s), and not one more',
      async (edition, limit, max) => {
        const tenantId = tenants.get(edition)!;
        const token = await tenantToken(p, tenantId);
        const consume = (amount: number) =>
          p.inject({
            method: 'POST',
            url: `/tenants/${tenantId}/usage/${limit}`,
            token,
            payload: { amount },
          });
        if (max === null) {
          const response = await consume(1_000_000);
          expect(response.json()).toMatchObject({ used: 1_000_000, max: null, remaining: null });
          return;
        }
        if (max > 1) {
          // The bulk through the typed API domain handlers use, the boundary over HTTP.
          const bulk = await p.app.runtime.execute(({ tx }) =>
            limitsOf(tx, catalog).consume(tenantId, limit, max - 1),
          );
          expect(bulk).toMatchObject({ ok: true, used: max - 1, remaining: 1 });
        }
        if (max > 0) {
          const last = await consume(1);
          expect(last.statusCode, last.body).toBe(200);
          expect(last.json()).toMatchObject({ limit, used: max, max, remaining: 0 });
        }
        const before = await snapshot(p);
        const refused = expectProblem(await consume(1), 409);
        expect(refused).toMatchObject({
          title: 'Limit exceeded',
          limit,
          used: max,
          max,
          remaining: 0,
        });
        const typed = await p.app.runtime.execute(({ tx }) =>
          limitsOf(tx, catalog).consume(tenantId, limit, 1),
        );
        expect(typed.ok).toBe(false);
        await expectUnchanged(p, before);
        expect((await entitlementsOfTenant(edition)).limits[limit]).toEqual({
          max,
          used: max,
          remaining: 0,
        });
      },
    );
  }

  if (byEditionAndFlag.length > 0) {
    it.each(byEditionAndFlag)(
      '%s: flag %s is %s unless overridden',
      async (edition, flag, value) => {
        const body = await entitlementsOfTenant(edition);
        expect(body.flags[flag]).toBe(value);
        expect(body.flagSources[flag]).toBe(
          value === flagDefaults[flag]!.default ? 'default' : 'edition',
        );
        expect(
          await p.app.runtime.execute(({ tx }) =>
            entitlementsOf(tx, catalog).flag(tenants.get(edition)!, flag),
          ),
        ).toBe(value);
      },
    );
  }
});

describe('changes', () => {
  let p: Product;
  afterEach(async () => {
    await p.stop();
  });

  if (editionIds.length > 1) {
    it('re-applies entitlements through the bus when an operator changes the edition, audited', async () => {
      p = await startProduct();
      const [from, to] = editionIds as [EditionId, EditionId];
      const { tenantId } = await activeTenant(p, { edition: from });
      const response = await p.inject({
        method: 'PUT',
        url: `/tenants/${tenantId}/edition`,
        payload: { edition: to },
      });
      expect(response.statusCode, response.body).toBe(202);
      await p.settle();
      expect(p.published.map((m) => m.type)).toEqual(
        expect.arrayContaining(['ChangeEdition', 'EditionChanged']),
      );
      expect((await p.tenant(tenantId)).edition).toBe(to);
      const body = (
        await p.inject({ method: 'GET', url: `/tenants/${tenantId}/entitlements` })
      ).json() as EntitlementsBody;
      expect(body).toMatchObject({
        edition: to,
        status: 'applied',
        features: [...editions[to].features].sort(),
      });
      for (const limit of limitIds) expect(body.limits[limit]!.max).toBe(limitOf(to, limit));
      const entry = (await p.timeline(tenantId)).find((e) => e.action === 'editionChanged');
      expect(entry?.detail).toEqual({ from, to });
    });
  }

  it('refuses an edition change for a tenant that is not Active or Suspended, or to an unknown edition', async () => {
    // Its last step never answers, so the tenant stays in provisioning however fast the rest is.
    p = await startProduct({ faults: `${lastOnboardingStep.id}:hang` });
    const { tenantId } = await p.signUp();
    const early = await p.inject({
      method: 'PUT',
      url: `/tenants/${tenantId}/edition`,
      payload: { edition: editionIds[0] },
    });
    expectProblem(early, 409);
    const unknown = await p.inject({
      method: 'PUT',
      url: `/tenants/${tenantId}/edition`,
      payload: { edition: 'platinum-x' },
    });
    expectProblem(unknown, 400);
    await p.settle();
    expect(p.published.filter((m) => m.type === 'ChangeEdition')).toEqual([]);
  });

  if (flagIds.length > 0) {
    it('lets an operator override a flag for one tenant, ahead of its edition', async () => {
      p = await startProduct();
      const flag = flagIds[0]!;
      const { tenantId } = await activeTenant(p);
      const current = (
        (
          await p.inject({ method: 'GET', url: `/tenants/${tenantId}/entitlements` })
        ).json() as EntitlementsBody
      ).flags[flag]!;
      const set = await p.inject({
        method: 'PUT',
        url: `/tenants/${tenantId}/flags/${flag}`,
        payload: { enabled: !current },
      });
      expect(set.json()).toEqual({ tenantId, flag, enabled: !current, source: 'override' });
      const body = (
        await p.inject({ method: 'GET', url: `/tenants/${tenantId}/entitlements` })
      ).json() as EntitlementsBody;
      expect(body.flags[flag]).toBe(!current);
      expect(body.flagSources[flag]).toBe('override');
      expect(
        await p.app.runtime.execute(({ tx }) => entitlementsOf(tx, catalog).flag(tenantId, flag)),
      ).toBe(!current);
      const cleared = await p.inject({
        method: 'DELETE',
        url: `/tenants/${tenantId}/flags/${flag}`,
      });
      expect(cleared.json()).toMatchObject({ enabled: current });
      expect(
        (await p.timeline(tenantId)).filter((e) => e.action === 'flagOverridden'),
      ).toHaveLength(2);
      expectProblem(
        await p.inject({
          method: 'PUT',
          url: `/tenants/${tenantId}/flags/noSuchFlag`,
          payload: { enabled: true },
        }),
        400,
      );
    });
  }

  const capped = byEditionAndLimit.filter(([, , max]) => max !== null && max > 0 && max <= 200);
  if (capped.length > 0) {
    it('never lets concurrent consumers exceed a limit', async () => {
      p = await startProduct();
      const [edition, limit, max] = capped.sort((a, b) => a[2]! - b[2]!)[0]!;
      const { tenantId } = await activeTenant(p, { edition });
      const token = await tenantToken(p, tenantId);
      const responses = await Promise.all(
        Array.from({ length: max! + 10 }, () =>
          p.inject({
            method: 'POST',
            url: `/tenants/${tenantId}/usage/${limit}`,
            token,
            payload: { amount: 1 },
          }),
        ),
      );
      expect(responses.filter((r) => r.statusCode === 200)).toHaveLength(max!);
      expect(responses.filter((r) => r.statusCode === 409)).toHaveLength(10);
      expect((await p.app.store.counters(tenantId))[limit]).toBe(max);
    });
  }

  if (limitIds.length > 0) {
    it('refuses usage of a limit the catalogue does not have, and for a tenant not Active', async () => {
      // Its last step never answers, so the tenant stays in provisioning however fast the rest is.
      p = await startProduct({ faults: `${lastOnboardingStep.id}:hang` });
      const { tenantId } = await p.signUp();
      const usage = (limit: string) =>
        p.inject({
          method: 'POST',
          url: `/tenants/${tenantId}/usage/${limit}`,
          payload: { amount: 1 },
        });
      expectProblem(await usage('noSuchLimit'), 400);
      expectProblem(await usage(limitIds[0]!), 409);
      await p.settle();
      expectProblem(
        await p.inject({
          method: 'POST',
          url: `/tenants/${tenantId}/usage/${limitIds[0]}`,
          payload: { amount: 0 },
        }),
        400,
      );
    });
  }

  // Revoking is configuration's compensation: a blueprint may leave it out.
  const revocable = workflows.onboarding.steps.some(
    (step) => step.service === 'configuration' && step.compensate,
  );
  if (revocable) {
    it('revokes everything when the tenant is decommissioned', async () => {
      p = await startProduct();
      const { tenantId } = await activeTenant(p);
      await p.inject({ method: 'POST', url: `/tenants/${tenantId}/decommission` });
      await p.settle();
      const body = (
        await p.inject({ method: 'GET', url: `/tenants/${tenantId}/entitlements` })
      ).json() as EntitlementsBody;
      expect(body).toMatchObject({ status: 'revoked', features: [] });
      for (const feature of featureIds)
        expect(
          await p.app.runtime.execute(({ tx }) =>
            entitlementsOf(tx, catalog).has(tenantId, feature),
          ),
        ).toBe(false);
    });
  }
});
