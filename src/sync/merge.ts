/**
 * Merged files: saas-gen owns named parts of them and keeps those current; everything else in
 * the file is the user's and is kept byte for byte. Pure: text in, text and outcomes out.
 *
 * A JSON file (package.json, tsconfig.json, .vscode/*.json) is edited in place with jsonc-parser,
 * so that the user's formatting, key order and (in tsconfig.json) comments survive. An ignore
 * file carries a managed block between two marker lines.
 *
 * Whether a part that differs may be replaced depends on who changed it: the manifest records a
 * hash of each part as saas-gen last wrote it. A part that still has that value is saas-gen's own,
 * merely stale (a newer saas-gen wants a newer version), and is updated; a part with another
 * value was edited by hand and is a conflict, unless forced or held (package.json's
 * `"saas-gen": { "hold": [...] }` names the parts the user keeps on purpose).
 */
import { applyEdits, modify, parseTree, findNodeAtLocation, getNodeValue } from 'jsonc-parser';
import type { ParseError } from 'jsonc-parser';
import { blockBegin, blockEnd, managedBlock } from '../generators/managed-block.js';
import { hashContent } from './manifest.js';

/** Hashes of the owned parts as saas-gen last wrote them; `all` when every part is saas-gen's. */
export type Recorded = Readonly<Record<string, string>> | 'all';

export type PartStatus =
  /** Missing, and written now. */
  | 'restored'
  /** saas-gen's own value, stale, and updated now. */
  | 'updated'
  /** Edited by hand, and replaced because of `--force`. */
  | 'replaced'
  /** Edited by hand: refused. */
  | 'conflict'
  /** Differs, and the user holds it. */
  | 'held'
  /** No longer owned by saas-gen, unedited, and removed now. */
  | 'removed';

export interface PartOutcome {
  readonly name: string;
  readonly status: PartStatus;
  /** What saas-gen wants (absent for a removed part). */
  readonly expected?: unknown;
  /** What the file holds now (absent for a missing part). */
  readonly actual?: unknown;
}

export interface MergeResult {
  /** The file with the owned parts merged in (the current text when nothing changes). */
  readonly content: string;
  /** The owned parts that are not as saas-gen wants them, and what was done about each. */
  readonly parts: readonly PartOutcome[];
  /** The hashes to record in the manifest for this file. */
  readonly recorded: Readonly<Record<string, string>>;
  /** Set when the current file cannot be parsed: nothing is merged. */
  readonly error?: string;
  /** Things to tell the user that change nothing (a hold that names no owned part, say). */
  readonly warnings: readonly string[];
}

export interface MergeInput {
  readonly path: string;
  /** The whole file as `new` would write it. */
  readonly seed: string;
  /** The file on disk, `null` when absent. */
  readonly current: string | null;
  readonly recorded: Recorded;
  readonly force: boolean;
}

export { managedBlock } from '../generators/managed-block.js';

export const hashValue = (value: unknown): string => hashContent(canonical(value));

// ---------------------------------------------------------------------------------------------
// JSON

type JsonPath = readonly (string | number)[];

interface OwnedPart {
  readonly name: string;
  readonly path: readonly string[];
  readonly value: unknown;
  /** An array: each of its items must be present; the user may add more. */
  readonly members: boolean;
}

