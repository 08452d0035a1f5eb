/**
 * The three ways a command ends badly. Only `main.ts` turns them into an exit code; nothing below
 * it calls `process.exit`.
 */

export const ExitCode = { ok: 0, failure: 1, usage: 2, internal: 70 } as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** Something the user can fix: bad input, drift, a conflict. Printed without a stack trace. */
export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode = ExitCode.failure,
  ) {
    super(message);
    this.name = 'UserError';
  }
}

/** The command already said everything it had to say; end with this code. */
export class Exit extends Error {
  constructor(readonly exitCode: ExitCode) {
    super(`exit ${exitCode}`);
    this.name = 'Exit';
  }
}
