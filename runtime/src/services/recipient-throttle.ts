/**
 * E-mails to one address, counted in the store whichever client asked for them: without this, a
 * caller with many client addresses could have the product mail anyone's inbox as often as it
 * liked. Counted in the unit of work that causes the e-mail, so a refused or rolled-back unit
 * counts nothing, and every process on the store counts together.
 */
import { createHash } from 'node:crypto';
import type { Tx } from '../runtime/store.js';

/** The window of every per-recipient limit. */
export const recipientWindowMs = 3_600_000;

/** One address however it is written: `Ada@Example.com ` is `ada@example.com`. */
export const normalisedEmail = (email: string): string => email.trim().toLowerCase();

export type RecipientCount =
  { readonly allowed: true } | { readonly allowed: false; readonly resetAt: Date };

/**
 * Counts one e-mail of `purpose` to `email`, and whether it stays within `limit` an hour (0: no
 * limit, nothing counted). The store keeps a digest of the address, not the address.
 */
export async function countRecipient(
  tx: Tx,
  purpose: string,
  email: string,
  limit: number,
): Promise<RecipientCount> {
  if (limit === 0) return { allowed: true };
  const digest = createHash('sha256').update(normalisedEmail(email)).digest('base64url');
  const { hits, resetAt } = await tx.countHit(`${purpose} ${digest}`, recipientWindowMs);
  return hits <= limit ? { allowed: true } : { allowed: false, resetAt };
}
