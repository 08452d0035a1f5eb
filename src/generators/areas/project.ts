/** The product's project files: package.json, tsconfig, README, ignore files. */
import type { AreaContext } from './area.js';

export function projectArea({ view, render, tree }: AreaContext): void {
  const pkg = {
    name: view.product.name,
    version: '0.1.0',
    private: true,
    description: view.product.description ?? view.product.title,
    type: 'module',
    // OpenTelemetry's SDK 2.x needs 20.6; its 3.x (Node 22) is not used.
    engines: { node: '>=20.6.0' },
    scripts: {
      build: 'tsc -p tsconfig.json',
      start: 'tsx src/main.ts',
      test: 'vitest run',
      typecheck: 'tsc -p tsconfig.json --noEmit',
      bench: 'tsx scripts/bench.ts',
    },
    dependencies: {
      '@opentelemetry/api': '^1.9.0',
      '@opentelemetry/exporter-trace-otlp-http': '^0.223.1',
      '@opentelemetry/resources': '^2.12.1',
      '@opentelemetry/sdk-trace-base': '^2.12.1',
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
    },
    devDependencies: {
      '@seriousme/openapi-schema-validator': '^2.11.0',
      '@types/better-sqlite3': '^7.6.13',
      '@types/node': '^20.19.0',
      '@types/nodemailer': '^7.0.3',
      '@types/pg': '^8.23.1',
      tsx: '^4.20.0',
      typescript: '~5.9.3',
      vitest: '^4.0.0',
    },
    // vite 8 names an optional dependency the registry does not serve, which breaks `npm ci`.
    overrides: { vite: '^7.3.8' },
  };
  tree.write('package.json', `${JSON.stringify(pkg, null, 2)}\n`);

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
  tree.write('tsconfig.json', `${JSON.stringify(tsconfig, null, 2)}\n`);
  tree.write('.gitignore', render('gitignore.hbs', view, 'the product'));
  // Native modules (better-sqlite3) are compiled here, never downloaded as prebuilt binaries.
  tree.write('.npmrc', 'build-from-source=true\n');
  tree.write('README.md', render('README.md.hbs', readmeView(view), 'the product'));
  tree.write('docker-compose.yml', render('docker-compose.yml.hbs', view, 'the product'));
  tree.write('.dockerignore', 'node_modules\ndata\ndist\n.git\n');
  tree.write('src/main.ts', render('src/main.ts.hbs', view, 'the product'), 'user');
}

function readmeView(view: AreaContext['view']) {
  const workflows = view.workflows.map((workflow) => workflow.definition as WorkflowDefinitionView);
  return {
    ...view,
    exampleSlug: exampleSlug(view.tenancy.slugPattern),
    schemaIsolation: view.tenancy.isolation === 'schema',
    onboardingSteps: workflows.find((w) => w.kind === 'onboarding')?.steps ?? [],
    domainWorkflows: workflows.filter((w) => w.kind === 'domain'),
  };
}

interface WorkflowDefinitionView {
  readonly id: string;
  readonly kind: 'onboarding' | 'domain';
  readonly trigger: string;
  readonly steps: readonly object[];
}

/** A slug the blueprint's pattern accepts, for the README's example. */
function exampleSlug(pattern: string): string {
  const regex = new RegExp(pattern, 'u');
  const candidates = ['acme', 'acme-co', 'acmeco', 'acmecorp', 'acme-corp', 'example', 'exampleco'];
  return candidates.find((slug) => regex.test(slug)) ?? 'acme';
}
