/**
 * A state machine as a table of allowed moves. Both machines of the product (tenant-machine.ts,
 * workflow-machine.ts) are rendered by saas-gen from one canonical table, the same one its
 * docs/diagrams.md is drawn from; a move that is not a row of the table is refused.
 */

export interface Transition<State extends string, Trigger extends string> {
  readonly from: State;
  readonly to: State;
  readonly on: Trigger;
}

export interface MachineTable<State extends string, Trigger extends string> {
  readonly states: readonly State[];
  /** The move from nothing into the machine. */
  readonly initial: { readonly to: State; readonly on: Trigger };
  readonly transitions: readonly Transition<State, Trigger>[];
}

export interface Machine<State extends string, Trigger extends string> extends MachineTable<
  State,
  Trigger
> {
  /** Whether any trigger moves `from` to `to`. */
  canMove(from: State, to: State): boolean;
  /** Where `on` moves `from`; `undefined` when the table has no such move. */
  next(from: State, on: Trigger): State | undefined;
}

export function defineMachine<State extends string, Trigger extends string>(
  table: MachineTable<State, Trigger>,
): Machine<State, Trigger> {
  return {
    ...table,
    canMove: (from, to) => table.transitions.some((t) => t.from === from && t.to === to),
    next: (from, on) => table.transitions.find((t) => t.from === from && t.on === on)?.to,
  };
}
