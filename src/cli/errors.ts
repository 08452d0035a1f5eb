/**
 * The three ways a command ends badly. Only `main.ts` turns them into an exit code; nothing below
 * it calls `process.exit`.
 */

export const ExitCode = {
  ok: 0,
  failure: 1,
  usage: 2,
  internal: 70,
  // 128 + the signal's number, as a shell reports a command that a signal ended.
  hangup: 129,
  interrupted: 130,
  terminated: 143,
} as const;
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

const signalExitCodes = {
  SIGHUP: ExitCode.hangup,
  SIGINT: ExitCode.interrupted,
  SIGTERM: ExitCode.terminated,
} as const;

export type InterruptSignal = keyof typeof signalExitCodes;

/**
 * A signal (Ctrl-C, `kill`, a closed terminal) stopped the command; the message says what it
 * left behind and how to finish. Exits as a shell reports the signal (130 for SIGINT).
 */
export class Interrupted extends UserError {
  constructor(
    readonly signal: InterruptSignal,
    message: string,
  ) {
    super(message, signalExitCodes[signal]);
    this.name = 'Interrupted';
  }
}
