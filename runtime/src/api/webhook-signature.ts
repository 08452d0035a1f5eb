/**
 * Standard Webhooks signatures (https://www.standardwebhooks.com): the sender signs
 * `<webhook-id>.<webhook-timestamp>.<body>` with HMAC-SHA256 under a shared secret (`whsec_` and
 * the key in base64) and sends `webhook-signature: v1,<base64 MAC>`, several of them separated by
 * spaces while it rotates its secret. The `standardwebhooks` package computes the MAC; the
 * timestamp is checked here against the product's clock, because the package's own `verify`
 * reads the wall clock, which a test's manual clock does not move.
 */
import { timingSafeEqual } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import type { Clock } from '../runtime/clock.js';

/** How far a message's timestamp may be from now, either way: the standard's five minutes. */
export const toleranceSeconds = 5 * 60;

/** The standard recommends keys of 24 to 64 bytes; shorter ones are refused at start. */
const minimumKeyBytes = 24;

const secretPattern = /^whsec_([A-Za-z0-9+/]+={0,2})$/;

/** A `webhook-id` is a key of the store: visible ASCII, bounded, like an `Idempotency-Key`. */
const idPattern = /^[\x21-\x7E]{1,255}$/;

/** Why the secret cannot be used, in words for the configuration error; `undefined` if it can. */
export function secretProblem(secret: string): string | undefined {
  const match = secretPattern.exec(secret);
  if (!match) return 'must be `whsec_` followed by the key in base64';
  const bytes = Buffer.from(match[1]!, 'base64').length;
  if (bytes < minimumKeyBytes)
    return `holds a key of ${bytes} bytes; use ${minimumKeyBytes} or more (whsec_$(openssl rand -base64 32))`;
  return undefined;
}

export type Verified = { readonly ok: true; readonly id: string };
export type Refused = { readonly ok: false; readonly reason: string };

/** Request headers as Node gives them, names in lower case. */
export type Headers = Readonly<Record<string, string | string[] | undefined>>;

export class SignatureVerifier {
  readonly #webhook: Webhook;
  readonly #clock: Clock;

  /** Throws with `secretProblem`'s words when the secret cannot be used. */
  constructor(secret: string, clock: Clock) {
    const problem = secretProblem(secret);
    if (problem) throw new Error(problem);
    this.#webhook = new Webhook(secret);
    this.#clock = clock;
  }

  /**
   * Whether `body`, exactly as received, was signed with the secret, recently. The signature is
   * checked before the timestamp, so that "too old" is said only of a message the sender really
   * signed (a retry that came too late, or a clock that is off), never of a forgery.
   */
  verify(headers: Headers, body: string): Verified | Refused {
    const id = single(headers['webhook-id']);
    const timestamp = single(headers['webhook-timestamp']);
    const signatures = single(headers['webhook-signature']);
    const missing = [
      id === undefined ? 'webhook-id' : null,
      timestamp === undefined ? 'webhook-timestamp' : null,
      signatures === undefined ? 'webhook-signature' : null,
    ].filter((name) => name !== null);
    if (missing.length > 0)
      return refused(`the request has no ${missing.join(', ')} header (Standard Webhooks)`);
    if (!idPattern.test(id!))
      return refused('webhook-id must be 1 to 255 visible ASCII characters');
    if (!/^\d{1,12}$/.test(timestamp!))
      return refused('webhook-timestamp must be a Unix time in whole seconds');
    const seconds = Number(timestamp);
    const expected = Buffer.from(
      this.#webhook.sign(id!, new Date(seconds * 1000), body).slice('v1,'.length),
    );
    const matches = signatures!
      .split(' ')
      .filter((entry) => entry.startsWith('v1,'))
      .some((entry) => {
        const given = Buffer.from(entry.slice('v1,'.length));
        // The expected length is no secret (a SHA-256 MAC in base64); the bytes are compared in
        // constant time.
        return given.length === expected.length && timingSafeEqual(given, expected);
      });
    if (!matches)
      return refused(
        'no v1 signature in webhook-signature matches the body signed with BILLING_WEBHOOK_SECRET',
      );
    const skew = Math.floor(this.#clock.now().getTime() / 1000) - seconds;
    if (skew > toleranceSeconds)
      return refused(
        `webhook-timestamp is ${skew} seconds old, beyond the ${toleranceSeconds} s tolerance: a late retry or a replay`,
      );
    if (-skew > toleranceSeconds)
      return refused(
        `webhook-timestamp is ${-skew} seconds in the future, beyond the ${toleranceSeconds} s tolerance: check the sender's clock`,
      );
    return { ok: true, id: id! };
  }
}

const refused = (reason: string): Refused => ({ ok: false, reason });

/** Node joins a repeated header into one value, but its types allow an array: join it too. */
function single(value: string | string[] | undefined): string | undefined {
  const joined = Array.isArray(value) ? value.join(' ') : value;
  return joined === '' ? undefined : joined;
}
