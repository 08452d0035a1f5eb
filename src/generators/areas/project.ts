/**
 * The product's project files, in their three classes (README "Who owns which file"):
 * package.json, tsconfig.json, the ignore files and the editor settings are merged (saas-gen owns
 * the parts the product needs); README.md is the user's; the reference documentation and the
 * deployment files are generated (their changes go in docker-compose.override.yml, which saas-gen
 * never writes).
 */
import { managedBlock } from '../managed-block.js';
import { withoutSpace } from '../tree.js';
import type { AreaContext } from './area.js';

/**
 * The oldest Node line a product supports (its package.json's `engines`): the maintained LTS
 * lines are 22 and 24, the image's. Node 20 reached its end of life in April 2026, and
 * dependencies of the runtime (fastify's cookie, content-disposition) need 22.
 */
export const oldestSupportedNode = 22;

/** Where the pinned saas-gen's schema is, from the product's root: the blueprint's modeline. */
export const pinnedSchemaPath = './node_modules/saas-gen/schema/blueprint.schema.json';

export function projectArea({ view, render, tree }: AreaContext): void {
  const json = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;

  // What the product needs of its package.json; the rest (name, version, …) is seeded once.
  const packageParts = {
    type: 'module',
    engines: { node: `>=${oldestSupportedNode}.0.0` },
    scripts: {
      build: 'tsc -p tsconfig.json',
      start: 'tsx src/main.ts',
      // The compiled product, as its image runs it: `npm run build` first.
      serve: 'node dist/src/main.js',
      test: 'vitest run',
      typecheck: 'tsc -p tsconfig.json --noEmit',
      bench: 'tsx scripts/bench.ts',
    },
    dependencies: {
      // Everything the product runs on that its blueprint does not determine, at the version of
      // the saas-gen that generated it: `saas-gen generate` with a newer one moves both pins.
      '@saas-gen/runtime': view.generatorVersion,
    },
    devDependencies: {
      // The oldest Node the product supports: its code may use nothing newer.
      '@types/node': '^22.19.0',
      // The generator is pinned: `npx saas-gen generate|check` in the product runs this version.
      'saas-gen': view.generatorVersion,
      tsx: '^4.20.0',
      typescript: '~5.9.3',
      vitest: '^4.0.0',
      // The deployment tests read docker-compose.yml.
      yaml: '^2.8.1',
    },
    // vite 8 names an optional dependency the registry does not serve, which breaks `npm ci`.
    overrides: { vite: '^7.3.8' },
    // The dependencies whose install scripts the product needs: better-sqlite3 fetches or builds
    // its native module, esbuild (under tsx) places its binary. npm 11 warns about every script
    // not listed here, and npm 12 no longer runs them.
    allowScripts: { 'better-sqlite3': true, esbuild: true },
  };
  const packageSeed = {
    name: view.product.name,
    version: '0.1.0',
    private: true,
    description: view.product.description ?? view.product.title,
    ...packageParts,
  };
  tree.write('package.json', json(packageSeed), 'merged', {
    merge: {
      kind: 'json',
      owned: packageParts,
      replaceable: ['devDependencies.saas-gen', 'dependencies.@saas-gen/runtime'],
      // Up to 0.3.0, products were made for Node 20.
      formerly: {
        'engines.node': ['>=20.6.0'],
        'devDependencies.@types/node': ['^20.19.0'],
      },
    },
  });

  const tsconfig = {
    compilerOptions: {
      target: 'ES2022',
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      strict: true,
      noUncheckedIndexedAccess: true,
      noImplicitOverride: true,
      esModuleInterop: true,
      skipLibCheck: true,
      outDir: 'dist',
      rootDir: '.',
      types: ['node'],
    },
    include: ['src', 'test', 'scripts'],
  };
  tree.write('tsconfig.json', json(tsconfig), 'merged', {
    merge: { kind: 'json', owned: tsconfig },
  });
  const ignoreFile = (path: string, body: string): void => {
    tree.write(path, managedBlock(body), 'merged', { merge: { kind: 'block', body } });
  };
  ignoreFile('.gitignore', render('gitignore.hbs', view, 'the product'));
  ignoreFile('.dockerignore', render('dockerignore.hbs', view, 'the product'));

  // The editor: the blueprint's schema through the modeline (and for a blueprint without one),
  // the workspace's TypeScript, and the YAML extension that reads the schema.
  const settings = {
    'typescript.tsdk': 'node_modules/typescript/lib',
    'yaml.schemas': { [pinnedSchemaPath]: 'blueprint.yaml' },
  };
  tree.write('.vscode/settings.json', json(settings), 'merged', {
    merge: { kind: 'json', owned: settings },
  });
  const extensions = { recommendations: ['redhat.vscode-yaml'] };
  tree.write('.vscode/extensions.json', json(extensions), 'merged', {
    merge: { kind: 'json', owned: extensions },
  });

  const docs = { ...docsView(view), ownedScripts: Object.keys(packageParts.scripts) };
  tree.write('README.md', render('README.md.hbs', docs, 'the product'), 'user');
  tree.write('docs/reference.md', render('docs/reference.md.hbs', docs, 'the product'));
  tree.write('docker-compose.yml', render('docker-compose.yml.hbs', view, 'the product'));
  // The team's seams: the composition root, its own environment variables, and the stand-ins
  // of its dependencies in the generated tests (test/product.ts builds the product with them).
  tree.write('src/main.ts', render('src/main.ts.hbs', view, 'the product'), 'user', {
    // saas-gen 0.2.0's composition root imported its copied runtime, which 0.3.0 removes.
    supersedes: [withoutSpace(render('superseded/main.ts-0.2.0.hbs', view, 'the product'))],
  });
  tree.write('src/env.ts', render('src/env.ts.hbs', view, 'the product'), 'user');
  tree.write('scripts/bench.ts', render('scripts/bench.ts.hbs', view, 'the product'));
  tree.write('test/doubles.ts', render('test/doubles.ts.hbs', view, 'the product'), 'user');
  tree.write('test/product.ts', render('test/product.ts.hbs', view, 'the product'));
  tree.write('test/onboarding.test.ts', render('test/onboarding.test.ts.hbs', view, 'the product'));
  tree.write('test/workflows.test.ts', render('test/workflows.test.ts.hbs', view, 'the product'));
}

