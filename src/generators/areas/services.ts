/**
 * Domain services: a generated, typed handler contract (built as code with ts-morph) and a
 * user-owned handler file that implements it with placeholders until the user completes it.
 */
import { Project } from 'ts-morph';
import type { MessageView, ProductView, ServiceView } from '../view-model.js';
import type { AreaContext } from './area.js';

export function servicesArea({ view, render, tree }: AreaContext): void {
  tree.write(
    'src/services/registry.ts',
    render('src/services/registry.ts.hbs', registryView(view), 'the step registry'),
  );
  const messages = new Map(view.messages.map((message) => [message.name, message]));
  const project = new Project({ useInMemoryFileSystem: true });
  for (const service of view.domainServices) {
    const dir = `src/services/${service.name}`;
    tree.write(`${dir}/contract.ts`, handlerContract(project, service, messages));
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

/** The interface a service's handlers must implement: one method per step and compensation. */
function handlerContract(
  project: Project,
  service: ServiceView,
  messages: ReadonlyMap<string, MessageView>,
): string {
  const file = project.createSourceFile(`${service.name}.ts`, '', { overwrite: true });
  const imported = new Set<string>();
  const type = (name: string): string => {
    imported.add(name);
    return name;
  };
  const payload = (name: string): string => {
    imported.add(`${name}Payload`);
    return `${name}Payload`;
  };
  file.addInterface({
    name: `${service.typeName}Handlers`,
    isExported: true,
    docs: [
      `Handlers of the \`${service.name}\` domain service, one per step of the blueprint.\n` +
        'Each returns the payload of the event its step emits; throwing fails the attempt (it is retried).',
    ],
    methods: service.steps.flatMap((step) => {
      const emits = step.emits && messages.has(step.emits) ? step.emits : null;
      const methods = [
        {
          name: step.method,
          docs: [
            `Step \`${step.id}\` of workflow \`${step.workflowId}\`: on \`${step.on}\`${emits ? `, emits \`${emits}\`` : ''}.`,
          ],
          parameters: [
            { name: 'message', type: type(step.on) },
            { name: 'context', type: 'StepContext' },
          ],
          returnType: `Promise<${emits ? payload(emits) : 'void'}>`,
        },
      ];
      if (step.compensate && step.compensateMethod) {
        methods.push({
          name: step.compensateMethod,
          docs: [`Undoes step \`${step.id}\`. Must be idempotent: it may run more than once.`],
          parameters: [
            { name: 'message', type: type(step.compensate) },
            { name: 'context', type: 'StepContext' },
          ],
          returnType: 'Promise<void>',
        });
      }
      return methods;
    }),
  });
  file.insertImportDeclarations(0, [
    {
      isTypeOnly: true,
      moduleSpecifier: '../../contracts/messages.js',
      namedImports: [...imported].sort(),
    },
    { isTypeOnly: true, moduleSpecifier: '../step-context.js', namedImports: ['StepContext'] },
  ]);
  return file.getFullText();
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
  const types = new Set<string>();
  const steps = view.workflows.flatMap((workflow) => {
    const definition = workflow.definition as {
      steps: { id: string; service: string }[];
      reactions: { id: string; service: string }[];
    };
    return [...definition.steps, ...definition.reactions].map((step) => {
      const key = /^[A-Za-z_$][\w$]*$/.test(step.id) ? step.id : `'${step.id}'`;
      const owner = domain.get(step.id);
      if (!owner) return { key, builtin: builtinImplementation[step.service] };
      types.add(owner.step.on);
      if (owner.step.compensate) types.add(owner.step.compensate);
      return {
        key,
        builtin: null,
        handlers: `${owner.service.variableName}Handlers`,
        method: owner.step.method,
        onType: owner.step.on,
        compensateMethod: owner.step.compensateMethod,
        compensateType: owner.step.compensate,
      };
    });
  });
  const builtins = new Set(steps.flatMap((step) => (step.builtin ? [step.builtin] : [])));
  return {
    steps,
    domainServices: view.domainServices,
    productTitle: view.product.title,
    usesNotification: builtins.has('notify'),
    builtinImports: [...builtins].map((name) => (name === 'notify' ? 'notification' : name)).sort(),
    usesMessageTypes: types.size > 0,
    messageImports: [...types].sort().join(', '),
  };
}
