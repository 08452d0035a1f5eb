/**
 * The pure pipeline in memory: blueprint text → model → virtual tree → plan, without the CLI, a
 * subprocess or the disk. The templates are read once, the way the CLI reads them; the "disk" of
 * a product is a map from path to content that the test applies plans to.
 */
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkBlueprint } from '../src/blueprint/check.js';
import type { Model } from '../src/blueprint/model.js';
import { renderHandlerContracts } from '../src/generators/handler-contracts.js';
import { addContracts, generateProduct } from '../src/generators/index.js';
import type { TemplateSet, VirtualFile } from '../src/generators/index.js';
import { loadTemplates } from '../src/cli/product.js';
import { manifestPath, parseManifest, serializeManifest } from '../src/sync/manifest.js';
import type { Manifest } from '../src/sync/manifest.js';
import { pathsToRead, planChanges } from '../src/sync/plan.js';
import type { Plan } from '../src/sync/plan.js';
import { blueprint } from './support/base-blueprint.js';
import { yaml } from './support/marked-yaml.js';

const generatorVersion = '1.2.3';

let templates: TemplateSet;
beforeAll(() => {
  templates = loadTemplates();
});

function modelOf(text: string): Model {
  const checked = checkBlueprint('blueprint.yaml', text);
  expect(checked.diagnostics).toEqual([]);
  return checked.model!;
}

/** Every file of the product, handler contracts included, as `generate` plans them (unformatted). */
function productFiles(text: string, version = generatorVersion): VirtualFile[] {
  const { tree, contractJobs } = generateProduct(modelOf(text), {
    templates,
    generatorVersion: version,
  });
  addContracts(tree, renderHandlerContracts(contractJobs));
  return tree.files();
}

/** The exports of a generated module that imports nothing, compiled and run in memory. */
function evaluate(source: string): Record<string, unknown> {
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
  });
  const exports: Record<string, unknown> = {};
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- running the module is the point
  new Function('exports', outputText)(exports);
  return exports;
}

type Disk = ReadonlyMap<string, string>;

function plan(files: readonly VirtualFile[], disk: Disk, force = false): Plan {
  const text = disk.get(manifestPath);
  const previous: Manifest | undefined = text === undefined ? undefined : parseManifest(text);
  return planChanges({
    files,
    previous,
    disk: new Map(pathsToRead(files, previous).map((path) => [path, disk.get(path) ?? null])),
    generatorVersion,
    blueprintHash: 'sha256-blueprint',
    force,
  });
}

/** The disk after the writer applied `plan`: its changes, then the manifest. */
function apply(disk: Disk, { changes, manifest }: Plan): Map<string, string> {
  const next = new Map(disk);
  for (const change of changes) {
    if (change.kind === 'delete') next.delete(change.path);
    else next.set(change.path, change.content);
  }
  next.set(manifestPath, serializeManifest(manifest));
  return next;
}

const newProduct = (text: string): Map<string, string> =>
  apply(new Map(), plan(productFiles(text), new Map()));

const paths = (plan: Plan, kind: 'create' | 'update' | 'delete'): string[] =>
  plan.changes.filter((change) => change.kind === kind).map((change) => change.path);

const edit = (disk: Disk, path: string, change: (text: string) => string): Map<string, string> =>
  new Map(disk).set(path, change(disk.get(path)!));

/** The base blueprint without its `notes` domain service: no `notebook` step, no `NotebookCreated`. */
const withoutNotes = blueprint({
  events: '',
  workflows: yaml`
    workflows:
      onboarding:
        timeout: 10m
        steps:
          subscription: { service: billing, on: TenantRegistered, emits: SubscriptionActivated, compensate: CancelSubscription }
          owner: { service: identity, on: TenantRegistered, emits: UserInvited, compensate: DisableUser }
        reactions:
          welcome: { service: notification, on: UserInvited, emits: NotificationSent }
  `,
});