function docsView(view: AreaContext['view']) {
  const workflows = view.workflows.map((workflow) => workflow.definition);
  const onboarding = workflows.find((workflow) => workflow.kind === 'onboarding');
  return {
    ...view,
    exampleSlug: exampleSlug(view.tenancy.slugPattern),
    schemaIsolation: view.tenancy.isolation === 'schema',
    onboardingSteps: onboarding?.steps ?? [],
    onboardingReactions: onboarding?.reactions ?? [],
    domainWorkflows: workflows.filter((w) => w.kind === 'domain'),
    handlerFiles: view.domainServices.map((service) => `src/services/${service.name}/handlers.ts`),
    billing: (onboarding?.steps ?? []).some((step) => step.service === 'billing'),
    paymentEditions: view.model.editions.map((edition) => ({
      id: edition.id,
      terms: termsOf(edition),
    })),
    trialsSuspend: view.model.lifecycle.suspendOn.some((event) => event.name === 'PaymentPastDue'),
  };
}

/** What a tenant on this edition is asked to pay, as the runtime's billing reads the catalog. */
function termsOf(edition: AreaContext['view']['model']['editions'][number]): string {
  if (edition.price.amount === 0) return 'free: `active` at once';
  if (edition.trialDays > 0) return `a ${edition.trialDays}-day trial, then paid`;
  return 'paid: the onboarding waits for the first payment';
}

/** A slug the blueprint's pattern accepts, for the README's example. */
function exampleSlug(pattern: string): string {
  const regex = new RegExp(pattern, 'u');
  const candidates = ['acme', 'acme-co', 'acmeco', 'acmecorp', 'acme-corp', 'example', 'exampleco'];
  return candidates.find((slug) => regex.test(slug)) ?? 'acme';
}