/** `dependencies.fastify`, `compilerOptions.types`, `["yaml.schemas"]["./x.json"]`. */
export function partName(path: readonly string[]): string {
  return path
    .map((segment, index) =>
      /^[^.[\]"\s]+$/.test(segment)
        ? `${index === 0 ? '' : '.'}${segment}`
        : `[${JSON.stringify(segment)}]`,
    )
    .join('');
}

/** Every leaf of `owned`: a value that is not a plain object. */
export function ownedParts(owned: Readonly<Record<string, unknown>>): OwnedPart[] {
  const parts: OwnedPart[] = [];
  const walk = (value: unknown, path: string[]): void => {
    if (isPlainObject(value)) {
      for (const [key, inner] of Object.entries(value)) walk(inner, [...path, key]);
      return;
    }
    parts.push({ name: partName(path), path, value, members: Array.isArray(value) });
  };
  walk(owned, []);
  return parts;
}

/**
 * The generated files the team took over: `"saas-gen": { "own": [...] }` in package.json (paths
 * from the product's root). saas-gen writes them no more, and `check` leaves them alone. Empty
 * when package.json is missing or not JSON (its merge reports that).
 */
export function ownedFiles(packageJson: string | null): Set<string> {
  if (packageJson === null) return new Set();
  const parsed = parseJson(packageJson);
  if ('error' in parsed) return new Set();
  return new Set(configList(parsed.value, 'own').map((path) => path.replace(/^\.\//, '')));
}

/** The parts of package.json that the user holds: `"saas-gen": { "hold": [...] }`. */
function heldParts(path: string, value: unknown): Set<string> {
  return new Set(path === 'package.json' ? configList(value, 'hold') : []);
}

/** The strings of a list in package.json's `"saas-gen"` settings; none where it is not a list. */
function configList(packageJson: unknown, key: 'hold' | 'own'): string[] {
  const config = isPlainObject(packageJson) ? packageJson['saas-gen'] : undefined;
  const list = isPlainObject(config) ? config[key] : undefined;
  return Array.isArray(list) ? list.filter((item): item is string => typeof item === 'string') : [];
}

export function mergeJson(
  input: MergeInput & {
    readonly owned: Readonly<Record<string, unknown>>;
    readonly replaceable?: readonly string[];
    readonly formerly?: Readonly<Record<string, readonly unknown[]>>;
  },
): MergeResult {
  const parts = ownedParts(input.owned);
  const recorded = Object.fromEntries(parts.map((part) => [part.name, hashValue(part.value)]));
  if (input.current === null) return { content: input.seed, parts: [], recorded, warnings: [] };

  const parsed = parseJson(input.current);
  if ('error' in parsed) {
    return {
      content: input.current,
      parts: [],
      recorded,
      warnings: [],
      error: `${input.path} is not valid JSON (${parsed.error}): fix it, or delete it and run \`saas-gen generate\` to start from the generated one`,
    };
  }
  const held = heldParts(input.path, parsed.value);
  const warnings = [...held]
    .filter((name) => !parts.some((part) => part.name === name))
    .map(
      (name) =>
        `${input.path}: "saas-gen".hold names \`${name}\`, which saas-gen does not own; it has no effect`,
    );

  let text = input.current;
  const outcomes: PartOutcome[] = [];
  const ours = (name: string, value: unknown): boolean =>
    input.recorded === 'all' ||
    input.recorded[name] === hashValue(value) ||
    (input.replaceable ?? []).includes(name) ||
    (input.formerly?.[name] ?? []).some((earlier) => equal(earlier, value));

  for (const part of parts) {
    const actual = valueAt(text, part.path);
    if (actual === undefined) {
      outcomes.push({ name: part.name, status: 'restored', expected: part.value });
      text = setValue(text, part.path, part.value);
      continue;
    }
    if (part.members && isList(actual) && isList(part.value)) {
      const missing = part.value.filter((item) => !actual.some((have) => equal(have, item)));
      if (missing.length === 0) continue;
      outcomes.push({ name: part.name, status: 'restored', expected: part.value, actual });
      text = setValue(text, part.path, [...actual, ...missing]);
      continue;
    }
    if (equal(actual, part.value)) continue;
    const common = { name: part.name, expected: part.value, actual };
    if (held.has(part.name)) outcomes.push({ ...common, status: 'held' });
    else if (ours(part.name, actual) || input.force) {
      outcomes.push({ ...common, status: ours(part.name, actual) ? 'updated' : 'replaced' });
      text = setValue(text, part.path, part.value);
    } else outcomes.push({ ...common, status: 'conflict' });
  }

  // Parts an earlier saas-gen owned and this one does not: removed when unedited, else the user's.
  if (input.recorded !== 'all') {
    for (const [name, hash] of Object.entries(input.recorded)) {
      if (name in recorded) continue;
      const path = parsePartName(name);
      const actual = path && valueAt(text, path);
      if (!path || actual === undefined || hashValue(actual) !== hash) continue;
      outcomes.push({ name, status: 'removed', actual });
      text = setValue(text, path, undefined);
    }
  }
  return { content: text, parts: outcomes, recorded, warnings };
}

function parseJson(text: string): { value: unknown } | { error: string } {
  const errors: ParseError[] = [];
  const tree = parseTree(text, errors, { allowTrailingComma: true, disallowComments: false });
  const first = errors[0];
  if (first) {
    const before = text.slice(0, first.offset).split('\n');
    return { error: `line ${before.length}, column ${before.at(-1)!.length + 1}` };
  }
  if (tree?.type !== 'object') return { error: 'the top level is not an object' };
  return { value: getNodeValue(tree) };
}

function valueAt(text: string, path: JsonPath): unknown {
  const tree = parseTree(text, [], { allowTrailingComma: true });
  const node = tree && findNodeAtLocation(tree, [...path]);
  return node ? getNodeValue(node) : undefined;
}

/** Sets (or with `undefined` removes) the value at `path`, keeping the rest of the text as it is. */
function setValue(text: string, path: JsonPath, value: unknown): string {
  const indent = /\n([ \t]+)\S/.exec(text)?.[1] ?? '  ';
  const edits = modify(text, [...path], value, {
    formattingOptions: {
      insertSpaces: !indent.startsWith('\t'),
      tabSize: indent.startsWith('\t') ? 1 : indent.length,
      eol: '\n',
    },
    // Into a sorted object (npm keeps dependencies sorted), insert in order; else at the end.
    getInsertionIndex: (keys) => {
      const key = String(path.at(-1));
      const sorted = keys.every((k, i) => i === 0 || keys[i - 1]! <= k);
      return sorted ? keys.filter((k) => k < key).length : keys.length;
    },
  });
  return applyEdits(text, edits);
}

/** The inverse of `partName`; `undefined` for a name it did not make. */
export function parsePartName(name: string): string[] | undefined {
  const path: string[] = [];
  const token = /\["((?:[^"\\]|\\.)*)"\]|\.?([^.[\]"\s]+)/y;
  let at = 0;
  while (at < name.length) {
    token.lastIndex = at;
    const match = token.exec(name);
    if (!match) return undefined;
    path.push(match[1] !== undefined ? (JSON.parse(`"${match[1]}"`) as string) : match[2]!);
    at = token.lastIndex;
  }
  return path.length > 0 ? path : undefined;
}

