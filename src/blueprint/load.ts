/**
 * Stage 1: parse the blueprint text into plain data, keeping every node's position so that a
 * diagnostic's JSON pointer can be printed as `file:line:col`.
 */
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, visit } from 'yaml';
import type { Document, Node, Pair } from 'yaml';
import { pathOf } from './diagnostics.js';
import type { Diagnostic } from './diagnostics.js';

export interface Position {
  /** 1-based. */
  readonly line: number;
  /** 1-based. */
  readonly col: number;
}

export interface Span {
  readonly start: Position;
  readonly end: Position;
}

export interface SourceFile {
  readonly path: string;
  readonly text: string;
  /** Where a diagnostic points, resolved at print time. */
  locate(diagnostic: Pick<Diagnostic, 'pointer' | 'target' | 'offset'>): Span;
}

export interface LoadedBlueprint {
  readonly source: SourceFile;
  /** `undefined` when the text is not valid YAML; `diagnostics` then say why. */
  readonly data: unknown;
  readonly diagnostics: readonly Diagnostic[];
}

const yamlCodes: Record<string, { code: string; message?: string; hint?: string }> = {
  TAB_AS_INDENT: {
    code: 'yaml-tab',
    hint: 'YAML indents with spaces only: replace the tab with spaces.',
  },
  DUPLICATE_KEY: {
    code: 'yaml-duplicate-key',
    hint: 'Each key may appear once in a mapping: merge or rename the duplicates.',
  },
  MULTIPLE_DOCS: {
    code: 'yaml-multiple-documents',
    message: 'the file holds more than one document',
    hint: 'A blueprint is one YAML document: remove the extra `---` separators.',
  },
};

export function loadBlueprint(path: string, input: string): LoadedBlueprint {
  // Editors do not count a byte-order mark as a column, so positions must not either.
  const text = input.startsWith('\uFEFF') ? input.slice(1) : input;
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const source = makeSource(path, text, doc, lineCounter);

  // After the first syntax error (a tab used as indentation is one) the parser's later
  // complaints are mostly its consequences.
  const firstSyntaxError = doc.errors.find(
    (error) => !(error.code in yamlCodes) || error.code === 'TAB_AS_INDENT',
  );
  const errors = doc.errors.filter(
    (error) => error.code in yamlCodes || error === firstSyntaxError,
  );
  const diagnostics: Diagnostic[] = errors.map((error) => {
    const known = yamlCodes[error.code];
    const firstLine = error.message.split('\n')[0] ?? error.message;
    return {
      code: known?.code ?? 'yaml-syntax',
      severity: 'error',
      message: `YAML: ${known?.message ?? firstLine.replace(/ at line \d+, column \d+:?$/, '')}`,
      pointer: '',
      offset:
        (error.code === 'MISSING_CHAR' ? openingQuote(doc, error.pos[0]) : undefined) ??
        error.pos[0],
      ...(known?.hint === undefined ? flowHint(text, error.pos[0]) : { hint: known.hint }),
    };
  });
  if (diagnostics.length > 0) return { source, data: undefined, diagnostics };

  try {
    return { source, data: doc.toJS({ maxAliasCount: 1000 }), diagnostics: [] };
  } catch (error) {
    return {
      source,
      data: undefined,
      diagnostics: [
        {
          code: 'yaml-syntax',
          severity: 'error',
          message: `YAML: ${(error as Error).message}`,
          pointer: '',
        },
      ],
    };
  }
}

function makeSource(
  path: string,
  text: string,
  doc: Document,
  lineCounter: LineCounter,
): SourceFile {
  const at = (offset: number): Position => {
    const { line, col } = lineCounter.linePos(Math.min(Math.max(offset, 0), text.length));
    return { line, col };
  };
  const spanOf = (range: readonly [number, number, number] | null | undefined): Span =>
    range ? { start: at(range[0]), end: at(range[1]) } : { start: at(0), end: at(0) };

  return {
    path,
    text,
    locate({ pointer, target, offset }) {
      if (offset !== undefined) return { start: at(offset), end: at(offset) };
      const found = walk(doc, pathOf(pointer));
      if (found.pair && (target === 'key' || !found.exact || isCollection(found.node))) {
        const key = found.pair.key as Node | null;
        if (key && isNodeWithRange(key)) return spanOf(key.range);
      }
      return spanOf(found.node && isNodeWithRange(found.node) ? found.node.range : undefined);
    },
  };
}

interface Found {
  readonly node: unknown;
  /** The mapping entry holding `node`, when it is a mapping value. */
  readonly pair: Pair | undefined;
  /** False when the pointer leads somewhere that does not exist; `node` is its deepest ancestor. */
  readonly exact: boolean;
}

function walk(doc: Document, path: readonly string[]): Found {
  let node: unknown = doc.contents;
  let pair: Pair | undefined;
  for (const segment of path) {
    if (isAlias(node)) node = node.resolve(doc);
    if (isMap(node)) {
      const next = node.items.find(
        (item) => isPair(item) && isScalar(item.key) && String(item.key.value) === segment,
      );
      if (!next) return { node, pair, exact: false };
      pair = next;
      node = next.value ?? next.key;
    } else if (isSeq(node)) {
      const item = node.items[Number(segment)];
      if (item === undefined) return { node, pair, exact: false };
      pair = undefined;
      node = item;
    } else {
      return { node, pair, exact: false };
    }
  }
  return { node, pair, exact: true };
}

const isCollection = (node: unknown): boolean => isMap(node) || isSeq(node);

const isNodeWithRange = (node: unknown): node is { range: [number, number, number] } =>
  typeof node === 'object' && node !== null && Array.isArray((node as { range?: unknown }).range);

/** An unclosed quote is noticed where its scalar ends, often the end of the file: point at it. */
function openingQuote(doc: Document, end: number): number | undefined {
  let start: number | undefined;
  visit(doc, {
    Scalar(_key, node) {
      const quoted = node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE';
      if (quoted && node.range && node.range[1] === end) start = node.range[0];
    },
  });
  return start;
}

/** `{ to: email[] }` is a YAML error: a flow collection needs `[`, `]`, `{`, `}` and `,` quoted. */
function flowHint(text: string, offset: number): { hint?: string } {
  const line = text.slice(text.lastIndexOf('\n', offset - 1) + 1, text.indexOf('\n', offset) >>> 0);
  return /\{.*\w\[\]/.test(line)
    ? { hint: 'inside `{ … }` quote a value that contains brackets, e.g. `"email[]"`' }
    : {};
}
