import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  editorCapabilities,
  LspClient,
  type CompletionItem,
  type Hover,
  type PublishDiagnosticsParams,
} from './support/lsp-client.js';

// Proves that an editor running yaml-language-server (the server behind the Red Hat YAML
// extension and most other YAML editor integrations) validates, completes and documents a
// blueprint from the shipped JSON Schema, found through the modeline on the first line.

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const schemaPath = join(repoRoot, 'schema', 'blueprint.schema.json');
const examplePath = join(repoRoot, 'examples', 'acme-analytics', 'blueprint.yaml');

const require = createRequire(import.meta.url);
const serverPackageJsonPath = require.resolve('yaml-language-server/package.json');
const serverPackage = JSON.parse(readFileSync(serverPackageJsonPath, 'utf8')) as {
  bin: Record<string, string>;
};
const serverScript = join(
  dirname(serverPackageJsonPath),
  serverPackage.bin['yaml-language-server'] as string,
);

interface PropertySchema {
  description?: string;
  markdownDescription?: string;
  enum?: string[];
}
const schema = JSON.parse(readFileSync(schemaPath, 'utf8')) as {
  properties: { tenancy: { properties: Record<string, PropertySchema> } };
};
const tenancyProperties = schema.properties.tenancy.properties;

const yamlSettings = {
  validate: true,
  hover: true,
  completion: true,
  schemaStore: { enable: false },
};

const WAIT_MS = 15_000;
const DiagnosticSeverityError = 1;

