/**
 * The real install path, as a user takes it: `npx saas-gen@<version> new shop` in an empty
 * directory (the starter blueprint, dependencies installed, saas-gen among them at exactly that
 * version), `npx saas-gen check` in the product running that pinned saas-gen, and an editor
 * finding the blueprint's schema in the installed package through the modeline the product's
 * blueprint.yaml starts with.
 *
 * saas-gen comes from the local registry (scripts/local-registry.ts), which has this repository's
 * build published as the version in package.json; every other package comes from npmjs.org
 * through it. Nothing here is skipped: CI reaches the npm registry, and that is all this needs.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot, tempDir } from './support/cli.js';
import {
  editorCapabilities,
  LspClient,
  type CompletionItem,
  type Hover,
  type PublishDiagnosticsParams,
} from './support/lsp-client.js';
import { useLocalRegistry } from './support/registry.js';

const minutes = 60_000;
const version = (
  JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }
).version;
const modeline =
  '# yaml-language-server: $schema=./node_modules/saas-gen/schema/blueprint.schema.json';

const registry = useLocalRegistry();
const root = tempDir('saas-gen-install-');
const shop = join(root, 'shop');

afterAll(() => rmSync(root, { recursive: true, force: true }), 120_000);

/** The test runner's environment without what makes a process think it is under test. */
function userEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined || key === 'NODE_ENV' || /^_*VITEST/.test(key)) continue;
    env[key] = value;
  }
  return { ...env, ...registry.env, NO_COLOR: '1' };
}

const run = (command: string, args: string[], cwd: string) =>
  execa(command, args, {
    cwd,
    reject: false,
    all: true,
    extendEnv: false,
    env: userEnv(),
    stdin: 'ignore',
  });

describe(`npx saas-gen@${version} new shop`, () => {
  it(
    'creates the starter product and installs it, saas-gen pinned at that version',
    async () => {
      const created = await run('npx', ['--yes', `saas-gen@${version}`, 'new', 'shop'], root);
      expect(created.exitCode, created.all?.slice(-4000)).toBe(0);
      expect(created.all).toContain('dependencies installed');
      // better-sqlite3's install script (a compiler run where no prebuilt binary fits) is one
      // line with its time; its output is in the log named at the end.
      expect(created.all).toMatch(/better-sqlite3@\S+: native module built in \d+:\d\d/);
      expect(created.all).not.toMatch(/^\s*│?\s*gyp info/m);
      const log = /npm's full output: (\S+\.log)/.exec(created.all ?? '')?.[1];
      expect(log, 'the log is named').toBeDefined();
      expect(readFileSync(log!, 'utf8')).toMatch(/> better-sqlite3@\S+ install/);

      const manifest = JSON.parse(readFileSync(join(shop, 'package.json'), 'utf8')) as {
        dependencies?: Record<string, string>;
        devDependencies?: Record<string, string>;
      };
      expect(manifest.devDependencies?.['saas-gen'], 'the pin in package.json').toBe(version);
      expect(manifest.dependencies?.['@saas-gen/runtime'], 'the runtime pin').toBe(version);
      const installedVersion = (name: string) =>
        (
          JSON.parse(readFileSync(join(shop, 'node_modules', name, 'package.json'), 'utf8')) as {
            version: string;
          }
        ).version;
      expect(installedVersion('saas-gen'), 'the installed saas-gen').toBe(version);
      // The runtime as published: built JavaScript and declarations, no sources.
      expect(installedVersion('@saas-gen/runtime'), 'the installed runtime').toBe(version);
      const runtime = join(shop, 'node_modules', '@saas-gen', 'runtime');
      expect(existsSync(join(runtime, 'dist', 'index.d.ts'))).toBe(true);
      expect(existsSync(join(runtime, 'public', 'index.html'))).toBe(true);
      expect(existsSync(join(runtime, 'src'))).toBe(false);
    },
    15 * minutes,
  );

  it(
    'runs the pinned saas-gen as `npx saas-gen`, and its check passes',
    async () => {
      const pinned = await run('npx', ['saas-gen', '--version'], shop);
      expect(pinned.exitCode, pinned.all).toBe(0);
      expect(pinned.stdout.trim()).toBe(version);
      const check = await run('npx', ['saas-gen', 'check'], shop);
      expect(check.exitCode, check.all?.slice(-4000)).toBe(0);
    },
    2 * minutes,
  );

  it(
    'type-checks',
    async () => {
      const typecheck = await run('npm', ['run', 'typecheck'], shop);
      expect(typecheck.exitCode, typecheck.all?.slice(-4000)).toBe(0);
    },
    5 * minutes,
  );
});

