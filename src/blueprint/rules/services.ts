/** Rules about services and the messages they own. */
import {
  builtinEvents,
  builtinServices,
  internalMessages,
  isBuiltinService,
  platformEvents,
  reservedServices,
} from '../builtins.js';
import type { BuiltinService } from '../builtins.js';
import { closest } from '../diagnostics.js';
import type { Step } from '../model.js';
import { allSteps, describeStep } from './context.js';
import type { Rule } from './context.js';

const builtinNames = Object.keys(builtinServices);
const serviceOfEvent = new Map<string, BuiltinService>(
  Object.values(builtinServices).map((service) => [service.emits, service]),
);

/** Services reported already: missing (by the schema), reserved or misspelt (`unknown-service`). */
const refusedService = (service: string): boolean =>
  !service || reservedServices.has(service) || closest(service, builtinNames) !== undefined;

export const unknownService: Rule = {
  code: 'unknown-service',
  description:
    'A step names a built-in service or a domain service; a name one typo away from a built-in, or a reserved one, is refused.',
  check({ model, report }) {
    for (const step of allSteps(model)) {
      const { service } = step;
      if (!service || isBuiltinService(service)) continue;
      if (reservedServices.has(service)) {
        report({
          code: 'unknown-service',
          message: `${describeStep(step)} cannot run on \`${service}\`: it is part of the platform and runs no steps`,
          pointer: `${step.pointer}/service`,
          hint: `use a built-in service (${builtinNames.join(', ')}) or a domain service name`,
        });
        continue;
      }
      const near = closest(service, builtinNames);
      if (near === undefined) continue;
      report({
        code: 'unknown-service',
        message: `unknown service \`${service}\` — did you mean \`${near}\`?`,
        pointer: `${step.pointer}/service`,
        hint: `a domain service name must not look like the built-in \`${near}\`; rename it if it really is your own service`,
      });
    }
  },
};

export const builtinServiceContract: Rule = {
  code: 'builtin-service-contract',
  description:
    'A built-in service emits its own event and accepts its own compensation; its event comes from no other service.',
  check({ model, report }) {
    for (const step of allSteps(model)) {
      if (isBuiltinService(step.service)) checkBuiltinStep(step, builtinServices[step.service]);
      else if (step.emits && serviceOfEvent.has(step.emits) && !refusedService(step.service)) {
        const owner = serviceOfEvent.get(step.emits)!;
        report({
          code: 'builtin-service-contract',
          message: `\`${step.emits}\` is the event of the built-in \`${owner.name}\` service, but ${describeStep(step)} runs on \`${step.service}\``,
          pointer: `${step.pointer}/emits`,
          hint: `use \`service: ${owner.name}\`, or emit an event of your own`,
        });
      }
    }

    function checkBuiltinStep(step: Step, service: BuiltinService): void {
      if (step.emits !== undefined && step.emits !== service.emits) {
        report({
          code: 'builtin-service-contract',
          message: `the built-in \`${service.name}\` service emits \`${service.emits}\`, not \`${step.emits}\``,
          pointer: `${step.pointer}/emits`,
          hint: `set \`emits: ${service.emits}\`, or run the step on a domain service`,
        });
      }
      if (step.compensate !== undefined && step.compensate !== service.compensate) {
        report({
          code: 'builtin-service-contract',
          message:
            service.compensate === undefined
              ? `the built-in \`${service.name}\` service cannot be compensated; remove \`compensate\``
              : `the built-in \`${service.name}\` service is compensated by \`${service.compensate}\`, not \`${step.compensate}\``,
          pointer: `${step.pointer}/compensate`,
          ...(service.compensate === undefined
            ? {}
            : { hint: `set \`compensate: ${service.compensate}\`` }),
        });
      }
    }
  },
};

export const reservedEvent: Rule = {
  code: 'reserved-event',
  description:
    'Platform events are published by the platform alone, and built-in events cannot be redeclared.',
  check({ model, report }) {
    for (const step of allSteps(model)) {
      if (!step.emits || !platformEvents.has(step.emits)) continue;
      report({
        code: 'reserved-event',
        message: `${describeStep(step)} cannot emit \`${step.emits}\`: the platform publishes it`,
        pointer: `${step.pointer}/emits`,
        hint: 'emit an event of your own and declare it under `events:`',
      });
    }
    const uses: { name: string; pointer: string; target?: 'key' }[] = [
      ...allSteps(model).flatMap((step) =>
        (['on', 'emits', 'compensate'] as const).flatMap((key) =>
          step[key] ? [{ name: step[key], pointer: `${step.pointer}/${key}` }] : [],
        ),
      ),
      ...model.workflows.flatMap((w) =>
        w.kind === 'domain' ? [{ name: w.trigger, pointer: `${w.pointer}/startedBy` }] : [],
      ),
      ...model.messages.map((m) => ({ name: m.name, pointer: m.pointer, target: 'key' as const })),
      ...model.lifecycle.suspendOn,
      ...model.lifecycle.reinstateOn,
    ];
    for (const use of uses) {
      if (!internalMessages.has(use.name)) continue;
      report({
        code: 'reserved-event',
        message: `\`${use.name}\` is a message of the saga runtime; a blueprint cannot use it`,
        pointer: use.pointer,
        ...(use.target ? { target: use.target } : {}),
        hint: 'choose a name of your own',
      });
    }
    const builtins = new Set<string>(builtinEvents);
    for (const message of model.messages) {
      if (!builtins.has(message.name)) continue;
      report({
        code: 'reserved-event',
        message: `\`${message.name}\` is a built-in event and cannot be redeclared`,
        pointer: message.pointer,
        target: 'key',
        hint: 'remove it from `events:`; its payload is fixed by the platform',
      });
    }
  },
};

