/**
 * What the observability assets are drawn from: the blueprint's workflows and their steps, and
 * the names the product's metrics use for them (src/observability/metrics.ts in the product).
 */
import type { Model } from '../../blueprint/model.js';
import { createHash } from 'node:crypto';

export interface ObservedStep {
  readonly id: string;
  /** Whether a failed run of the workflow undoes this step (so it has compensations to count). */
  readonly compensated: boolean;
}

export interface ObservedWorkflow {
  readonly id: string;
  readonly kind: 'onboarding' | 'domain';
  readonly trigger: string;
  readonly timeoutMs: number;
  /** The awaited steps: the workflow's timeout covers them. */
  readonly steps: readonly ObservedStep[];
  /** Reactions: run on an event of the workflow, not awaited by it. */
  readonly reactions: readonly ObservedStep[];
  /** Seconds one step may take before it eats more than its share of the workflow's timeout. */
  readonly stepBudgetSeconds: number;
}

export interface ObservabilityPlan {
  readonly product: string;
  readonly title: string;
  readonly onboarding: ObservedWorkflow;
  /** Whether the onboarding has a billing step: trials, payments awaited, billing webhooks. */
  readonly billing: boolean;
  /** Sorted by id. */
  readonly domain: readonly ObservedWorkflow[];
}

export function observabilityPlan(model: Model): ObservabilityPlan {
  const workflows = model.workflows.map((workflow): ObservedWorkflow => ({
    id: workflow.id,
    kind: workflow.kind,
    trigger: workflow.trigger,
    timeoutMs: workflow.timeoutMs,
    // Blueprint order: the order the steps run in (more or less), which is how one reads them.
    steps: workflow.steps.map((step) => ({ id: step.id, compensated: !!step.compensate })),
    reactions: workflow.reactions.map((step) => ({ id: step.id, compensated: false })),
    stepBudgetSeconds: workflow.timeoutMs / Math.max(workflow.steps.length, 1) / 1000,
  }));
  const onboarding = workflows.find((workflow) => workflow.kind === 'onboarding');
  if (!onboarding) throw new Error('the blueprint has no onboarding workflow');
  return {
    product: model.product.name,
    title: model.product.title,
    onboarding,
    billing: model.workflows.some(
      (workflow) =>
        workflow.kind === 'onboarding' && workflow.steps.some((step) => step.service === 'billing'),
    ),
    domain: workflows
      .filter((workflow) => workflow.kind === 'domain')
      .sort((a, b) => (a.id < b.id ? -1 : 1)),
  };
}

/** A PromQL label matcher list: `{a="x",b="y"}`, values quoted as PromQL strings. */
export function matchers(labels: Readonly<Record<string, string>>): string {
  const parts = Object.entries(labels).map(([name, value]) => `${name}=${JSON.stringify(value)}`);
  return `{${parts.join(',')}}`;
}

/**
 * A Grafana uid (at most 40 characters of [a-zA-Z0-9_-]) derived from a name, so that a dashboard
 * keeps its address from one generation to the next; a long name keeps a hash of itself.
 */
export function grafanaUid(name: string): string {
  const plain = name.replace(/[^A-Za-z0-9_-]+/g, '-');
  if (plain.length <= 40) return plain;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 8);
  return `${plain.slice(0, 31)}-${hash}`;
}

/** Seconds as an operator reads them: `150s`, `15m`, `2h`. */
export function humanSeconds(seconds: number): string {
  if (seconds >= 3600 && seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds >= 60 && seconds % 60 === 0) return `${seconds / 60}m`;
  return `${Number(seconds.toFixed(3))}s`;
}