/** The example blueprint, with its modeline pointing at the schema by absolute path. */
function exampleWithAbsoluteModeline(): string {
  const lines = readFileSync(examplePath, 'utf8').split('\n');
  expect(lines[0]).toMatch(/^# yaml-language-server: \$schema=/);
  lines[0] = `# yaml-language-server: $schema=${schemaPath}`;
  return lines.join('\n');
}

/** 0-based line and the character just after `needle` on the first line containing it. */
function positionAfter(text: string, needle: string): { line: number; character: number } {
  const lines = text.split('\n');
  const line = lines.findIndex((l) => l.includes(needle));
  if (line < 0) throw new Error(`${JSON.stringify(needle)} not found in document`);
  return { line, character: (lines[line] as string).indexOf(needle) + needle.length };
}

function hoverText(hover: Hover | null): string {
  const contents = hover?.contents;
  const parts = Array.isArray(contents) ? contents : [contents];
  return parts
    .map((part) =>
      typeof part === 'string'
        ? part
        : part && typeof part === 'object' && 'value' in part
          ? String(part.value)
          : '',
    )
    .join('\n');
}

function completionLabels(result: CompletionItem[] | { items: CompletionItem[] } | null): string[] {
  const items = Array.isArray(result) ? result : (result?.items ?? []);
  return items.map((item) => item.label);
}

describe('editor support via yaml-language-server', () => {
  let client: LspClient;
  let workDir: string;
  let documentVersion = 0;

  /** Writes `text` to `name` in the temp dir and opens it in the server; returns its URI. */
  function open(name: string, text: string): { uri: string; since: number } {
    const file = join(workDir, name);
    writeFileSync(file, text);
    const uri = pathToFileURL(file).href;
    const since = client.notifications.length;
    client.notify('textDocument/didOpen', {
      textDocument: { uri, languageId: 'yaml', version: ++documentVersion, text },
    });
    return { uri, since };
  }

  function diagnosticsFor(uri: string, since: number): Promise<PublishDiagnosticsParams> {
    return client.waitForNotification<PublishDiagnosticsParams>(
      'textDocument/publishDiagnostics',
      (params) => params.uri === uri,
      `publishDiagnostics for ${uri}`,
      { since, timeoutMs: WAIT_MS },
    );
  }

  beforeAll(async () => {
    workDir = mkdtempSync(join(tmpdir(), 'saas-gen-editor-'));

    let configurationPulled!: () => void;
    const yamlConfigurationPulled = new Promise<void>((r) => (configurationPulled = r));
    client = LspClient.start(serverScript, {
      // The server pulls its settings (sections yaml, http, [yaml], editor, ...) after
      // didChangeConfiguration; it ignores the settings carried by the notification itself.
      'workspace/configuration': (params) => {
        const items = (params as { items: { section?: string }[] }).items;
        return items.map((item) => {
          if (item.section === 'yaml') {
            configurationPulled();
            return yamlSettings;
          }
          return null;
        });
      },
      'client/registerCapability': () => null,
      'client/unregisterCapability': () => null,
      'window/workDoneProgress/create': () => null,
    });

    const rootUri = pathToFileURL(workDir).href;
    await client.request(
      'initialize',
      {
        processId: process.pid,
        rootUri,
        workspaceFolders: [{ uri: rootUri, name: 'blueprints' }],
        capabilities: editorCapabilities,
      },
      WAIT_MS,
    );
    client.notify('initialized', {});
    client.notify('workspace/didChangeConfiguration', { settings: { yaml: yamlSettings } });
    await Promise.race([
      yamlConfigurationPulled,
      new Promise((_, reject) =>
        setTimeout(
          () => reject(new Error(`server did not pull the yaml settings within ${WAIT_MS} ms`)),
          WAIT_MS,
        ),
      ),
    ]);
  }, 20_000);

  afterAll(async () => {
    try {
      await client?.stop();
    } finally {
      client?.kill();
      if (workDir) rmSync(workDir, { recursive: true, force: true });
    }
  }, 10_000);

  it('reports no errors for the valid example', async () => {
    const { uri, since } = open('valid.blueprint.yaml', exampleWithAbsoluteModeline());
    const { diagnostics } = await diagnosticsFor(uri, since);
    const errors = diagnostics.filter(
      (d) => (d.severity ?? DiagnosticSeverityError) === DiagnosticSeverityError,
    );
    expect(errors.map((d) => `line ${d.range.start.line}: ${d.message}`)).toEqual([]);
  }, 20_000);

  it('flags a misspelt key under tenancy on its line', async () => {
    const text = exampleWithAbsoluteModeline().replace('  isolation: pooled', '  isolaton: pooled');
    const typoLine = positionAfter(text, 'isolaton:').line;
    expect(text.split('\n')[typoLine]).toBe('  isolaton: pooled');

    const { uri, since } = open('typo.blueprint.yaml', text);
    const { diagnostics } = await diagnosticsFor(uri, since);
    const onTypoLine = diagnostics.filter((d) => d.range.start.line === typoLine);
    expect(onTypoLine, JSON.stringify(diagnostics, null, 2)).toContainEqual(
      expect.objectContaining({
        severity: DiagnosticSeverityError,
        message: expect.stringMatching(/isolaton.*not allowed/i),
      }),
    );
  }, 20_000);

  it('completes the tenancy keys and the isolation values', async () => {
    const valid = exampleWithAbsoluteModeline();

    // An empty, indented line under `tenancy:` in a document without `isolation`.
    const withoutIsolation = valid.replace('  isolation: pooled\n', '  \n');
    const keyPosition = positionAfter(withoutIsolation, 'tenancy:');
    keyPosition.line += 1;
    keyPosition.character = 2;
    expect(withoutIsolation.split('\n')[keyPosition.line]).toBe('  ');
    const keyDoc = open('complete-key.blueprint.yaml', withoutIsolation);
    const keyCompletion = await client.request<CompletionItem[] | { items: CompletionItem[] }>(
      'textDocument/completion',
      { textDocument: { uri: keyDoc.uri }, position: keyPosition },
      WAIT_MS,
    );
    expect(completionLabels(keyCompletion)).toContain('isolation');

    const withEmptyValue = valid.replace('  isolation: pooled\n', '  isolation: \n');
    const valueDoc = open('complete-value.blueprint.yaml', withEmptyValue);
    const valueCompletion = await client.request<CompletionItem[] | { items: CompletionItem[] }>(
      'textDocument/completion',
      {
        textDocument: { uri: valueDoc.uri },
        position: positionAfter(withEmptyValue, '  isolation: '),
      },
      WAIT_MS,
    );
    const expectedValues = tenancyProperties.isolation?.enum ?? [];
    expect(expectedValues).toEqual(['pooled', 'schema']);
    expect(completionLabels(valueCompletion)).toEqual(expect.arrayContaining(expectedValues));
  }, 20_000);

  it('shows the schema documentation on hover', async () => {
    const text = exampleWithAbsoluteModeline();
    const { uri } = open('hover.blueprint.yaml', text);

    const hoverAt = async (key: string) => {
      const position = positionAfter(text, `  ${key}:`);
      position.character -= 2; // inside the key
      return hoverText(
        await client.request<Hover | null>(
          'textDocument/hover',
          { textDocument: { uri }, position },
          WAIT_MS,
        ),
      );
    };

    const isolation = tenancyProperties.isolation;
    expect(isolation?.markdownDescription).toBeTruthy();
    expect(await hoverAt('isolation')).toContain(isolation?.markdownDescription);

    const defaultEdition = tenancyProperties.defaultEdition;
    expect(defaultEdition?.description).toBeTruthy();
    expect(await hoverAt('defaultEdition')).toContain(defaultEdition?.description);
  }, 20_000);
});