export const commandConflict: Rule = {
  code: 'command-conflict',
  description:
    'A command (`startedBy`, `compensate`) has exactly one handler and is never also an event.',
  check({ model, report }) {
    const events = new Set<string>(builtinEvents);
    for (const step of allSteps(model)) if (step.emits) events.add(step.emits);

    const commands = new Map<string, string>();
    const claim = (name: string, pointer: string, role: string): void => {
      if (events.has(name)) {
        report({
          code: 'command-conflict',
          message: `\`${name}\` is used as ${role} but it is an event; a command names something to do`,
          pointer,
          hint: 'name commands in the imperative, e.g. `RequestDataExport`, `DeleteWorkspace`',
        });
        return;
      }
      const earlier = commands.get(name);
      if (earlier !== undefined) {
        report({
          code: 'command-conflict',
          message: `command \`${name}\` is used twice; each command has one handler`,
          pointer,
          related: [{ pointer: earlier, message: 'first used here' }],
          hint: 'give each workflow and each compensation its own command',
        });
        return;
      }
      commands.set(name, pointer);
    };
    for (const workflow of model.workflows) {
      if (workflow.kind === 'domain' && workflow.trigger) {
        claim(workflow.trigger, `${workflow.pointer}/startedBy`, 'the trigger of a workflow');
      }
    }
    for (const step of allSteps(model)) {
      if (step.compensate) claim(step.compensate, `${step.pointer}/compensate`, 'a compensation');
    }
  },
};

/**
 * An id as generated code spells it: `index-docs`, `index_docs` and `indexDocs` are all the
 * handler method `onIndexDocs`, so two of them in one blueprint would not compile.
 */
const codeKey = (id: string): string => id.replace(/[-_]/g, '').toLowerCase();

export const duplicateStepId: Rule = {
  code: 'duplicate-step-id',
  description:
    'Step and reaction ids are unique across the blueprint, also once spelt for code (`index-docs` and `indexDocs` are one), as `SAAS_FAULTS`, the API and the handlers name steps by id.',
  check({ model, report }) {
    const first = new Map<string, Step>();
    for (const step of allSteps(model)) {
      const earlier = first.get(codeKey(step.id));
      if (!earlier) {
        first.set(codeKey(step.id), step);
        continue;
      }
      report({
        code: 'duplicate-step-id',
        message:
          earlier.id === step.id
            ? `${describeStep(step)} has the same id as ${describeStep(earlier)}`
            : `${describeStep(step)} and ${describeStep(earlier)} have one id once spelt for code (\`${step.id}\`, \`${earlier.id}\`)`,
        pointer: step.pointer,
        target: 'key',
        hint: 'rename one of them',
        related: [{ pointer: earlier.pointer, message: 'first defined here' }],
      });
    }
  },
};

export const duplicateWorkflowId: Rule = {
  code: 'duplicate-workflow-id',
  description:
    'Workflow ids are unique once spelt for code (`data-export` and `dataExport` are one workflow in the generated code).',
  check({ model, report }) {
    const first = new Map<string, string>();
    for (const workflow of model.workflows) {
      const earlier = first.get(codeKey(workflow.id));
      if (earlier === undefined) {
        first.set(codeKey(workflow.id), workflow.id);
        continue;
      }
      report({
        code: 'duplicate-workflow-id',
        message: `workflows \`${workflow.id}\` and \`${earlier}\` have one id once spelt for code`,
        pointer: `/workflows/${workflow.id}`,
        target: 'key',
        hint: 'rename one of them',
        related: [{ pointer: `/workflows/${earlier}`, message: 'first defined here' }],
      });
    }
  },
};

export const ownerNeverActivated: Rule = {
  code: 'owner-never-activated',
  description:
    "A step that invites the owner (`UserInvited`) needs a notification step on `UserInvited`: the activation e-mail is the only place the owner's code goes.",
  check({ model, report }) {
    const steps = allSteps(model);
    const inviting = steps.find((step) => step.emits === 'UserInvited');
    if (!inviting) return;
    if (steps.some((step) => step.service === 'notification' && step.on === 'UserInvited')) return;
    report({
      code: 'owner-never-activated',
      severity: 'warning',
      message: `${describeStep(inviting)} invites the tenant's owner, but no notification step takes \`UserInvited\`: the owner is never sent an activation code`,
      pointer: inviting.pointer,
      target: 'key',
      hint: 'give the notification step `on: UserInvited` (a blueprint has one: it emits `NotificationSent`), e.g. the reaction `activationEmail: { service: notification, on: UserInvited, emits: NotificationSent }`',
    });
  },
};
