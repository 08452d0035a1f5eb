/**
 * Work the runtime started and did not wait for (dispatching, scheduler ticks), kept so that
 * `stop` and `flush` can wait for all of it.
 */
export class Background {
  readonly #tasks = new Set<Promise<unknown>>();

  /** Runs `task` in the background; its failure is reported to `onError`, never unhandled. */
  run(task: () => Promise<unknown>, onError: (error: unknown) => void): void {
    const promise = task().catch(onError);
    this.#tasks.add(promise);
    void promise.finally(() => this.#tasks.delete(promise));
  }

  get busy(): boolean {
    return this.#tasks.size > 0;
  }

  /** Resolves once no task is running, including tasks that running ones started. */
  async idle(): Promise<void> {
    while (this.#tasks.size > 0) await Promise.allSettled([...this.#tasks]);
  }
}
