/**
 * Work that must not overlap per key (one tenant at one endpoint), while work of other keys goes
 * on: each key's work runs one at a time, in call order; keys with no work waiting are forgotten.
 */
export class Turns {
  readonly #tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const before = this.#tails.get(key) ?? Promise.resolve();
    const result = before.then(work);
    const tail = result.catch(() => undefined);
    this.#tails.set(key, tail);
    void tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    });
    return result;
  }
}
