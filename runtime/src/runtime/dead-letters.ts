/**
 * What makes a dead letter itself: its id, whether it holds a message that can be sent again, and
 * how a message the transport dead-lettered on its own (a broker's `<queue>_error`) becomes one.
 *
 * A letter's id is derived from its endpoint and its content, never from the `eventId` the
 * message claims: a malformed message that reuses a real message's `eventId` (published by
 * someone else, or failing at a second consumer) is a letter of its own and cannot overwrite the
 * real one's, while the same message failing again at the same endpoint is the same letter.
 */
import { createHash } from 'node:crypto';
import type { Envelope } from '../contracts/envelope.js';
import { canonicalJson } from './canonical-json.js';
import type { DeadLetter } from './store.js';
import type { TransportDeadLetter } from './transport.js';

/**
 * The id of the letter of `content` at `endpoint`: a message (any JSON value) or, for a body
 * that is not JSON, its bytes. Shaped like a UUID (version 8, "custom"), as the API expects.
 */
export function deadLetterId(
  endpoint: string,
  content: { json: unknown } | { raw: Buffer },
): string {
  const hash = createHash('sha256').update(`${endpoint}\n`);
  if ('raw' in content) hash.update('raw\n').update(content.raw);
  else hash.update('json\n').update(canonicalJson(content.json));
  const hex = hash.digest('hex');
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * Whether a letter's envelope can be sent to its endpoint again: an object that names its
 * `eventId` and `type`. A body that is not JSON (`null`), or JSON that is no envelope at all,
 * would only be dead-lettered again, and a replay would lose the body as the broker held it.
 */
export function isMessage(envelope: unknown): envelope is Envelope {
  if (envelope === null || typeof envelope !== 'object' || Array.isArray(envelope)) return false;
  const { eventId, type } = envelope as Partial<Record<string, unknown>>;
  return typeof eventId === 'string' && eventId !== '' && typeof type === 'string' && type !== '';
}

/** Thrown by a replay of a letter that holds no message (`isMessage`). */
export class NotAMessage extends Error {
  constructor(readonly id: string) {
    super(`dead letter ${id} holds no message that could be sent again`);
    this.name = 'NotAMessage';
  }
}

/** JSON's `\u0000`: PostgreSQL's jsonb cannot hold it, so such a body is kept as bytes. */
const nulEscape = /\\u0000/i;

/**
 * The store's letter for a message the transport dead-lettered itself. A JSON body is its
 * envelope, as the pipeline would have recorded it (the same message gets the same id either
 * way); any other body is kept byte for byte, in base64, with a `null` envelope.
 */
export function fromTransport(letter: TransportDeadLetter): DeadLetter {
  const text = letter.body.toString('utf8');
  let json: { value: unknown } | undefined;
  if (!nulEscape.test(text)) {
    try {
      json = { value: JSON.parse(text) as unknown };
    } catch {
      json = undefined;
    }
  }
  const failure = {
    endpoint: letter.endpoint,
    errorType: letter.errorType,
    errorMessage: letter.errorMessage,
    attempts: letter.attempts,
    firstFailedAt: letter.firstFailedAt,
    lastFailedAt: letter.lastFailedAt,
    source: 'broker',
  } as const;
  return json
    ? {
        id: deadLetterId(letter.endpoint, { json: json.value }),
        envelope: json.value as Envelope,
        ...failure,
      }
    : {
        id: deadLetterId(letter.endpoint, { raw: letter.body }),
        // Not JSON: there is no envelope, only the bytes (`body`).
        envelope: null as unknown as Envelope,
        body: letter.body.toString('base64'),
        ...failure,
      };
}
