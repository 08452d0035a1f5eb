/**
 * Stage 6: Prettier, in memory, on every file it has a parser for. Formatting is a pure function
 * of the text, so something else may answer instead: a cache (the CLI passes one), or the product
 * on disk when it still holds what saas-gen formatted from the same text (`known`). JSON written
 * as `JSON.stringify(value, null, 2)` is laid out here as Prettier would, without it. Prettier is
 * loaded only for what is left.
 */
import { createHash } from 'node:crypto';
import type { VirtualFile, VirtualTree } from './tree.js';

const parsers: readonly [RegExp, string][] = [
  // Babel's TypeScript parser: the same output as Prettier's `typescript` parser on what the
  // generator emits, in a fifth less time (docs/decisions.md).
  [/\.(ts|mts|cts)$/, 'babel-ts'],
  [/\.(js|mjs|cjs)$/, 'babel'],
  [/\.json$/, 'json'],
  [/\.md$/, 'markdown'],
  [/\.ya?ml$/, 'yaml'],
];

export const prettierOptions = {
  printWidth: 100,
  singleQuote: true,
  trailingComma: 'all',
} as const;

/** Formatted text by a key that names the text, the parser and the formatter's version. */
export interface FormatCache {
  get(key: string): string | undefined;
  set(key: string, value: string): void;
}

/** One text for Prettier, with the parser for it. */
export interface FormatJob {
  readonly path: string;
  readonly text: string;
  readonly parser: string;
}

/** Formats a batch of texts, in the order given (the CLI spreads a large batch over two threads). */
export type BatchFormatter = (jobs: readonly FormatJob[]) => Promise<string[]>;

export interface FormatOptions {
  /** Only these files (default: all). */
  readonly paths?: readonly string[];
  readonly cache?: FormatCache;
  /** Part of every key: the Prettier version, so that an upgrade misses. */
  readonly formatterVersion?: string;
  /**
   * The formatted text of a file, if something other than Prettier knows it for this key (see
   * `formatKey`): the product on disk, when its manifest says it was formatted from the same text.
   */
  readonly known?: (path: string, key: string) => string | undefined;
  /**
   * Whether anything will read the file's formatted text (default: every file is needed). A file
   * that is not needed is left as it was rendered: `check` does not format a user's file that the
   * product already has, since it neither judges nor writes it.
   */
  readonly needed?: (file: VirtualFile) => boolean;
  /** Formats what nothing else answered; by default Prettier in this thread. */
  readonly formatBatch?: BatchFormatter;
}

/** The Prettier parser for a file of the product, if it has one. */
export function parserFor(path: string): string | undefined {
  return parsers.find(([pattern]) => pattern.test(path))?.[1];
}

/** The key of a formatted text: the text, the parser, the options and the formatter's version. */
export function formatKey(text: string, parser: string, formatterVersion = ''): string {
  return createHash('sha256')
    .update([formatterVersion, parser, JSON.stringify(prettierOptions), text].join('\u0000'))
    .digest('hex');
}

/**
 * Formats the tree in place. Returns the key of every file whose formatted text came by its key
 * (from the cache, `known` or Prettier), by path: the manifest records those of generated files,
 * so that the next run can take their text from the disk.
 */
export async function formatTree(
  tree: VirtualTree,
  options: FormatOptions = {},
): Promise<Record<string, string>> {
  const only = options.paths === undefined ? undefined : new Set(options.paths);
  const keys: Record<string, string> = {};
  const pending: (FormatJob & { readonly key: string })[] = [];
  for (const file of tree.files()) {
    if (only && !only.has(file.path)) continue;
    const parser = parserFor(file.path);
    if (!parser || file.preformatted) continue;
    if (options.needed && !options.needed(file)) continue;
    if (parser === 'json') {
      const laidOut = formatStringifiedJson(file.content);
      if (laidOut !== undefined) {
        tree.replace(file.path, laidOut);
        continue;
      }
    }
    const key = formatKey(file.content, parser, options.formatterVersion);
    keys[file.path] = key;
    const answered = options.known?.(file.path, key) ?? options.cache?.get(key);
    if (answered !== undefined) tree.replace(file.path, answered);
    else pending.push({ path: file.path, text: file.content, parser, key });
  }
  if (pending.length === 0) return keys;
  const formatted = await (options.formatBatch ?? formatWithPrettier)(pending);
  pending.forEach((job, index) => {
    options.cache?.set(job.key, formatted[index]!);
    tree.replace(job.path, formatted[index]!);
  });
  return keys;
}

