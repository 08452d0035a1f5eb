/**
 * The product's project files, in their three classes (README "Who owns which file"):
 * package.json, tsconfig.json, the ignore files and the editor settings are merged (saas-gen owns
 * the parts the product needs); README.md is the user's; the reference documentation and the
 * deployment files are generated (their changes go in docker-compose.override.yml, which saas-gen
 * never writes).
 */
import { managedBlock } from '../managed-block.js';
import type { AreaContext } from './area.js';

/** Where the pinned saas-gen's schema is, from the product's root: the blueprint's modeline. */
export const pinnedSchemaPath = './node_modules/saas-gen/schema/blueprint.schema.json';

export function projectArea({ view, render, tree }: AreaContext): void {
  const json = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;

  // What the product needs of its package.json; the rest (name, version, …) is seeded once.
  const packageParts = {
    type: 'module',
    // OpenTelemetry's SDK 2.x needs 20.6; its 3.x (Node 22) is not used.
    engines: { node: '>=20.6.0' },
    scripts: {
      build: 'tsc -p tsconfig.json',
      start: 'tsx src/main.ts',
      // The compiled product, as its image runs it: `npm run build` first.
      serve: 'node dist/src/main.js',
      test: 'vitest run',
      typecheck: 'tsc -p tsconfig.json --noEmit',
      // Run by `npm run typecheck` after it: the pages' JavaScript (public/), checked through its
      // JSDoc types against the DOM (tsconfig.pages.json). A script of its own, so that upgrading
      // a product whose package.json was edited by hand adds it rather than conflicting.
      posttypecheck: 'tsc -p tsconfig.pages.json',
      bench: 'tsx scripts/bench.ts',
    },
    dependencies: {
      // The pages (public/) and their security headers.
      '@fastify/helmet': '^13.2.0',
      '@fastify/static': '^10.1.11',
      // The HTTP server spans, on the product's own tracer provider.
      '@fastify/otel': '^0.21.2',
      '@fastify/rate-limit': '^11.2.0',
      '@opentelemetry/api': '^1.9.0',
      '@opentelemetry/core': '^2.12.1',
      '@opentelemetry/exporter-trace-otlp-http': '^0.223.1',
      '@opentelemetry/resources': '^2.12.1',
      '@opentelemetry/sdk-trace-base': '^2.12.1',
      '@opentelemetry/semantic-conventions': '^1.45.0',
      ajv: '^8.17.1',
      'ajv-formats': '^3.0.1',
      // Ships its own type declarations since 1.2, so there is no @types/amqplib.
      amqplib: '^2.3.1',
      'better-sqlite3': '^12.4.1',
      fastify: '^5.6.1',
      jose: '^6.2.0',
      nodemailer: '^7.0.6',
      pg: '^8.23.1',
      'prom-client': '^15.1.3',
      standardwebhooks: '^1.1.1',
    },
    devDependencies: {
      '@seriousme/openapi-schema-validator': '^2.11.0',
      '@types/better-sqlite3': '^7.6.13',
      '@types/node': '^20.19.0',
      '@types/nodemailer': '^7.0.3',
      '@types/pg': '^8.23.1',
      // The page tests: an accessibility scan, and a driver for the system's Chromium (it
      // downloads no browser).
      'axe-core': '^4.14.1',
      'playwright-core': '^1.65.2',
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
  };
  const packageSeed = {
    name: view.product.name,
    version: '0.1.0',
    private: true,
    description: view.product.description ?? view.product.title,
    ...packageParts,
  };
  tree.write('package.json', json(packageSeed), 'merged', {
    merge: { kind: 'json', owned: packageParts, replaceable: ['devDependencies.saas-gen'] },
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
  tree.write('src/main.ts', render('src/main.ts.hbs', view, 'the product'), 'user');
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
  };
}

/** A slug the blueprint's pattern accepts, for the README's example. */
function exampleSlug(pattern: string): string {
  const regex = new RegExp(pattern, 'u');
  const candidates = ['acme', 'acme-co', 'acmeco', 'acmecorp', 'acme-corp', 'example', 'exampleco'];
  return candidates.find((slug) => regex.test(slug)) ?? 'acme';
}
