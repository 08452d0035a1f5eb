/**
 * @fastify/rate-limit's counts kept in the product's store (its `Throttles`) instead of each
 * process's memory: every api process on one PostgreSQL database shares the sign-up and
 * activation limits, so running more replicas does not multiply them. On SQLite the file is one
 * machine's, and the count is the same; one code path for both stores.
 */
import type { FastifyRateLimitStore, FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import type { Clock } from '../runtime/clock.js';
import type { Store } from '../runtime/store.js';

/** What the plugin hands `child`: the route's merged options, the route itself in `routeInfo`. */
interface RouteLimit {
  readonly routeInfo?: { readonly method?: string | readonly string[]; readonly url?: string };
}

export function storeRateLimits(store: Store, clock: Clock): FastifyRateLimitStoreCtor {
  class StoreRateLimit implements FastifyRateLimitStore {
    /** Each route counts apart, as the plugin's own store does: `POST /tenants`, say. */
    readonly #route: string;

    constructor(_options: unknown, route = '') {
      this.#route = route;
    }

    incr(
      key: string,
      callback: (error: Error | null, result?: { current: number; ttl: number }) => void,
      timeWindow: number,
    ): void {
      store
        .transaction((tx) => tx.countHit(`rate-limit ${this.#route} ${key}`, timeWindow))
        .then(
          ({ hits, resetAt }) =>
            callback(null, {
              current: hits,
              ttl: Math.max(0, resetAt.getTime() - clock.now().getTime()),
            }),
          (error: unknown) => callback(error instanceof Error ? error : new Error(String(error))),
        );
    }

    child(routeOptions: unknown): FastifyRateLimitStore {
      const { method = '', url = '' } = (routeOptions as RouteLimit).routeInfo ?? {};
      return new StoreRateLimit(undefined, `${[method].flat().join(',')} ${url}`);
    }
  }
  return StoreRateLimit;
}
