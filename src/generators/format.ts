/** Stage 6: Prettier, in memory, on every file it has a parser for. */
import { format } from 'prettier';
import type { VirtualTree } from './tree.js';

const parsers: readonly [RegExp, string][] = [
  [/\.(ts|mts|cts)$/, 'typescript'],
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

export async function formatTree(tree: VirtualTree): Promise<void> {
  await Promise.all(
    tree.files().map(async (file) => {
      const parser = parsers.find(([pattern]) => pattern.test(file.path))?.[1];
      if (!parser || file.preformatted) return;
      try {
        tree.replace(file.path, await format(file.content, { ...prettierOptions, parser }));
      } catch (error) {
        throw new Error(
          `generated file \`${file.path}\` is not valid ${parser}: ${(error as Error).message}`,
        );
      }
    }),
  );
}
