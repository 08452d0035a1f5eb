/**
 * The typed handler contracts of domain services, built as code with ts-morph: one interface per
 * service, one method per step and compensation. Loading ts-morph (it bundles the TypeScript
 * compiler) costs more than the rest of a generation, so the CLI runs this in a worker thread
 * while the main thread renders and formats everything else.
 */
import { Project } from 'ts-morph';
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
  const project = new Project({ useInMemoryFileSystem: true });
  return Object.fromEntries(
    jobs.map((job) => [
      job.path,
      handlerContract(project, job.service, new Map(job.messages.map((m) => [m.name, m]))),
    ]),
  );
}

/** The interface a service's handlers must implement: one method per step and compensation. */
function handlerContract(
  project: Project,
  service: ServiceView,
  messages: ReadonlyMap<string, MessageView>,
): string {
  const file = project.createSourceFile(`${service.name}.ts`, '', { overwrite: true });
  // Built-in message types come from the runtime, the blueprint's own from contracts/messages.ts.
  const fromRuntime = new Set<string>(['StepContext']);
  const fromMessages = new Set<string>();
  const importOf = (message: string, name: string): string => {
    (messages.get(message)?.builtin ? fromRuntime : fromMessages).add(name);
    return name;
  };
  const type = (name: string): string => importOf(name, name);
  const payload = (name: string): string => importOf(name, `${name}Payload`);
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
      moduleSpecifier: '@saas-gen/runtime',
      namedImports: [...fromRuntime].sort(),
    },
    ...(fromMessages.size > 0
      ? [
          {
            isTypeOnly: true,
            moduleSpecifier: '../../contracts/messages.js',
            namedImports: [...fromMessages].sort(),
          },
        ]
      : []),
  ]);
  return file.getFullText();
}
