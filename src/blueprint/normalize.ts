/**
 * Stage 3: apply defaults and resolve the raw blueprint into the model the rules and generators
 * read. It tolerates data that failed the schema (the schema stage reports that): a malformed
 * element is left out, so the semantic rules can still report on everything else.
 */
import { defaults, onboardingTrigger } from './builtins.js';
import { pointerOf } from './diagnostics.js';
import { parseDuration } from './duration.js';
import type {
  Edition,
  Feature,
  Field,
  Flag,
  MessageDeclaration,
  Model,
  RetryPolicy,
  Step,
  Workflow,
} from './model.js';

type Raw = Record<string, unknown>;

const isRecord = (value: unknown): value is Raw =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const record = (value: unknown): Raw => (isRecord(value) ? value : {});
const text = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : undefined;
const num = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) ? value : undefined;
const entries = (value: unknown): [string, Raw][] =>
  Object.entries(record(value)).filter((entry): entry is [string, Raw] => isRecord(entry[1]));
const names = (value: unknown, pointer: string) =>
  (Array.isArray(value) ? value : []).flatMap((item, index) =>
    typeof item === 'string' ? [{ id: item, pointer: `${pointer}/${index}` }] : [],
  );
const optional = <K extends string, V>(key: K, value: V | undefined) =>
  (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };

export function normalize(data: unknown): Model {
  const raw = record(data);
  const product = record(raw.product);
  const tenancy = record(raw.tenancy);
  const lifecycle = record(raw.lifecycle);
  return {
    product: {
      name: text(product.name) ?? '',
      title: text(product.title) ?? '',
      ...optional('description', text(product.description)),
    },
    tenancy: {
      isolation: tenancy.isolation === 'schema' ? 'schema' : defaults.isolation,
      slugPattern: text(tenancy.slug) ?? defaults.slug,
      defaultEdition: text(tenancy.defaultEdition) ?? '',
    },
    features: entries(raw.features).map(([id, feature]): Feature => ({
      id,
      title: text(feature.title) ?? id,
      ...optional('description', text(feature.description)),
      pointer: pointerOf(['features', id]),
    })),
    editions: entries(raw.editions).map(([id, edition]) => normalizeEdition(id, edition)),
    flags: entries(raw.flags).map(([id, flag]): Flag => ({
      id,
      default: flag.default === true,
      editions: names(flag.editions, pointerOf(['flags', id, 'editions'])),
      ...optional('description', text(flag.description)),
      pointer: pointerOf(['flags', id]),
    })),
    messages: entries(raw.events).map(([name, message]) => normalizeMessage(name, message)),
    workflows: entries(raw.workflows).map(([id, workflow]) => normalizeWorkflow(id, workflow)),
    lifecycle: {
      suspendOn: names(lifecycle.suspendOn, '/lifecycle/suspendOn').map(({ id, pointer }) => ({
        name: id,
        pointer,
      })),
      reinstateOn: names(lifecycle.reinstateOn, '/lifecycle/reinstateOn').map(
        ({ id, pointer }) => ({ name: id, pointer }),
      ),
    },
  };
}

function normalizeEdition(id: string, edition: Raw): Edition {
  const price = record(edition.price);
  const pointer = pointerOf(['editions', id]);
  return {
    id,
    title: text(edition.title) ?? id,
    ...optional('description', text(edition.description)),
    trialDays: num(edition.trialDays) ?? 0,
    price: {
      amount: num(price.amount) ?? 0,
      currency: text(price.currency) ?? 'USD',
      interval: price.interval === 'year' ? 'year' : 'month',
    },
    features: names(edition.features, `${pointer}/features`),
    // A malformed limit keeps its id (the schema reports its value), so it is not also missing.
    limits: Object.entries(record(edition.limits)).map(([limit, max]) => ({
      id: limit,
      max: typeof max === 'number' ? max : null,
      pointer: `${pointer}${pointerOf(['limits', limit])}`,
    })),
    pointer,
  };
}

function normalizeMessage(name: string, message: Raw): MessageDeclaration {
  const payload = Object.entries(record(message.payload)).flatMap(([field, type]): Field[] => {
    const match = typeof type === 'string' ? /^(\w+)(\[\])?(\?)?$/.exec(type) : null;
    return match
      ? [
          {
            name: field,
            type: match[1]!,
            list: match[2] !== undefined,
            optional: match[3] !== undefined,
          },
        ]
      : [];
  });
  return {
    name,
    version: num(message.version) ?? 1,
    payload,
    ...optional('description', text(message.description)),
    pointer: pointerOf(['events', name]),
  };
}

function normalizeRetry(value: unknown, base: RetryPolicy): RetryPolicy {
  const retry = record(value);
  const backoff = retry.backoff;
  return {
    attempts: num(retry.attempts) ?? base.attempts,
    backoff:
      backoff === 'exponential' || backoff === 'linear' || backoff === 'fixed'
        ? backoff
        : base.backoff,
    initialDelayMs: parseDuration(text(retry.initialDelay) ?? '') ?? base.initialDelayMs,
    maxDelayMs: parseDuration(text(retry.maxDelay) ?? '') ?? base.maxDelayMs,
  };
}

export const defaultRetry: RetryPolicy = {
  attempts: defaults.retry.attempts,
  backoff: defaults.retry.backoff,
  initialDelayMs: parseDuration(defaults.retry.initialDelay)!,
  maxDelayMs: parseDuration(defaults.retry.maxDelay)!,
};

function normalizeWorkflow(id: string, workflow: Raw): Workflow {
  const kind = id === 'onboarding' ? 'onboarding' : 'domain';
  const pointer = pointerOf(['workflows', id]);
  const retry = normalizeRetry(workflow.retry, defaultRetry);
  const timeout =
    text(workflow.timeout) ??
    (kind === 'onboarding' ? defaults.onboardingTimeout : defaults.workflowTimeout);
  const steps = (key: 'steps' | 'reactions', stepKind: Step['kind']) =>
    entries(workflow[key]).map(([stepId, step]): Step => ({
      id: stepId,
      workflowId: id,
      kind: stepKind,
      service: text(step.service) ?? '',
      on: text(step.on) ?? '',
      ...optional('emits', text(step.emits)),
      ...optional('compensate', text(step.compensate)),
      retry: normalizeRetry(step.retry, retry),
      ...optional('description', text(step.description)),
      pointer: `${pointer}${pointerOf([key, stepId])}`,
    }));
  return {
    id,
    kind,
    trigger: kind === 'onboarding' ? onboardingTrigger : (text(workflow.startedBy) ?? ''),
    timeoutMs: parseDuration(timeout) ?? 0,
    retry,
    steps: steps('steps', 'step'),
    reactions: steps('reactions', 'reaction'),
    ...optional('description', text(workflow.description)),
    pointer,
  };
}
