/**
 * A disk cache for the pure, slow step of generation (Prettier): its output depends only on its
 * input, so it is stored by a hash of that input, and a `new` of a blueprint formatted before
 * loads no formatter. (A `check` or `generate` of an unchanged product needs no cache: the
 * product's own files answer, see `fromProduct` in product.ts.) It lives in the system's
 * temporary folder; `SAAS_GEN_CACHE=off` turns it off.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TextCache {
  get(key: string): string | undefined;
  set(key: string, value: string): void;
}

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
