/**
 * Model → view-model: everything a template prints, computed here so that templates only
 * substitute. Lists are sorted; names are cased.
 */
import { defaults, isBuiltinService } from '../blueprint/builtins.js';
import { parseDuration } from '../blueprint/duration.js';
import type { Field, Model, RetryPolicy, Step, Workflow } from '../blueprint/model.js';
import { defaultRetry } from '../blueprint/normalize.js';
import { docComment } from './doc-comment.js';
import { literal, propertyKey } from './literal.js';
import { messageCatalog } from './messages.js';
import type { MessageSpec } from './messages.js';
import { camelCase, pascalCase } from './names.js';

export interface FieldView {
  readonly name: string;
  /** The blueprint's scalar type (`uuid`, `integer`, …). */
  readonly type: string;
  readonly list: boolean;
  readonly tsType: string;
  readonly optional: boolean;
  readonly schema: object;
}

export interface MessageView {
  readonly name: string;
  readonly kind: MessageSpec['kind'];
  readonly builtin: boolean;
  readonly version: number;
  readonly description: string;
  /**
   * The doc comment of its type (the description, and the version when it is not the first);
   * empty when there is nothing to say.
   */
  readonly doc: string;
  readonly fields: readonly FieldView[];
  readonly schema: object;
}

export interface StepView {
  readonly id: string;
  readonly workflowId: string;
  readonly kind: Step['kind'];
  readonly method: string;
  readonly on: string;
  readonly emits: string | null;
  readonly compensate: string | null;
  readonly compensateMethod: string | null;
  readonly description: string;
}

export interface ServiceView {
  readonly name: string;
  readonly typeName: string;
  readonly variableName: string;
  readonly steps: readonly StepView[];
  /** Messages the service's handlers receive or return, for its imports. */
  readonly messages: readonly string[];
}

/** A step or reaction with every field filled in, as the product's runtime sees it. */
export interface StepDefinitionView {
  readonly id: string;
  readonly workflow: string;
  readonly kind: Step['kind'];
  readonly service: string;
  readonly builtin: boolean;
  readonly on: string;
  readonly emits: string | null;
  readonly compensate: string | null;
  readonly retry: RetryPolicy;
}

export interface WorkflowDefinitionView {
  readonly id: string;
  readonly kind: Workflow['kind'];
  readonly trigger: string;
  readonly timeoutMs: number;
  readonly steps: readonly StepDefinitionView[];
  readonly reactions: readonly StepDefinitionView[];
}

export interface WorkflowView {
  readonly id: string;
  /** The property name in `workflows` (quoted when the id is kebab-case). */
  readonly jsonKey: string;
  readonly variableName: string;
  readonly definition: WorkflowDefinitionView;
  /**
   * The argument of `defineWorkflow` in `definitions.ts`, as a TypeScript literal: only what
   * differs from the product's defaults (`saga/definition.ts`), which are the blueprint's.
   */
  readonly spec: string;
}

export interface CatalogView {
  readonly features: Record<string, { title: string; description?: string }>;
  readonly limitIds: readonly string[];
  readonly editionIds: readonly string[];
  readonly editions: Record<string, object>;
  readonly flags: Record<string, { default: boolean; editions: readonly string[] }>;
}

export interface ProductView {
  readonly product: Model['product'];
  readonly generatorVersion: string;
  readonly tenancy: Model['tenancy'];
  readonly messages: readonly MessageView[];
  readonly domainServices: readonly ServiceView[];
  readonly workflows: readonly WorkflowView[];
  readonly catalog: CatalogView;
  readonly model: Model;
}

const scalar: Record<string, { ts: string; schema: object }> = {
  uuid: { ts: 'string', schema: { type: 'string', format: 'uuid' } },
  string: { ts: 'string', schema: { type: 'string', maxLength: 1000 } },
  text: { ts: 'string', schema: { type: 'string' } },
  email: { ts: 'string', schema: { type: 'string', format: 'email' } },
  url: { ts: 'string', schema: { type: 'string', format: 'uri' } },
  datetime: { ts: 'string', schema: { type: 'string', format: 'date-time' } },
  date: { ts: 'string', schema: { type: 'string', format: 'date' } },
  integer: { ts: 'number', schema: { type: 'integer' } },
  number: { ts: 'number', schema: { type: 'number' } },
  boolean: { ts: 'boolean', schema: { type: 'boolean' } },
  json: { ts: 'Record<string, unknown>', schema: { type: 'object' } },
  // Built-in messages only, like `json`: a plain name (no path), and one line of text.
  name: { ts: 'string', schema: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9_-]{0,199}$' } },
  line: { ts: 'string', schema: { type: 'string', maxLength: 998, pattern: '^[^\\r\\n]*$' } },
};

function fieldView(field: Field): FieldView {
  const base = scalar[field.type];
  if (!base) throw new Error(`unknown field type \`${field.type}\` of field \`${field.name}\``);
  return {
    name: field.name,
    type: field.type,
    list: field.list,
    tsType: field.list ? `${base.ts.includes(' ') ? `(${base.ts})` : base.ts}[]` : base.ts,
    optional: field.optional,
    schema: field.list ? { type: 'array', items: base.schema } : base.schema,
  };
}

