/**
 * One check, before any route's validation, that no string of a request holds NUL or half a
 * UTF-16 surrogate pair: PostgreSQL refuses both in text and JSONB (a 500 after the work began),
 * SQLite would keep them, and a log line, an e-mail or another store would choke on them later.
 * Every JSON body (keys and values, at any depth), the query, the path parameters and the headers
 * (`Idempotency-Key` is stored) are checked; the answer is a 400 problem naming where.
 */
import type { FastifyInstance } from 'fastify';
import { HttpProblem } from './problem.js';

// Without the `u` flag a pattern sees UTF-16 code units, so it can find a half pair.
const unstorable = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

const message = 'must not contain NUL (U+0000) or an unpaired UTF-16 surrogate';

interface Found {
  readonly in: string;
  readonly path: string;
  readonly message: string;
}

/** A JSON Pointer segment (RFC 6901), the key itself escaped. */
const segment = (key: string) => '/' + key.replace(/~/g, '~0').replace(/\//g, '~1');

/** Where in `value` a string (or a key) holds what no store keeps, as JSON Pointers. */
function unstorablePaths(value: unknown, path: string, found: string[]): void {
  if (typeof value === 'string') {
    if (unstorable.test(value)) found.push(path || '/');
  } else if (Array.isArray(value)) {
    value.forEach((item, index) => unstorablePaths(item, `${path}/${index}`, found));
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (unstorable.test(key)) found.push(`${path}${segment(key)}`);
      unstorablePaths(item, `${path}${segment(key)}`, found);
    }
  }
}

export function refuseUnstorableText(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    const parts: [string, unknown][] = [
      ['body', request.body],
      ['querystring', request.query],
      ['params', request.params],
      ['headers', request.headers],
    ];
    const errors: Found[] = [];
    for (const [where, value] of parts) {
      const paths: string[] = [];
      unstorablePaths(value, '', paths);
      errors.push(...paths.map((path) => ({ in: where, path: safe(path), message })));
    }
    if (errors.length > 0)
      throw new HttpProblem({
        type: 'about:blank',
        title: 'Invalid request',
        status: 400,
        detail: errors.map((e) => `${e.in} ${e.path}: ${e.message}`).join('; '),
        errors,
      });
  });
}

/** A path as it can be answered: a key's own NUL or half pair as a `\u` escape. */
const safe = (path: string) => (unstorable.test(path) ? JSON.stringify(path).slice(1, -1) : path);