describe('shop/blueprint.yaml in an editor (yaml-language-server)', () => {
  const WAIT_MS = 20_000;
  let client: LspClient | undefined;

  afterAll(async () => {
    try {
      await client?.stop();
    } finally {
      client?.kill();
    }
  }, 15_000);

  /** The server, started as an editor would start it, with the product as its workspace. */
  async function startServer(): Promise<LspClient> {
    const require = createRequire(import.meta.url);
    const serverPackageJson = require.resolve('yaml-language-server/package.json');
    const serverPackage = JSON.parse(readFileSync(serverPackageJson, 'utf8')) as {
      bin: Record<string, string>;
    };
    const settings = {
      validate: true,
      hover: true,
      completion: true,
      schemaStore: { enable: false },
    };
    let pulled!: () => void;
    const settingsPulled = new Promise<void>((resolve) => (pulled = resolve));
    const server = LspClient.start(
      join(dirname(serverPackageJson), serverPackage.bin['yaml-language-server']!),
      {
        // The server pulls its settings after didChangeConfiguration (see editor-schema.test.ts).
        'workspace/configuration': (params) =>
          (params as { items: { section?: string }[] }).items.map((item) => {
            if (item.section !== 'yaml') return null;
            pulled();
            return settings;
          }),
        'client/registerCapability': () => null,
        'client/unregisterCapability': () => null,
        'window/workDoneProgress/create': () => null,
      },
    );
    client = server;
    const rootUri = pathToFileURL(shop).href;
    await server.request(
      'initialize',
      {
        processId: process.pid,
        rootUri,
        workspaceFolders: [{ uri: rootUri, name: 'shop' }],
        capabilities: editorCapabilities,
      },
      WAIT_MS,
    );
    server.notify('initialized', {});
    server.notify('workspace/didChangeConfiguration', { settings: { yaml: settings } });
    await Promise.race([
      settingsPulled,
      new Promise((_, reject) =>
        setTimeout(() => reject(new Error('the server did not pull its settings')), WAIT_MS),
      ),
    ]);
    return server;
  }

  it(
    'completes and documents keys and values from the installed package’s schema, found through the modeline',
    async () => {
      const file = join(shop, 'blueprint.yaml');
      const text = readFileSync(file, 'utf8');
      expect(text.split('\n')[0], 'the modeline, as the product was created with it').toBe(
        modeline,
      );
      // The descriptions the editor must show are those of the schema the modeline names.
      const schema = JSON.parse(
        readFileSync(join(shop, 'node_modules/saas-gen/schema/blueprint.schema.json'), 'utf8'),
      ) as {
        properties: {
          tenancy: {
            properties: Record<
              string,
              { description?: string; markdownDescription?: string; enum?: string[] }
            >;
          };
        };
      };
      const tenancy = schema.properties.tenancy.properties;

      const server = await startServer();
      const uri = pathToFileURL(file).href;
      let documentVersion = 1;
      const since = server.notifications.length;
      server.notify('textDocument/didOpen', {
        textDocument: { uri, languageId: 'yaml', version: documentVersion, text },
      });
      // The file as written validates: the schema was found and the starter matches it.
      const { diagnostics } = await server.waitForNotification<PublishDiagnosticsParams>(
        'textDocument/publishDiagnostics',
        (params) => params.uri === uri,
        `diagnostics for ${uri}`,
        { since, timeoutMs: WAIT_MS },
      );
      expect(
        diagnostics
          .filter((d) => (d.severity ?? 1) === 1)
          .map((d) => `${d.range.start.line}: ${d.message}`),
      ).toEqual([]);

      // Hover on a key shows its documentation from the schema.
      const lines = text.split('\n');
      const at = (prefix: string, offset = 0) => {
        const line = lines.findIndex((candidate) => candidate.startsWith(prefix));
        expect(line, `a line starting with ${JSON.stringify(prefix)}`).toBeGreaterThan(0);
        return { line, character: offset };
      };
      const hover = async (key: string) =>
        hoverText(
          await server.request<Hover | null>(
            'textDocument/hover',
            { textDocument: { uri }, position: at(`  ${key}:`, 3) },
            WAIT_MS,
          ),
        );
      expect(tenancy.isolation?.markdownDescription).toBeTruthy();
      expect(await hover('isolation')).toContain(tenancy.isolation?.markdownDescription);
      expect(tenancy.defaultEdition?.description).toBeTruthy();
      expect(await hover('defaultEdition')).toContain(tenancy.defaultEdition?.description);

      // Completion, as the user types: the same document, edited in the editor (the modeline
      // stays as it is). A key under `tenancy:` once `isolation` is gone…
      const isolationLine = at('  isolation:').line;
      const edit = (replacement: string) => {
        server.notify('textDocument/didChange', {
          textDocument: { uri, version: ++documentVersion },
          contentChanges: [
            {
              range: {
                start: { line: isolationLine, character: 0 },
                end: { line: isolationLine, character: lines[isolationLine]!.length },
              },
              text: replacement,
            },
          ],
        });
        lines[isolationLine] = replacement;
      };
      edit('  ');
      const keys = await server.request<CompletionItem[] | { items: CompletionItem[] }>(
        'textDocument/completion',
        { textDocument: { uri }, position: { line: isolationLine, character: 2 } },
        WAIT_MS,
      );
      expect(labels(keys)).toContain('isolation');
      // …and its values.
      edit('  isolation: ');
      const values = await server.request<CompletionItem[] | { items: CompletionItem[] }>(
        'textDocument/completion',
        { textDocument: { uri }, position: { line: isolationLine, character: 13 } },
        WAIT_MS,
      );
      expect(tenancy.isolation?.enum).toEqual(['pooled', 'schema']);
      expect(labels(values)).toEqual(expect.arrayContaining(['pooled', 'schema']));

      // The schema came through the modeline's path, relative to the blueprint: the same text
      // next to no node_modules/saas-gen gets none of it.
      const elsewhere = pathToFileURL(join(root, 'elsewhere.yaml')).href;
      server.notify('textDocument/didOpen', {
        textDocument: { uri: elsewhere, languageId: 'yaml', version: 1, text: lines.join('\n') },
      });
      const without = await server.request<CompletionItem[] | { items: CompletionItem[] }>(
        'textDocument/completion',
        { textDocument: { uri: elsewhere }, position: { line: isolationLine, character: 13 } },
        WAIT_MS,
      );
      expect(labels(without)).not.toContain('pooled');
    },
    2 * minutes,
  );
});

function labels(result: CompletionItem[] | { items: CompletionItem[] } | null): string[] {
  return (Array.isArray(result) ? result : (result?.items ?? [])).map((item) => item.label);
}

function hoverText(hover: Hover | null): string {
  const contents = hover?.contents;
  return (Array.isArray(contents) ? contents : [contents])
    .map((part) =>
      typeof part === 'string'
        ? part
        : part && typeof part === 'object' && 'value' in part
          ? String(part.value)
          : '',
    )
    .join('\n');
}