// ---------------------------------------------------------------------------------------------
// Ignore files: a managed block

export const blockPart = 'managed block';

export function mergeBlock(input: MergeInput & { readonly body: string }): MergeResult {
  const expected = normalizeBody(input.body);
  const recorded = { [blockPart]: hashValue(expected) };
  if (input.current === null) return { content: input.seed, parts: [], recorded, warnings: [] };

  const lines = input.current.split('\n');
  const begin = lines.findIndex((line) => line.startsWith(blockBegin));
  const end = lines.findIndex((line, index) => index > begin && line.startsWith(blockEnd));
  if (begin < 0 || end < 0) {
    // An earlier saas-gen wrote the whole file and nobody touched it: it becomes the seed.
    if (input.recorded === 'all') {
      return {
        content: input.seed,
        parts: [{ name: blockPart, status: 'updated', expected }],
        recorded,
        warnings: [],
      };
    }
    // The block is gone: put it back on top, and keep every line of the user's below it.
    return {
      content: `${managedBlock(expected)}${input.current}`,
      parts: [{ name: blockPart, status: 'restored', expected }],
      recorded,
      warnings: [],
    };
  }
  const actual = normalizeBody(lines.slice(begin + 1, end).join('\n'));
  if (actual === expected) return { content: input.current, parts: [], recorded, warnings: [] };
  const ours = input.recorded === 'all' || input.recorded[blockPart] === hashValue(actual);
  const common = { name: blockPart, expected, actual };
  if (!ours && !input.force) {
    return {
      content: input.current,
      parts: [{ ...common, status: 'conflict' }],
      recorded,
      warnings: [],
    };
  }
  const content = [
    ...lines.slice(0, begin),
    managedBlock(expected).trimEnd(),
    ...lines.slice(end + 1),
  ].join('\n');
  return {
    content,
    parts: [{ ...common, status: ours ? 'updated' : 'replaced' }],
    recorded,
    warnings: [],
  };
}

/** Trailing blanks do not count as an edit. */
const normalizeBody = (body: string): string =>
  body
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n')
    .replace(/\n+$/, '');

// ---------------------------------------------------------------------------------------------

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** JSON with sorted keys: equal values, equal text. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    isPlainObject(inner)
      ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : inner,
  );
}

const equal = (a: unknown, b: unknown): boolean => canonical(a) === canonical(b);

/** `Array.isArray`, but its items stay `unknown` rather than `any`. */
const isList = (value: unknown): value is readonly unknown[] => Array.isArray(value);
