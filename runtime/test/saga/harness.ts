/**
 * Test support for the saga: envelopes, a driver that feeds messages to a pure decision and
 * keeps its state, and the step orders a workflow's choreography allows.
 */
import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import type { CorrelationId, TenantId } from '../../src/contracts/envelope.js';
import { startEnvelope } from '../../src/contracts/envelope.js';
import type { AnyMessage } from '../../src/contracts/builtins.js';
import type { StepDefinition, WorkflowDefinition } from '../../src/saga/definition.js';
import type { Decision, Effects } from '../../src/saga/effects.js';

export const start = new Date('2030-01-01T00:00:00.000Z');

export type Accepted<State> = { readonly state: State } & Effects;

export const accepted = <State>(decision: Decision<State>): Accepted<State> => {
  if ('rejected' in decision) throw new Error(`unexpectedly rejected: ${decision.rejected}`);
  return decision;
};

/** Feeds messages of one tenant and one correlation to a decision, keeping the state. */
export class Driver<State> {
  state: State | undefined;
  now = start;
  readonly tenantId = randomUUID() as TenantId;
  readonly correlationId = randomUUID() as CorrelationId;

  constructor(
    private readonly decide: (
      state: State | undefined,
      message: AnyMessage,
      now: Date,
    ) => Decision<State>,
  ) {}

  /**
   * A message of `type`. The sagas decide over the catalog's messages, but treat a step's events
   * as data, so the tests' made-up workflows (`AlphaDone`, …) pass theirs through the same door.
   */
  envelope(type: string, payload: unknown = {}): AnyMessage {
    return startEnvelope({
      type,
      payload,
      tenantId: this.tenantId,
      correlationId: this.correlationId,
      occurredAt: this.now,
    }) as AnyMessage;
  }

  /** The decision for a message; the state moves on unless it was rejected. */
  send(type: string, payload: unknown = {}): Decision<State> {
    const decision = this.decide(this.state, this.envelope(type, payload), this.now);
    if (!('rejected' in decision)) this.state = decision.state;
    return decision;
  }

  /** Like `send`, for a message that must be accepted. */
  accept(type: string, payload: unknown = {}): Accepted<State> {
    return accepted(this.send(type, payload));
  }

  advance(ms: number): void {
    this.now = new Date(this.now.getTime() + ms);
  }

  get current(): State {
    if (this.state === undefined) throw new Error('no state yet');
    return this.state;
  }
}

/** Nothing moved and nothing is sent. */
export function expectNoEffects(decision: Decision<unknown>): void {
  const { outgoing, schedule, cancel, audit } = accepted(decision);
  expect({ outgoing, schedule, cancel, audit }).toEqual({
    outgoing: [],
    schedule: [],
    cancel: [],
    audit: [],
  });
}

export const types = (effects: Pick<Effects, 'outgoing'>): string[] =>
  effects.outgoing.map((message) => message.type);

/**
 * The orders in which the steps can complete under choreography (each one after the step whose
 * event triggers it), at most `limit` of them.
 */
export function completionOrders(workflow: WorkflowDefinition, limit = 50): StepDefinition[][] {
  const orders: StepDefinition[][] = [];
  const visit = (done: StepDefinition[], happened: ReadonlySet<string>): void => {
    if (orders.length >= limit) return;
    const ready = workflow.steps.filter((s) => !done.includes(s) && happened.has(s.on));
    if (ready.length === 0) {
      if (done.length === workflow.steps.length) orders.push(done);
      return;
    }
    for (const step of ready) visit([...done, step], new Set([...happened, step.emits ?? '']));
  };
  visit([], new Set([workflow.trigger]));
  return orders;
}

/** One order in which the steps complete (the blueprint's order where it can). */
export const someOrder = (workflow: WorkflowDefinition): StepDefinition[] =>
  completionOrders(workflow, 1)[0] ?? [];

/** A step's event, as the saga sees it: its payload is kept but not interpreted. */
export const eventOf = (step: StepDefinition): string => {
  if (!step.emits) throw new Error(`step ${step.id} emits nothing`);
  return step.emits;
};

const retry = { attempts: 3, backoff: 'fixed', initialDelayMs: 10, maxDelayMs: 10 } as const;

/** A step of a made-up workflow, for tests that hold whatever the blueprint. */
export function step(
  workflow: string,
  id: string,
  on: string,
  emits: string,
  compensate: string | null,
): StepDefinition {
  return {
    id,
    workflow,
    kind: 'step',
    service: 'test',
    builtin: false,
    on,
    emits,
    compensate,
    retry,
  };
}
