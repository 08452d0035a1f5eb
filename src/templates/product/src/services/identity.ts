/**
 * Built-in identity: invites the tenant's owner as a user with a one-time activation token. The
 * token travels once, in `UserInvited`, to the activation e-mail; only its hash is kept.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { UserInvitedPayload } from '../contracts/messages.js';
import type { StepImplementation } from './steps.js';

export const usersCollection = 'users';

export interface User {
  readonly userId: string;
  readonly email: string;
  readonly name: string;
  readonly role: 'owner' | 'member';
  readonly status: 'Invited' | 'Active' | 'Disabled';
  readonly activationTokenSha256: string;
  readonly invitedAt: string;
}

export const hashToken = (token: string): string =>
  createHash('sha256').update(token).digest('hex');

export const identity: StepImplementation = {
  async run(_message, context): Promise<UserInvitedPayload> {
    const { tenant } = context;
    const existing = await context.tx.getRecord<User>(usersCollection, tenant.tenantId, 'owner');
    // Inviting again (an operator retry) keeps the user and issues a fresh token.
    const token = randomBytes(24).toString('base64url');
    const user: User = {
      userId: existing?.data.userId ?? randomUUID(),
      email: tenant.owner.email,
      name: tenant.owner.name,
      role: 'owner',
      status: 'Invited',
      activationTokenSha256: hashToken(token),
      invitedAt: context.now.toISOString(),
    };
    await context.tx.putRecord({
      collection: usersCollection,
      tenantId: tenant.tenantId,
      id: 'owner',
      data: user,
    });
    return { userId: user.userId, email: user.email, name: user.name, activationToken: token };
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
