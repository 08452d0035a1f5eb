/**
 * A service's way out of a unit of work that must not commit: it throws `Refused` with the
 * result to answer, the runtime rolls the transaction back, and `unlessRefused` hands the result
 * to the caller as if it had been returned.
 */

/** Ends the unit of work without committing anything, with the result to answer. */
export class Refused<Result> extends Error {
  constructor(readonly result: Result) {
    super('refused');
  }
}

/** Runs `work`; a `Refused` thrown inside it answers its result instead of failing. */
export async function unlessRefused<Result>(work: () => Promise<Result>): Promise<Result> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof Refused) return error.result as Result;
    throw error;
  }
}
