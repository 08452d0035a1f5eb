/**
 * The typed handler contracts of domain services: one interface per service, one method per step
 * and compensation. Built as plain text (it is Prettier that lays it out), so a generation loads
 * no compiler for them.
 */
import type { MessageView, ServiceView } from './view-model.js';

/** What one contract is built from: plain data, so that it can cross to a worker thread. */
export interface ContractJob {
  readonly path: string;
  readonly service: ServiceView;
  /** The messages the service's steps receive, emit or compensate with. */
  readonly messages: readonly MessageView[];
}

/** Contract source by path, unformatted and without the generated-file header. */
export function renderHandlerContracts(jobs: readonly ContractJob[]): Record<string, string> {
  return Object.fromEntries(
    jobs.map((job) => [
      job.path,
      handlerContract(job.service, new Map(job.messages.map((m) => [m.name, m]))),
    ]),
  );
}

interface Method {
  readonly name: string;
  readonly doc: string;
  readonly message: string;
  readonly returns: string;
}

/** The interface a service's handlers must implement: one method per step and compensation. */
function handlerContract(service: ServiceView, messages: ReadonlyMap<string, MessageView>): string {
  // Built-in message types come from the runtime, the blueprint's own from contracts/messages.ts.
  const fromRuntime = new Set<string>(['StepContext']);
  const fromMessages = new Set<string>();
  const importOf = (message: string, name: string): string => {
    (messages.get(message)?.builtin ? fromRuntime : fromMessages).add(name);
    return name;
  };
  const methods: Method[] = service.steps.flatMap((step) => {
    const emits = step.emits && messages.has(step.emits) ? step.emits : null;
    const own: Method[] = [
      {
        name: step.method,
        doc: `Step \`${step.id}\` of workflow \`${step.workflowId}\`: on \`${step.on}\`${emits ? `, emits \`${emits}\`` : ''}.`,
        message: importOf(step.on, step.on),
        returns: `Promise<${emits ? importOf(emits, `${emits}Payload`) : 'void'}>`,
      },
    ];
    if (step.compensate && step.compensateMethod) {
      own.push({
        name: step.compensateMethod,
        doc: `Undoes step \`${step.id}\`. Must be idempotent: it may run more than once.`,
        message: importOf(step.compensate, step.compensate),
        returns: 'Promise<void>',
      });
    }
    return own;
  });
  const imports = [
    `import type { ${[...fromRuntime].sort().join(', ')} } from '@saas-gen/runtime';\n`,
    ...(fromMessages.size > 0
      ? [
          `import type { ${[...fromMessages].sort().join(', ')} } from '../../contracts/messages.js';\n`,
        ]
      : []),
  ];
  const indent = '    ';
  const members = methods
    .map(
      (method) =>
        `${docComment(method.doc, indent)}${indent}${method.name}(message: ${method.message}, context: StepContext): ${method.returns};\n`,
    )
    .join('');
  return (
    `${imports.join('')}\n` +
    docComment(
      `Handlers of the \`${service.name}\` domain service, one per step of the blueprint.\n` +
        'Each returns the payload of the event its step emits; throwing fails the attempt (it is retried).',
      '',
    ) +
    `export interface ${service.typeName}Handlers {\n${members}}\n`
  );
}

/** A JSDoc comment: on one line when the text is one line, else one ` * ` line per line. */
function docComment(text: string, indent: string): string {
  const lines = text.split('\n');
  if (lines.length === 1) return `${indent}/** ${text} */\n`;
  return `${indent}/**\n${lines.map((line) => `${indent} * ${line}\n`).join('')}${indent} */\n`;
}
