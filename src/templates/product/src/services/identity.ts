/**
 * Built-in identity: invites the tenant's owner as a user. The invitation has an id; the code the
 * owner activates with is derived from it (activation.ts) when the e-mail goes out, and is stored
 * nowhere, so `UserInvited`, the saga's state and the user record carry the id only.
 */
import { randomUUID } from 'node:crypto';
import type { UserInvitedPayload } from '../contracts/messages.js';
import type { StepImplementation } from './steps.js';

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
