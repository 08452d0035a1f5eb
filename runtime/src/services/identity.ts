/**
 * Built-in identity: invites the tenant's owner as a user. The invitation has an id; the code the
 * owner activates with is derived from it (activation.ts) when the e-mail goes out, and is stored
 * nowhere, so `UserInvited`, the saga's state and the user record carry the id only. The owner
 * activates with that code (`activateOwner`): the user becomes `Active` and `UserActivated` is
 * published, in one unit of work.
 */
import { randomUUID } from 'node:crypto';
import type { CorrelationId, TenantId } from '../contracts/envelope.js';
import { startEnvelope } from '../contracts/envelope.js';
import type { UserInvitedPayload } from '../contracts/builtins.js';
import type { Runtime } from '../runtime/runtime.js';
import type { ActivationCodes } from './activation.js';
import type { StepImplementation } from './steps.js';
import { findTenant } from './tenants.js';
import { Refused, unlessRefused } from './refusal.js';

export const usersCollection = 'users';

export interface User {
  readonly userId: string;
  readonly email: string;
  readonly name: string;
  readonly role: 'owner' | 'member';
  readonly status: 'Invited' | 'Active' | 'Disabled';
  /** The current invitation: its code is the one that activates the user. */
  readonly invitationId: string;
  readonly invitedAt: string;
}

export const identity: StepImplementation = {
  async run(_message, context): Promise<UserInvitedPayload> {
    const { tenant } = context;
    const existing = await context.tx.getRecord<User>(usersCollection, tenant.tenantId, 'owner');
    // Inviting again (an operator retry) keeps the user and issues a fresh invitation, which
    // voids the code of the earlier one.
    const user: User = {
      userId: existing?.data.userId ?? randomUUID(),
      email: tenant.owner.email,
      name: tenant.owner.name,
      role: 'owner',
      status: 'Invited',
      invitationId: randomUUID(),
      invitedAt: context.now.toISOString(),
    };
    await context.tx.putRecord({
      collection: usersCollection,
      tenantId: tenant.tenantId,
      id: 'owner',
      data: user,
    });
    return {
      userId: user.userId,
      email: user.email,
      name: user.name,
      invitationId: user.invitationId,
    };
  },

  async compensate(_message, context) {
    const existing = await context.tx.getRecord<User>(
      usersCollection,
      context.tenant.tenantId,
      'owner',
    );
    if (!existing || existing.data.status === 'Disabled') return;
    await context.tx.putRecord({ ...existing, data: { ...existing.data, status: 'Disabled' } });
  },
};

export interface ActivationRequest {
  readonly tenantId: string;
  readonly code: string;
}

export interface ActivationOptions {
  readonly codes: ActivationCodes;
  /** How long after its invitation a code still activates: `ACTIVATION_TTL_HOURS`. */
  readonly ttlMs: number;
}

/**
 * What an activation came to. `invalid` is a wrong code and an unknown tenant alike, so that
 * the answer never tells which tenants exist; the other refusals need the right code.
 */
export type ActivationResult =
  | { readonly kind: 'activated'; readonly tenantId: string; readonly userId: string }
  | { readonly kind: 'invalid' }
  | { readonly kind: 'already-active' }
  | { readonly kind: 'disabled' }
  | { readonly kind: 'expired'; readonly expiredAt: string };

/** Claimed once per invitation: of two concurrent activations, one wins. */
const activationScope = 'activation';

/** Activates the tenant's invited owner with the code of the e-mail. */
export async function activateOwner(
  runtime: Runtime,
  request: ActivationRequest,
  options: ActivationOptions,
): Promise<ActivationResult> {
  return unlessRefused(() =>
    runtime.execute(async ({ tx, now, publish }) => {
      const { tenantId, code } = request;
      const record = await tx.getRecord<User>(usersCollection, tenantId, 'owner');
      const tenant = await findTenant(tx, tenantId);
      if (!record || !tenant || !options.codes.matches(code, tenantId, record.data.invitationId))
        return { kind: 'invalid' } as const;
      const user = record.data;
      if (user.status === 'Active') return { kind: 'already-active' } as const;
      if (user.status === 'Disabled') return { kind: 'disabled' } as const;
      const expiresAt = new Date(Date.parse(user.invitedAt) + options.ttlMs);
      if (now.getTime() >= expiresAt.getTime())
        return { kind: 'expired', expiredAt: expiresAt.toISOString() } as const;
      // A claim of its own per attempt: a concurrent activation of the same invitation finds
      // it taken (PostgreSQL makes it wait for this one's commit first).
      const attempt = randomUUID();
      if ((await tx.claimUnique(activationScope, user.invitationId, attempt)) !== attempt)
        throw new Refused<ActivationResult>({ kind: 'already-active' });
      await tx.putRecord({ ...record, data: { ...user, status: 'Active' } satisfies User });
      publish(
        startEnvelope({
          type: 'UserActivated',
          tenantId: tenantId as TenantId,
          correlationId: tenant.correlationId as CorrelationId,
          occurredAt: now,
          payload: { userId: user.userId, email: user.email },
        }),
      );
      return { kind: 'activated', tenantId, userId: user.userId } as const;
    }),
  );
}