function messageView(spec: MessageSpec): MessageView {
  const fields = spec.fields.map(fieldView);
  const version = spec.version > 1 ? `Version ${spec.version} of its payload.` : '';
  const doc = [spec.description, version].filter(Boolean).join(' ');
  return {
    ...spec,
    doc: doc ? docComment(doc) : '',
    fields,
    schema: {
      type: 'object',
      additionalProperties: false,
      required: fields.filter((f) => !f.optional).map((f) => f.name),
      properties: Object.fromEntries(fields.map((f) => [f.name, f.schema])),
    },
  };
}

function stepView(step: Step): StepView {
  return {
    id: step.id,
    workflowId: step.workflowId,
    kind: step.kind,
    method: camelCase(`on-${step.id}`),
    on: step.on,
    emits: step.emits ?? null,
    compensate: step.compensate ?? null,
    compensateMethod: step.compensate ? camelCase(step.compensate) : null,
    description: step.description ?? '',
  };
}

function workflowView(workflow: Workflow): WorkflowView {
  const step = (s: Step): StepDefinitionView => ({
    id: s.id,
    workflow: s.workflowId,
    kind: s.kind,
    service: s.service,
    builtin: isBuiltinService(s.service),
    on: s.on,
    emits: s.emits ?? null,
    compensate: s.compensate ?? null,
    retry: s.retry,
  });
  return {
    id: workflow.id,
    jsonKey: propertyKey(workflow.id),
    variableName: `${camelCase(workflow.id)}Workflow`,
    definition: {
      id: workflow.id,
      kind: workflow.kind,
      trigger: workflow.trigger,
      timeoutMs: workflow.timeoutMs,
      steps: workflow.steps.map(step),
      reactions: workflow.reactions.map(step),
    },
    spec: literal(workflowSpec(workflow)),
  };
}

const defaultTimeoutMs: Readonly<Record<Workflow['kind'], number>> = {
  onboarding: parseDuration(defaults.onboardingTimeout)!,
  domain: parseDuration(defaults.workflowTimeout)!,
};

const retryFields = ['attempts', 'backoff', 'initialDelayMs', 'maxDelayMs'] as const;

/** The fields of `policy` that differ from `base`; `undefined` when none does. */
function retryOverride(policy: RetryPolicy, base: RetryPolicy): Partial<RetryPolicy> | undefined {
  const fields = retryFields.filter((key) => policy[key] !== base[key]);
  return fields.length === 0
    ? undefined
    : Object.fromEntries(fields.map((key) => [key, policy[key]]));
}

/** What `defineWorkflow` needs to rebuild the workflow's definition, in the order people read it. */
function workflowSpec(workflow: Workflow): object {
  const step = (s: Step) => ({
    id: s.id,
    service: s.service,
    on: s.on,
    emits: s.emits,
    compensate: s.compensate,
    retry: retryOverride(s.retry, workflow.retry),
  });
  return {
    id: workflow.id,
    kind: workflow.kind,
    trigger: workflow.kind === 'domain' ? workflow.trigger : undefined,
    timeoutMs:
      workflow.timeoutMs === defaultTimeoutMs[workflow.kind] ? undefined : workflow.timeoutMs,
    retry: retryOverride(workflow.retry, defaultRetry),
    steps: workflow.steps.map(step),
    reactions: workflow.reactions.length > 0 ? workflow.reactions.map(step) : undefined,
  };
}

function catalogView(model: Model): CatalogView {
  const limitIds = [...new Set(model.editions.flatMap((e) => e.limits.map((l) => l.id)))].sort();
  return {
    features: Object.fromEntries(
      model.features.map((f) => [f.id, { title: f.title, description: f.description }]),
    ),
    limitIds,
    editionIds: model.editions.map((edition) => edition.id),
    editions: Object.fromEntries(
      model.editions.map((edition) => [
        edition.id,
        {
          id: edition.id,
          title: edition.title,
          trialDays: edition.trialDays,
          price: edition.price,
          features: edition.features.map((f) => f.id),
          limits: Object.fromEntries(
            limitIds.map((id) => [id, edition.limits.find((l) => l.id === id)?.max ?? null]),
          ),
        },
      ]),
    ),
    flags: Object.fromEntries(
      model.flags.map((flag) => [
        flag.id,
        { default: flag.default, editions: flag.editions.map((e) => e.id) },
      ]),
    ),
  };
}

export function buildView(model: Model, generatorVersion: string): ProductView {
  const byService = new Map<string, Step[]>();
  for (const workflow of model.workflows) {
    for (const step of [...workflow.steps, ...workflow.reactions]) {
      if (isBuiltinService(step.service)) continue;
      byService.set(step.service, [...(byService.get(step.service) ?? []), step]);
    }
  }
  const domainServices = [...byService.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([name, steps]): ServiceView => {
      const views = steps.map(stepView);
      const messages = new Set<string>();
      for (const step of views) {
        for (const name of [step.on, step.emits, step.compensate]) if (name) messages.add(name);
      }
      return {
        name,
        typeName: pascalCase(name),
        variableName: camelCase(name),
        steps: views,
        messages: [...messages].sort(),
      };
    });
  return {
    product: model.product,
    generatorVersion,
    tenancy: model.tenancy,
    messages: messageCatalog(model).map(messageView),
    domainServices,
    workflows: model.workflows.map(workflowView),
    catalog: catalogView(model),
    model,
  };
}
