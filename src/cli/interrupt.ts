/**
 * Signals that ask a long command to stop: Ctrl-C (SIGINT), `kill` (SIGTERM) and a closed
 * terminal (SIGHUP). While a watch is open, they no longer end the process at once: the command
 * learns of the first one, stops what it runs, tidies up what it leaves behind, says so, and ends
 * with the signal's exit code (errors.ts, Interrupted).
 */
import type { InterruptSignal } from './errors.js';

const signals: readonly InterruptSignal[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

export interface InterruptWatch {
  /** The first signal received, once one has been. */
  readonly signal: InterruptSignal | undefined;
  /** Calls `listener` on the first signal (at once, if one came already); returns its removal. */
  onInterrupt(listener: (signal: InterruptSignal) => void): () => void;
  /** Gives the signals back their default action. */
  close(): void;
}

export function watchInterrupts(): InterruptWatch {
  let received: InterruptSignal | undefined;
  const listeners = new Set<(signal: InterruptSignal) => void>();
  const handlers = signals.map((signal) => {
    const handler = () => {
      // A second signal changes nothing: the first one's clean-up is already under way.
      if (received) return;
      received = signal;
      for (const listener of listeners) listener(signal);
    };
    process.on(signal, handler);
    return [signal, handler] as const;
  });
  return {
    get signal() {
      return received;
    },
    onInterrupt(listener) {
      if (received) listener(received);
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close() {
      for (const [signal, handler] of handlers) process.removeListener(signal, handler);
      listeners.clear();
    },
  };
}
