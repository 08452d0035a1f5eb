/**
 * The owner's activation code. It is derived, never stored: an HMAC of the invitation with the
 * product's `JWT_SECRET`, computed when the e-mail is sent and again when the code comes back.
 * So the database, the outbox and the dead letters hold the invitation's id and nothing from
 * which the code can be read, and the only copy of the code is the e-mail itself.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface ActivationCodes {
  /** The code of one invitation of one tenant's user. */
  code(tenantId: string, invitationId: string): string;
  /** Whether `code` is that invitation's, compared in constant time. */
  matches(code: string, tenantId: string, invitationId: string): boolean;
}

export function activationCodes(secret: string): ActivationCodes {
  const code = (tenantId: string, invitationId: string) =>
    createHmac('sha256', secret)
      // A label of its own: the same secret signs tokens, and the two must never coincide.
      .update(`saas-gen activation code\u0000${tenantId}\u0000${invitationId}`)
      .digest()
      .subarray(0, 18)
      .toString('base64url');
  return {
    code,
    matches(candidate, tenantId, invitationId) {
      const expected = Buffer.from(code(tenantId, invitationId));
      const given = Buffer.from(candidate);
      return given.length === expected.length && timingSafeEqual(given, expected);
    },
  };
}
