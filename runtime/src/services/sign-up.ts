/**
 * Sign-up: a new tenant, its slug claimed, its `TenantRegistered` published, in one unit of work.
 * What can go wrong is a result, not an exception, so the HTTP route only translates it.
 *
 * An `Idempotency-Key` is the client's (`client`), and is remembered for `keyTtlMs` with the
 * tenant it created and a fingerprint of the request body: repeating the request answers the same tenant, another body is refused,
 * and after the TTL the key may be used again. A refused sign-up claims nothing (the unit rolls
 * back), so neither its slug nor its key is spent.
 *
 * One owner e-mail may be named in `emailLimit` sign-ups an hour, whichever clients send them:
 * past that the sign-up is refused, and creates nothing.
 */
import { createHash } from 'node:crypto';
import {
  childTraceParent,
  isTraceParent,
  newTenantId,
  startEnvelope,
} from '../contracts/envelope.js';
import { canonicalJson } from '../runtime/canonical-json.js';
import type { Runtime } from '../runtime/runtime.js';
import type { Tx } from '../runtime/store.js';
import { countRecipient } from './recipient-throttle.js';
import { saveTenant } from './tenants.js';
import { Refused, unlessRefused } from './refusal.js';

export interface SignUpRequest {
  readonly slug: string;
  readonly name: string;
  readonly edition?: string;
  readonly owner: { readonly email: string; readonly name: string };
}

export interface SignUpOptions {
  readonly idempotencyKey?: string;
  /**
   * Who sent the request (`clientOf`): an `Idempotency-Key` is this client's, so that another
   * client's same key (a README's example, a guessed one) is another request.
   */
  readonly client?: string;
  /** The caller's W3C `traceparent`: the onboarding joins its trace. */
  readonly traceParent?: string;
  readonly keyTtlMs: number;
  /** The edition of a sign-up that names none. */
  readonly defaultEdition: string;
  /** `SIGNUP_EMAIL_LIMIT`: sign-ups an hour that may name one owner e-mail (0: no limit). */
  readonly emailLimit?: number;
}

export type SignUpResult =
  | {
      readonly kind: 'created';
      readonly tenantId: string;
      readonly correlationId: string;
      readonly traceId: string;
    }
  | { readonly kind: 'replayed'; readonly tenantId: string }
  | { readonly kind: 'slug-taken'; readonly slug: string }
  | { readonly kind: 'key-reused' }
  /** The owner's address was named in `emailLimit` sign-ups this hour; it may be again then. */
  | { readonly kind: 'email-throttled'; readonly retryAt: Date };

export const slugScope = 'slug';
const keyScope = 'idempotency-key:sign-up';

export async function signUp(
  runtime: Runtime,
  request: SignUpRequest,
  options: SignUpOptions,
): Promise<SignUpResult> {
  const print = fingerprint(request);
  const tenantId = newTenantId();
  return unlessRefused(() =>
    runtime.execute(async ({ tx, now, publish }) => {
      if (options.idempotencyKey !== undefined) {
        const earlier = await claimKey(
          tx,
          // A key is visible ASCII (no space): the client before the first space is unambiguous.
          `${options.client ?? ''} ${options.idempotencyKey}`,
          { tenantId, print, now },
          options.keyTtlMs,
        );
        if (earlier) {
          if (earlier.print !== print) throw new Refused<SignUpResult>({ kind: 'key-reused' });
          return { kind: 'replayed', tenantId: earlier.tenantId } as const;
        }
      }
      // Each sign-up e-mails its owner: one address is not mailed more often than this, whichever
      // clients ask. A replay (above) mails nobody, so it counts nothing.
      const recipient = await countRecipient(
        tx,
        'sign-up-email',
        request.owner.email,
        options.emailLimit ?? 0,
      );
      if (!recipient.allowed)
        throw new Refused<SignUpResult>({ kind: 'email-throttled', retryAt: recipient.resetAt });
      if ((await tx.claimUnique(slugScope, request.slug, tenantId)) !== tenantId)
        throw new Refused<SignUpResult>({ kind: 'slug-taken', slug: request.slug });
      const edition = request.edition ?? options.defaultEdition;
      const caller = options.traceParent;
      const registered = publish(
        startEnvelope({
          type: 'TenantRegistered',
          tenantId,
          occurredAt: now,
          ...(caller && isTraceParent(caller) ? { traceId: childTraceParent(caller) } : {}),
          payload: {
            slug: request.slug,
            name: request.name,
            edition,
            ownerEmail: request.owner.email,
            ownerName: request.owner.name,
          },
        }),
      );
      await saveTenant(tx, {
        tenantId,
        slug: request.slug,
        name: request.name,
        edition,
        owner: { email: request.owner.email, name: request.owner.name },
        correlationId: registered.correlationId,
        createdAt: now.toISOString(),
      });
      return {
        kind: 'created',
        tenantId,
        correlationId: registered.correlationId,
        traceId: registered.traceId,
      } as const;
    }),
  );
}

interface KeyHolder {
  readonly tenantId: string;
  readonly print: string;
  readonly now: Date;
}

/**
 * Claims the idempotency key for this sign-up; returns the earlier sign-up that holds it, if one
 * does and has not expired. An expired claim is released and claimed anew.
 */
async function claimKey(
  tx: Tx,
  key: string,
  mine: KeyHolder,
  ttlMs: number,
): Promise<KeyHolder | undefined> {
  const claim = `${mine.tenantId} ${mine.print} ${mine.now.getTime()}`;
  const holder = await tx.claimUnique(keyScope, key, claim);
  if (holder === claim) return undefined;
  const [tenantId = '', print = '', at] = holder.split(' ');
  // A claim without a time (written before keys expired) counts as made at the epoch: expired.
  if (mine.now.getTime() - Number(at ?? 0) < ttlMs)
    return { tenantId, print, now: new Date(Number(at)) };
  await tx.releaseUnique(keyScope, key, holder);
  await tx.claimUnique(keyScope, key, claim);
  return undefined;
}

/** The same body, however its fields are ordered, has one fingerprint. */
const fingerprint = (body: unknown) =>
  createHash('sha256').update(canonicalJson(body)).digest('hex');
