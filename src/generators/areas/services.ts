/**
 * Domain services: a generated, typed handler contract and a user-owned handler file that
 * implements it with placeholders until the user completes it. The contracts are built as text
 * (handler-contracts.ts); this area only says which to build, so that the caller can take them
 * from its cache (see `contractJobs`).
 */
import type { ContractJob } from '../handler-contracts.js';
import { propertyKey } from '../literal.js';
import type { HandlersSpec } from '../tree.js';
import type { MessageView, ProductView, ServiceView } from '../view-model.js';
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
  for (const service of view.domainServices) {
    const methods = placeholderMethods(view, service);
    const usesUuid = methods.some((method) => method.text.includes('randomUUID()'));
    tree.write(
      `src/services/${service.name}/handlers.ts`,
      render(
        'src/services/handlers.ts.hbs',
        { service: { ...service, steps: methods.map((m) => ({ methodText: m.text })) }, usesUuid },
        `domain service \`${service.name}\``,
      ),
      'user',
      {
        handlers: {
          exportName: `${service.variableName}Handlers`,
          contract: `src/services/${service.name}/contract.ts`,
          methods,
        },
      },
    );
  }
}

/**
 * The placeholder methods of a domain service's handlers, one per step and compensation: what
 * its handlers file starts with, and what `generate` adds to it when the blueprint gains a step.
 */
export function placeholderMethods(
  view: ProductView,
  service: ServiceView,
): HandlersSpec['methods'][number][] {
  const messages = new Map(view.messages.map((message) => [message.name, message]));
  return service.steps.flatMap((step) => {
    const warn = (method: string, what: string) =>
      `  context.log.warn(\n    { step: '${step.id}' },\n` +
      `    '${service.name}.${method} is a placeholder: replace it with the real ${what}',\n  );\n`;
    const placeholder = step.emits ? placeholderPayload(messages.get(step.emits)) : null;
    const run = {
      name: step.method,
      text:
        `async ${step.method}(_message, context) {\n${warn(step.method, 'step')}` +
        `${placeholder ? `  return ${placeholder};\n` : ''}},`,
    };
    if (!step.compensateMethod) return [run];
    const method = step.compensateMethod;
    return [
      run,
      {
        name: method,
        text: `async ${method}(_message, context) {\n${warn(method, 'compensation')}},`,
      },
    ];
  });
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
  notification: 'notification',
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
      if (!owner) return { key, builtin: builtinImplementation[step.service] };
      return {
        key,
        builtin: null,
        handlers: owner.service.variableName,
        method: owner.step.method,
        onType: owner.step.on,
        compensateMethod: owner.step.compensateMethod,
        compensateType: owner.step.compensate,
      };
    }),
  );
  const services = view.domainServices;
  const runtimeTypes = [
    'BuiltinSteps',
    ...(services.length > 0 ? ['DependenciesOf', 'Envelope', 'MessageType', 'PayloadOf'] : []),
    'StepImplementation',
  ];
  // One import per module, sorted by path, as an editor's "organize imports" leaves them.
  const imports = [
    `import type { ${runtimeTypes.join(', ')} } from '@saas-gen/runtime';`,
    ...(services.length > 0
      ? ["import { handlersOf, PermanentError } from '@saas-gen/runtime';"]
      : []),
    ...services.flatMap((service) => [
      `import type { ${service.typeName}Handlers } from './${service.name}/contract.js';`,
      `import { ${service.variableName}Handlers } from './${service.name}/handlers.js';`,
    ]),
  ];
  return { steps, imports, services };
}
