/**
 * Stage 6: Prettier, in memory, on every file it has a parser for. Formatting is a pure function
 * of the text, so a cache may answer instead (the CLI passes one); Prettier is loaded only when
 * something is not in it.
 */
import { createHash } from 'node:crypto';
import type { VirtualTree } from './tree.js';

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

export interface FormatOptions {
  /** Only these files (default: all). */
  readonly paths?: readonly string[];
  readonly cache?: FormatCache;
  /** Part of every cache key: the Prettier version, so that an upgrade misses. */
  readonly formatterVersion?: string;
}

export async function formatTree(tree: VirtualTree, options: FormatOptions = {}): Promise<void> {
  const only = options.paths === undefined ? undefined : new Set(options.paths);
  const settings = JSON.stringify(prettierOptions);
  let prettier: Promise<typeof import('prettier')> | undefined;
  await Promise.all(
    tree.files().map(async (file) => {
      if (only && !only.has(file.path)) return;
      const parser = parsers.find(([pattern]) => pattern.test(file.path))?.[1];
      if (!parser || file.preformatted) return;
      const key = createHash('sha256')
        .update([options.formatterVersion ?? '', parser, settings, file.content].join('\u0000'))
        .digest('hex');
      const cached = options.cache?.get(key);
      if (cached !== undefined) {
        tree.replace(file.path, cached);
        return;
      }
      prettier ??= import('prettier');
      try {
        const formatted = await (
          await prettier
        ).format(file.content, { ...prettierOptions, parser });
        options.cache?.set(key, formatted);
        tree.replace(file.path, formatted);
      } catch (error) {
        throw new Error(
          `generated file \`${file.path}\` is not valid ${parser}: ${(error as Error).message}`,
        );
      }
    }),
  );
}