describe('generateProduct', () => {
  it('copies every static template, and writes the files the blueprint derives', () => {
    const files = productFiles(blueprint());
    const byPath = new Map(files.map((file) => [file.path, file]));
    for (const [path, content] of templates) {
      if (path.endsWith('.hbs')) continue;
      // Under the generated-file header, where the file's syntax has comments.
      expect(byPath.get(path), path).toMatchObject({ owner: 'generated', preformatted: true });
      expect(byPath.get(path)!.content, path).toContain(content);
    }
    const derived = files.filter((file) => !templates.has(file.path));
    expect(derived.map((file) => `${file.owner} ${file.path}`)).toEqual(
      expect.arrayContaining([
        'generated src/catalog.ts',
        'generated src/contracts/messages.ts',
        'generated src/saga/definitions.ts',
        'generated src/services/registry.ts',
        'merged package.json',
        'merged tsconfig.json',
        'user README.md',
        'user src/main.ts',
        'user src/env.ts',
        'user test/doubles.ts',
        'generated src/product.ts',
        'generated test/onboarding.test.ts',
      ]),
    );
    // One folder per domain service; the built-in services (billing, identity, …) have none.
    expect(
      derived.filter((file) => file.path.startsWith('src/services/')).map((file) => file.path),
    ).toEqual([
      'src/services/notes/contract.ts',
      'src/services/notes/handlers.ts',
      'src/services/registry.ts',
    ]);
    expect(byPath.get('src/services/notes/handlers.ts')?.owner).toBe('user');
    expect(byPath.get('src/services/notes/contract.ts')?.content).toMatch(
      /^\/\/ Generated by saas-gen[\s\S]*export interface NotesHandlers/,
    );
  });

  it('puts both editions of the blueprint in the catalogue, with their features and limits', () => {
    const catalog = productFiles(blueprint()).find((file) => file.path === 'src/catalog.ts')!;
    const { editions, defaultEdition } = evaluate(catalog.content);
    expect(editions).toEqual({
      free: expect.objectContaining({
        id: 'free',
        title: 'Free',
        trialDays: 0,
        price: { amount: 0, currency: 'USD', interval: 'month' },
        features: ['notes'],
        limits: { seats: 3 },
      }),
      team: expect.objectContaining({
        id: 'team',
        title: 'Team',
        trialDays: 14,
        price: { amount: 29, currency: 'USD', interval: 'month' },
        features: ['notes', 'sharing'],
        // `unlimited` in the blueprint.
        limits: { seats: null },
      }),
    });
    expect(defaultEdition).toBe('free');
  });

  it('says in the reference how each edition is paid for, and whether an unpaid trial suspends', () => {
    const reference = (text: string) =>
      productFiles(text).find((file) => file.path === 'docs/reference.md')!.content;
    const suspends = reference(blueprint());
    expect(suspends).toContain('## Trials and payment');
    expect(suspends).toContain('- `free` — free: `active` at once');
    expect(suspends).toContain('- `team` — a 14-day trial, then paid');
    expect(suspends).toContain('`lifecycle.suspendOn` lists `PaymentPastDue`');

    const lenient = reference(
      blueprint({
        lifecycle: yaml`
          lifecycle:
            suspendOn: []
            reinstateOn: [PaymentSettled]
        `,
      }),
    );
    expect(lenient).toContain('does not list `PaymentPastDue`, so the tenant stays `Active`');
  });

  it('is deterministic', () => {
    expect(productFiles(blueprint())).toEqual(productFiles(blueprint()));
  });
});

describe('checkBlueprint', () => {
  it('gives an invalid blueprint diagnostics and no model, so there is nothing to generate from', () => {
    const checked = checkBlueprint(
      'blueprint.yaml',
      blueprint({
        workflows: yaml`
          workflows:
            onboarding:
              steps:
                owner: { service: identity, on: TenantRegistred, emits: UserInvited }
        `,
      }),
    );
    expect(checked.model).toBeUndefined();
    expect(checked.diagnostics).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          code: 'unknown-event',
          severity: 'error',
          pointer: '/workflows/onboarding/steps/owner/on',
        }),
      ]),
    );
  });
});

