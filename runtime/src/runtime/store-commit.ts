/**
 * How one transaction ended, for what a caller may know only once it has committed: the outbox
 * rows of the messages it queued (`QueuedMessages.committed`). The adapter tells it once its
 * COMMIT is done, or that the transaction rolled back.
 */
export class TransactionEnd {
  readonly #ended: Promise<void>;
  #commit!: () => void;
  #rollBack!: (error: unknown) => void;

  constructor() {
    this.#ended = new Promise<void>((resolve, reject) => {
      this.#commit = resolve;
      this.#rollBack = reject;
    });
    // A rollback is the transaction's caller's to hear of, from `transaction` itself.
    this.#ended.catch(() => undefined);
  }

  committed(): void {
    this.#commit();
  }

  rolledBack(error: unknown): void {
    this.#rollBack(error);
  }

  /** `value` once the transaction has committed; rejected when it rolled back instead. */
  after<T>(value: Promise<T>): Promise<T> {
    const settled = Promise.all([value, this.#ended]).then(([result]) => result);
    // Nobody need await it: a caller that queued messages and then failed never does.
    settled.catch(() => undefined);
    return settled;
  }
}