/** Prettier in this thread; an error names the file, whose text the generator got wrong. */
export async function formatWithPrettier(jobs: readonly FormatJob[]): Promise<string[]> {
  const prettier = await import('prettier');
  return Promise.all(
    jobs.map(async (job) => {
      try {
        return await prettier.format(job.text, { ...prettierOptions, parser: job.parser });
      } catch (error) {
        throw new Error(
          `generated file \`${job.path}\` is not valid ${job.parser}: ${(error as Error).message}`,
        );
      }
    }),
  );
}

// ---------------------------------------------------------------------------------------------
// JSON as Prettier lays it out

/**
 * Prettier's layout (`json` parser, the options above) of a text that is exactly
 * `JSON.stringify(value, null, 2)` and a newline, which is how the generator writes JSON; else
 * `undefined`, and Prettier formats it. Prettier keeps every key, string and number as written,
 * keeps a non-empty object expanded (it was written expanded), and puts an array on one line
 * when it fits in the print width with what follows it on the line (a comma), unless it holds an
 * expanded object, or holds only objects or only arrays of more than one entry each. What this
 * does not model (a list of numbers too long for one line, which Prettier fills; exponents,
 * which it rewrites; characters whose width is not their length) is left to Prettier.
 */
export function formatStringifiedJson(text: string): string | undefined {
  // Printable ASCII and newlines only: every character one column wide.
  if (!/^[\n\x20-\x7e]*$/.test(text)) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (`${JSON.stringify(value, null, 2)}\n` !== text) return undefined;
  try {
    return `${layout(value, 0, 0)}\n`;
  } catch (error) {
    if (error === unmodelled) return undefined;
    throw error;
  }
}

const unmodelled = new Error('a JSON shape Prettier lays out otherwise');

/** One value at `column`, indented by `indent`, followed on its line by `after` characters. */
function layout(value: unknown, indent: number, after: number, column = indent): string {
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    const flat = flatArray(value);
    if (flat !== undefined && column + flat.length + after <= prettierOptions.printWidth)
      return flat;
    if (value.every((item) => typeof item === 'number')) throw unmodelled;
    const inner = indent + 2;
    const items = value.map(
      (item, index) =>
        `${' '.repeat(inner)}${layout(item, inner, index === value.length - 1 ? 0 : 1)}`,
    );
    return `[\n${items.join(',\n')}\n${' '.repeat(indent)}]`;
  }
  if (isObject(value)) {
    const entries = Object.entries(value);
    if (entries.length === 0) return '{}';
    const inner = indent + 2;
    const lines = entries.map(([key, item], index) => {
      const prefix = `${JSON.stringify(key)}: `;
      const last = index === entries.length - 1;
      return `${' '.repeat(inner)}${prefix}${layout(item, inner, last ? 0 : 1, inner + prefix.length)}`;
    });
    return `{\n${lines.join(',\n')}\n${' '.repeat(indent)}}`;
  }
  return scalar(value);
}

/**
 * The array on one line, or `undefined` when it cannot be: it holds a non-empty object (always
 * expanded), or it or an array in it is one Prettier always breaks (only objects, or only
 * arrays, of more than one entry each), which breaks every array around it too.
 */
function flatArray(value: readonly unknown[]): string | undefined {
  const alwaysBroken =
    value.length > 1 &&
    value.every(
      (item, index) =>
        isComposite(item) &&
        entryCount(item) > 1 &&
        (index === value.length - 1 || Array.isArray(item) === Array.isArray(value[index + 1])),
    );
  if (alwaysBroken) return undefined;
  const items: string[] = [];
  for (const item of value) {
    if (Array.isArray(item)) {
      const inner = item.length === 0 ? '[]' : flatArray(item);
      if (inner === undefined) return undefined;
      items.push(inner);
    } else if (isObject(item)) {
      if (Object.keys(item).length > 0) return undefined;
      items.push('{}');
    } else items.push(scalar(item));
  }
  return `[${items.join(', ')}]`;
}

function scalar(value: unknown): string {
  const text = JSON.stringify(value);
  if (typeof value === 'number' && /[eE]/.test(text)) throw unmodelled;
  return text;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isComposite = (value: unknown): boolean => Array.isArray(value) || isObject(value);

const entryCount = (value: unknown): number =>
  Array.isArray(value) ? value.length : Object.keys(value as object).length;
