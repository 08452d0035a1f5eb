/**
 * What a saga decides, as data: the messages to send, the timeout to schedule or cancel, the
 * audit entries to write. The endpoint (endpoints.ts) carries them out in one transaction.
 */
import type { Machine } from './machine.js';
import type { StepStatus } from './run.js';

/** A message to send. With `step`, it is delivered to that step's endpoint only (a re-run). */
export interface Outgoing {
  readonly type: string;
  readonly payload: unknown;
  readonly tenantId?: string;
  readonly step?: string;
}

export interface ScheduledTimeout {
  readonly type: 'WorkflowTimeoutElapsed';
  readonly payload: {
    readonly workflow: string;
    readonly workflowId: string;
    readonly token: string;
  };
  readonly dueAt: string;
  /** The token: cancelling the timeout cancels this id. */
  readonly id: string;
}

export interface AuditNote {
  /** The trigger of a move, `stepRecorded` for a step outcome without a move, or `rejected`. */
  readonly action: string;
  readonly fromState: string | null;
  readonly toState: string | null;
  readonly detail: Record<string, unknown>;
}

export interface Effects {
  readonly outgoing: Outgoing[];
  readonly schedule: ScheduledTimeout[];
  readonly cancel: string[];
  readonly audit: AuditNote[];
}

/** What a saga decides for one message: the next state and what to send, or a refusal. */
export type Decision<State> = ({ readonly state: State } & Effects) | { readonly rejected: string };

export const noEffects = (): Effects => ({ outgoing: [], schedule: [], cancel: [], audit: [] });

/** The decision, minus a timeout that was armed and cancelled by the same message. */
export function decided<State>(state: State, effects: Effects): Decision<State> {
  const both = new Set(
    effects.schedule.map((s) => s.id).filter((id) => effects.cancel.includes(id)),
  );
  return {
    state,
    outgoing: effects.outgoing,
    schedule: effects.schedule.filter((s) => !both.has(s.id)),
    cancel: effects.cancel.filter((id) => !both.has(id)),
    audit: effects.audit,
  };
}

/** Moves `subject` if its machine's table allows it, noting the audit entry; else `undefined`. */
export function moveBy<
  State extends string,
  Trigger extends string,
  S extends { readonly state: State },
>(
  machine: Machine<State, Trigger>,
  subject: S,
  on: Trigger,
  effects: Effects,
  detail: Record<string, unknown> = {},
): S | undefined {
  const to = machine.next(subject.state, on);
  if (!to) return undefined;
  effects.audit.push({ action: on, fromState: subject.state, toState: to, detail });
  return { ...subject, state: to };
}

/** A step outcome that moves nothing (late, or while compensating) still goes on the timeline. */
export function recordStep(
  subject: { readonly state: string },
  step: string,
  status: StepStatus,
  effects: Effects,
  detail: Record<string, unknown> = {},
): void {
  effects.audit.push({
    action: 'stepRecorded',
    fromState: subject.state,
    toState: subject.state,
    detail: { step, status, ...detail },
  });
}
