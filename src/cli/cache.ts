/**
 * A disk cache for the pure steps of generation (Prettier's formatting, the handler contracts):
 * their output depends only on their input, so it is stored by a hash of that input. A `check`
 * or a `generate` that changes nothing then loads no formatter. It lives in the system's temporary
 * folder; `SAAS_GEN_CACHE=off` turns it off.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TextCache {
  get(key: string): string | undefined;
  set(key: string, value: string): void;
}

export const cacheKey = (...parts: readonly string[]): string =>
  createHash('sha256').update(parts.join('\u0000')).digest('hex');

export const noCache: TextCache = { get: () => undefined, set: () => undefined };

export function diskCache(namespace: string): TextCache {
  if (process.env.SAAS_GEN_CACHE === 'off') return noCache;
  const dir = join(tmpdir(), 'saas-gen-cache', namespace);
  let usable = true;
  try {
    mkdirSync(dir, { recursive: true });
  } catch {
    usable = false;
  }
  if (!usable) return noCache;
  return {
    get(key) {
      try {
        return readFileSync(join(dir, key), 'utf8');
      } catch {
        return undefined;
      }
    },
    set(key, value) {
      // Write then rename, so that a concurrent reader never sees half an entry.
      const path = join(dir, key);
      try {
        writeFileSync(`${path}.${process.pid}.tmp`, value);
        renameSync(`${path}.${process.pid}.tmp`, path);
      } catch {
        // A cache that cannot be written only makes the next run slower.
      }
    },
  };
}
