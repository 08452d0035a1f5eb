/**
 * Domain services: a generated, typed handler contract and a user-owned handler file that
 * implements it with placeholders until the user completes it. The contracts are built as code
 * with ts-morph (handler-contracts.ts); this area only says which to build, so that the caller
 * can build them in parallel with the rest (see `contractJobs`).
 */
import type { ContractJob } from '../handler-contracts.js';
import { propertyKey } from '../literal.js';
import type { MessageView, ProductView } from '../view-model.js';
import type { AreaContext } from './area.js';

/** The handler contract each domain service needs, as plain data for handler-contracts.ts. */
export function contractJobs(view: ProductView): ContractJob[] {
  const messages = new Map(view.messages.map((message) => [message.name, message]));
  return view.domainServices.map((service) => {
    const names = new Set(service.steps.flatMap((step) => [step.on, step.emits, step.compensate]));
    return {
      path: `src/services/${service.name}/contract.ts`,
      service,
      messages: [...names].flatMap((name) =>
        name && messages.has(name) ? [messages.get(name)!] : [],
      ),
    };
  });
}

export function servicesArea({ view, render, tree }: AreaContext): void {
  tree.write(
    'src/services/registry.ts',
    render('src/services/registry.ts.hbs', registryView(view), 'the step registry'),
  );
  const messages = new Map(view.messages.map((message) => [message.name, message]));
  for (const service of view.domainServices) {
    const dir = `src/services/${service.name}`;
    const steps = service.steps.map((step) => ({
      ...step,
      placeholder: step.emits ? placeholderPayload(messages.get(step.emits)) : null,
    }));
    const usesUuid = steps.some((step) => step.placeholder?.includes('randomUUID()'));
    tree.write(
      `${dir}/handlers.ts`,
      render(
        'src/services/handlers.ts.hbs',
        { service: { ...service, steps }, usesUuid },
        `domain service \`${service.name}\``,
      ),
      'user',
    );
  }
}

const placeholderValues: Record<string, string> = {
  uuid: 'randomUUID()',
  string: "'placeholder'",
  text: "'placeholder'",
  email: "'placeholder@example.com'",
  url: "'https://example.com/placeholder'",
  datetime: 'new Date().toISOString()',
  date: 'new Date().toISOString().slice(0, 10)',
  integer: '0',
  number: '0',
  boolean: 'false',
  json: '{}',
};

/** A schema-valid payload literal for an event, for the placeholder handlers. */
function placeholderPayload(message: MessageView | undefined): string {
  const entries = (message?.fields ?? [])
    .filter((field) => !field.optional)
    .map((field) => {
      const value = placeholderValues[field.type] ?? "'placeholder'";
      return `${field.name}: ${field.list ? `[${value}]` : value}`;
    });
  return `{ ${entries.join(', ')} }`;
}

const builtinImplementation: Record<string, string> = {
  billing: 'billing',
  identity: 'identity',
  configuration: 'configuration',
  notification: 'notify',
};

/** Each step with the code that runs it, for `src/services/registry.ts`. */
function registryView(view: ProductView) {
  const domain = new Map(
    view.domainServices.flatMap((service) =>
      service.steps.map((step) => [step.id, { service, step }] as const),
    ),
  );
  const steps = view.workflows.flatMap((workflow) =>
    [...workflow.definition.steps, ...workflow.definition.reactions].map((step) => {
      const key = propertyKey(step.id);
      const owner = domain.get(step.id);
      if (!owner) {
        const builtin = builtinImplementation[step.service];
        return { key, builtin, shorthand: key === builtin };
      }
      return {
        key,
        builtin: null,
        handlers: `${owner.service.variableName}Handlers`,
        method: owner.step.method,
        onType: owner.step.on,
        compensateMethod: owner.step.compensateMethod,
        compensateType: owner.step.compensate,
      };
    }),
  );
  const builtins = new Set(steps.flatMap((step) => (step.builtin ? [step.builtin] : [])));
  const usesDomainSteps = view.domainServices.length > 0;
  // One import per module, sorted by path, as an editor's "organize imports" leaves them.
  const imports = [
    ...(usesDomainSteps
      ? [
          "import type { Envelope } from '../contracts/envelope.js';",
          "import type { MessageType, PayloadOf } from '../contracts/messages.js';",
          "import { PermanentError } from '../runtime/handler.js';",
        ]
      : []),
    ...view.domainServices.map(
      (service) =>
        `import { ${service.variableName}Handlers } from './${service.name}/handlers.js';`,
    ),
    ...[...builtins].map((name) => {
      const module = name === 'notify' ? 'notification' : name;
      return `import { ${module} } from './${module}.js';`;
    }),
    "import type { Mailer } from './mailer.js';",
    "import type { StepImplementation } from './steps.js';",
  ].sort((a, b) => {
    const path = (line: string) => /from '([^']+)'/.exec(line)![1]!;
    return path(a) < path(b) ? -1 : path(a) > path(b) ? 1 : 0;
  });
  return {
    steps,
    imports,
    productTitle: view.product.title,
    usesNotification: builtins.has('notify'),
    usesDomainSteps,
  };
}
