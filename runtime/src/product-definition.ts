/**
 * What a product hands the runtime: everything its blueprint determines. The runtime imports no
 * product code; a product's generated `src/product.ts` builds one `ProductDefinition` from its
 * catalog, message contracts, workflows and step registry, and its `src/main.ts` passes it to
 * `createApp` together with the team's domain handlers.
 */
import type { MessageCatalog } from './runtime/messages.js';
import type {
  LifecyclePolicy,
  OnboardingDefinition,
  StepDefinition,
  WorkflowDefinition,
} from './saga/definition.js';
import type { BuiltinSteps } from './services/builtin-steps.js';
import type { StepImplementation } from './services/steps.js';

/** The product as the blueprint names it, and the saas-gen version that generated it. */
export interface ProductInfo {
  readonly name: string;
  readonly title: string;
  readonly generatorVersion: string;
}

export interface Feature {
  readonly title: string;
  readonly description?: string;
}

export interface Edition {
  readonly id: string;
  readonly title: string;
  readonly trialDays: number;
  readonly price: {
    readonly amount: number;
    readonly currency: string;
    readonly interval: 'month' | 'year';
  };
  readonly features: readonly string[];
  /** `null`: unlimited. */
  readonly limits: Readonly<Record<string, number | null>>;
}

/** A flag: its value for the editions not listed, and the editions where it is the opposite. */
export interface Flag {
  readonly default: boolean;
  readonly editions: readonly string[];
}

/** What the product sells: its editions, features, limits and flags, and how tenants are kept. */
export interface Catalog {
  readonly product: ProductInfo;
  readonly features: Readonly<Record<string, Feature>>;
  /** In the blueprint's order. */
  readonly editions: Readonly<Record<string, Edition>>;
  readonly defaultEdition: string;
  readonly limitIds: readonly string[];
  readonly flags: Readonly<Record<string, Flag>>;
  readonly slugPattern: RegExp;
  readonly isolation: 'pooled' | 'schema';
}

/**
 * A product's definition. `Handlers` is the product's domain handlers by service (its generated
 * `ProductHandlers`): `steps` maps every step of the blueprint to the code that runs it.
 */
export interface ProductDefinition<Handlers = unknown> {
  readonly catalog: Catalog;
  readonly messages: MessageCatalog;
  /** Every workflow by id; `onboarding` among them. */
  readonly workflows: Readonly<Record<string, WorkflowDefinition>>;
  readonly lifecycle: LifecyclePolicy;
  /** Which code runs each step (and reaction), by step id. */
  steps(handlers: Handlers, builtins: BuiltinSteps): Readonly<Record<string, StepImplementation>>;
}

export const isEditionId = (catalog: Catalog, value: string): boolean =>
  Object.hasOwn(catalog.editions, value);

export const editionIdsOf = (catalog: Catalog): string[] => Object.keys(catalog.editions);

/** A flag's value for an edition, before any tenant override. */
export function flagFor(catalog: Catalog, flag: string, edition: string): boolean {
  const definition = catalog.flags[flag];
  if (!definition) return false;
  return definition.editions.includes(edition) ? !definition.default : definition.default;
}

/**
 * How an edition is paid for: `free` (price 0) is ready at once; `trial` is ready at once and
 * needs a settled payment by the trial's end; `paid` (a price, no trial) waits for a settled
 * payment before the tenant gets it.
 */
export type PaymentTerms = 'free' | 'trial' | 'paid';

export function paymentTermsOf(edition: Pick<Edition, 'trialDays' | 'price'>): PaymentTerms {
  if (!(edition.price.amount > 0)) return 'free';
  return edition.trialDays > 0 ? 'trial' : 'paid';
}

/** The payment terms of every edition of the catalog, by edition id. */
export const paymentTermsByEdition = (
  catalog: Pick<Catalog, 'editions'>,
): Readonly<Record<string, PaymentTerms>> =>
  Object.fromEntries(
    Object.entries(catalog.editions).map(([id, edition]) => [id, paymentTermsOf(edition)]),
  );

/**
 * The onboarding saga's definition: the onboarding workflow, the lifecycle policy, and the
 * editions' payment terms (an upgrade to a paid edition waits for its payment).
 */
export function onboardingOf(
  product: Pick<ProductDefinition, 'workflows' | 'lifecycle'> &
    Partial<Pick<ProductDefinition, 'catalog'>>,
): OnboardingDefinition {
  const workflow = product.workflows.onboarding;
  if (!workflow || workflow.kind !== 'onboarding')
    throw new Error('the product has no onboarding workflow');
  return {
    workflow,
    lifecycle: product.lifecycle,
    ...(product.catalog ? { paymentTerms: paymentTermsByEdition(product.catalog) } : {}),
  };
}

/** Every step and reaction of every workflow. */
export const allSteps = (product: Pick<ProductDefinition, 'workflows'>) =>
  Object.values(product.workflows).flatMap((workflow) => [
    ...workflow.steps,
    ...workflow.reactions,
  ]);

/**
 * A product's definition, with what the runtime reads off its message schemas filled in: the
 * fields of each compensation command, which the saga fills from what the run knows.
 */
export function defineProduct<Handlers>(
  definition: ProductDefinition<Handlers>,
): ProductDefinition<Handlers> {
  const schemas: Readonly<Record<string, { readonly properties?: object } | undefined>> =
    definition.messages.payloadSchemas;
  const withFields = (step: StepDefinition): StepDefinition => {
    const properties = step.compensate ? schemas[step.compensate]?.properties : undefined;
    return properties ? { ...step, compensateFields: Object.keys(properties) } : step;
  };
  const workflows = Object.fromEntries(
    Object.entries(definition.workflows).map(([id, workflow]) => [
      id,
      {
        ...workflow,
        steps: workflow.steps.map(withFields),
        reactions: workflow.reactions.map(withFields),
      },
    ]),
  );
  return { ...definition, workflows };
}

/**
 * What a domain service's handlers factory is built from (its `…Dependencies`); nothing for a
 * handlers object, as products of saas-gen 0.2.0 export them.
 */
export type DependenciesOf<Made> = Made extends (dependencies: infer Dependencies) => unknown
  ? Dependencies
  : Readonly<Record<string, never>>;

/** The handlers a factory builds from its dependencies, or a handlers object as it is. */
export function handlersOf<Handlers, Dependencies>(
  made: (dependencies: Dependencies) => Handlers,
  dependencies: Dependencies,
): Handlers;
export function handlersOf<Handlers>(made: Handlers, dependencies: unknown): Handlers;
export function handlersOf(made: unknown, dependencies: unknown): unknown {
  return typeof made === 'function'
    ? (made as (dependencies: unknown) => unknown)(dependencies)
    : made;
}
