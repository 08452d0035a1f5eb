/** Rules about names that must resolve: editions, features, limits, events. */
import { didYouMean } from '../diagnostics.js';
import { allSteps, describeStep, knownMessages } from './context.js';
import type { Rule } from './context.js';

export const unknownEdition: Rule = {
  code: 'unknown-edition',
  description: '`tenancy.defaultEdition` and every flag edition name an edition under `editions`.',
  check({ model, report }) {
    const editions = model.editions.map((edition) => edition.id);
    if (editions.length === 0) return; // the schema requires at least one edition
    const { defaultEdition } = model.tenancy;
    if (defaultEdition && !editions.includes(defaultEdition)) {
      report({
        code: 'unknown-edition',
        message: `default edition \`${defaultEdition}\` is not an edition${didYouMean(defaultEdition, editions)}`,
        pointer: '/tenancy/defaultEdition',
        hint: `editions: ${editions.join(', ') || '(none)'}`,
      });
    }
    for (const flag of model.flags) {
      for (const edition of flag.editions) {
        if (editions.includes(edition.id)) continue;
        report({
          code: 'unknown-edition',
          message: `flag \`${flag.id}\` names unknown edition \`${edition.id}\`${didYouMean(edition.id, editions)}`,
          pointer: edition.pointer,
          hint: `editions: ${editions.join(', ')}`,
        });
      }
    }
  },
};

export const unknownFeature: Rule = {
  code: 'unknown-feature',
  description: 'Every feature an edition lists is declared under `features`.',
  check({ model, report }) {
    const features = model.features.map((feature) => feature.id);
    for (const edition of model.editions) {
      for (const feature of edition.features) {
        if (features.includes(feature.id)) continue;
        report({
          code: 'unknown-feature',
          message: `edition \`${edition.id}\` lists unknown feature \`${feature.id}\`${didYouMean(feature.id, features)}`,
          pointer: feature.pointer,
          hint: `declare it under \`features:\` or use one of: ${features.join(', ') || '(none)'}`,
        });
      }
    }
  },
};

export const missingLimit: Rule = {
  code: 'missing-limit',
  description: 'Every edition names the same limits, so usage is metered the same way in each.',
  check({ model, report }) {
    const all = new Map<string, string>();
    for (const edition of model.editions) {
      for (const limit of edition.limits) if (!all.has(limit.id)) all.set(limit.id, edition.id);
    }
    for (const edition of model.editions) {
      const own = new Set(edition.limits.map((limit) => limit.id));
      for (const [limit, declaredBy] of all) {
        if (own.has(limit)) continue;
        report({
          code: 'missing-limit',
          message: `edition \`${edition.id}\` has no limit \`${limit}\`, which edition \`${declaredBy}\` has`,
          pointer: `${edition.pointer}/limits`,
          hint: `add \`${limit}: <number>\` or \`${limit}: unlimited\` to its limits`,
        });
      }
    }
  },
};

export const unknownEvent: Rule = {
  code: 'unknown-event',
  description:
    'Every message a step, reaction or lifecycle policy waits for is a built-in, declared, emitted or command message.',
  check({ model, report }) {
    const known = knownMessages(model);
    // The steps of a workflow whose `startedBy` is missing (the schema says so) would name it.
    const untriggered = new Set(model.workflows.filter((w) => !w.trigger).map((w) => w.id));
    for (const step of allSteps(model)) {
      if (!step.on || known.has(step.on) || untriggered.has(step.workflowId)) continue;
      report({
        code: 'unknown-event',
        message: `${describeStep(step)} waits for unknown event \`${step.on}\`${didYouMean(step.on, known)}`,
        pointer: `${step.pointer}/on`,
        hint: 'name an event that a step emits, a built-in event or the workflow trigger',
      });
    }
    for (const { name, pointer } of [
      ...model.lifecycle.suspendOn,
      ...model.lifecycle.reinstateOn,
    ]) {
      if (known.has(name)) continue;
      report({
        code: 'unknown-event',
        message: `lifecycle names unknown event \`${name}\`${didYouMean(name, known)}`,
        pointer,
      });
    }
  },
};

export const unusedDeclaration: Rule = {
  code: 'unused-declaration',
  description: 'A declared feature or event that nothing uses is probably a mistake (warning).',
  check({ model, report }) {
    const usedFeatures = new Set(model.editions.flatMap((e) => e.features.map((f) => f.id)));
    for (const feature of model.features) {
      if (usedFeatures.has(feature.id)) continue;
      report({
        code: 'unused-declaration',
        severity: 'warning',
        message: `feature \`${feature.id}\` is in no edition`,
        pointer: feature.pointer,
        target: 'key',
      });
    }
    const used = new Set<string>();
    for (const step of allSteps(model)) {
      for (const name of [step.on, step.emits, step.compensate]) if (name) used.add(name);
    }
    for (const workflow of model.workflows) used.add(workflow.trigger);
    for (const { name } of [...model.lifecycle.suspendOn, ...model.lifecycle.reinstateOn]) {
      used.add(name);
    }
    for (const message of model.messages) {
      if (used.has(message.name)) continue;
      report({
        code: 'unused-declaration',
        severity: 'warning',
        message: `event \`${message.name}\` is declared but no workflow or lifecycle policy uses it`,
        pointer: message.pointer,
        target: 'key',
      });
    }
  },
};