describe('planChanges', () => {
  it('creates every file of a new product, and changes nothing when run again', () => {
    const files = productFiles(blueprint());
    const first = plan(files, new Map());
    expect(first.conflicts).toEqual([]);
    expect(paths(first, 'create')).toEqual(files.map((file) => file.path));
    expect(first.manifest.userFiles).toEqual([
      'README.md',
      'src/env.ts',
      'src/main.ts',
      'src/services/notes/handlers.ts',
      'test/doubles.ts',
    ]);

    const again = plan(files, apply(new Map(), first));
    expect(again.changes).toEqual([]);
    expect(again.conflicts).toEqual([]);
    expect(new Set(again.outcomes.map((outcome) => outcome.action))).toEqual(
      new Set(['unchanged']),
    );
  });

  it('plans a blueprint change: updates what it changes, deletes what it no longer generates, keeps the user files', () => {
    const disk = newProduct(blueprint());
    const files = productFiles(withoutNotes);
    const changed = plan(files, disk);
    expect(changed.conflicts).toEqual([]);
    expect(paths(changed, 'create')).toEqual([]);
    expect(paths(changed, 'delete')).toEqual(['src/services/notes/contract.ts']);
    expect(paths(changed, 'update')).toEqual(
      expect.arrayContaining([
        'src/contracts/messages.ts',
        'src/saga/definitions.ts',
        'src/services/registry.ts',
      ]),
    );
    // Every update is a file whose content differs from what is on disk; nothing else is touched.
    for (const change of changed.changes) {
      if (change.kind === 'update') expect(change.content).not.toBe(disk.get(change.path));
    }
    expect(paths(changed, 'update')).not.toContain('src/catalog.ts');
    // The handlers are the user's: no longer generated, but left where they are.
    expect(changed.outcomes).toContainEqual({
      path: 'src/services/notes/handlers.ts',
      owner: 'user',
      action: 'unused',
    });
    expect(changed.manifest.userFiles).not.toContain('src/services/notes/handlers.ts');

    const after = apply(disk, changed);
    expect(after.has('src/services/notes/contract.ts')).toBe(false);
    expect(after.get('src/services/notes/handlers.ts')).toBe(
      disk.get('src/services/notes/handlers.ts'),
    );
    expect(plan(files, after).changes).toEqual([]);
  });

  it('refuses to overwrite a hand-edited generated file unless forced', () => {
    const files = productFiles(blueprint());
    const generated = newProduct(blueprint());
    const edited = edit(generated, 'src/catalog.ts', (text) => `${text}// mine\n`);

    const refused = plan(files, edited);
    expect(refused.conflicts).toEqual([{ path: 'src/catalog.ts', reason: 'edited' }]);
    expect(refused.changes).toEqual([]);
    expect(refused.outcomes).toContainEqual({
      path: 'src/catalog.ts',
      owner: 'generated',
      action: 'conflict',
    });

    const forced = plan(files, edited, true);
    expect(forced.conflicts).toEqual([]);
    expect(forced.changes).toEqual([
      { kind: 'update', path: 'src/catalog.ts', content: generated.get('src/catalog.ts') },
    ]);
  });

  it('keeps the user’s parts of a merged file, and calls an edited owned part a conflict', () => {
    const files = productFiles(blueprint());
    const generated = newProduct(blueprint());
    const packageJson = (change: (pkg: Record<string, Record<string, string>>) => void) =>
      edit(generated, 'package.json', (text) => {
        const pkg = JSON.parse(text) as Record<string, Record<string, string>>;
        change(pkg);
        return `${JSON.stringify(pkg, null, 2)}\n`;
      });

    const withOwnDependency = packageJson((pkg) => (pkg.dependencies!['left-pad'] = '^1.3.0'));
    expect(plan(files, withOwnDependency).changes).toEqual([]);
    // A newer saas-gen pins itself: that part of package.json changes, the user's dependency stays.
    const upgrade = plan(productFiles(blueprint(), '1.3.0'), withOwnDependency);
    expect(upgrade.conflicts).toEqual([]);
    const upgraded = upgrade.changes.find((change) => change.path === 'package.json');
    expect(upgraded?.kind).toBe('update');
    const pkg = JSON.parse(upgraded && 'content' in upgraded ? upgraded.content : '{}');
    // …and its runtime with it, at the same version.
    expect(pkg.devDependencies['saas-gen']).toBe('1.3.0');
    expect(pkg.dependencies['@saas-gen/runtime']).toBe('1.3.0');
    expect(pkg.dependencies['left-pad']).toBe('^1.3.0');

    const vitest = JSON.parse(generated.get('package.json')!).devDependencies.vitest as string;
    const withOwnedPartEdited = packageJson((pkg) => (pkg.devDependencies!.vitest = '^3.0.0'));
    const refused = plan(files, withOwnedPartEdited);
    expect(refused.changes).toEqual([]);
    expect(refused.conflicts).toEqual([
      {
        path: 'package.json',
        reason: 'part-edited',
        parts: [
          {
            name: 'devDependencies.vitest',
            status: 'conflict',
            expected: vitest,
            actual: '^3.0.0',
          },
        ],
      },
    ]);
  });
});
