/**
 * `.saas-gen/manifest.json`: every file saas-gen wrote, by class. Generated files with the hash of
 * what saas-gen wrote, so that `generate` can tell a hand edit from its own output; merged files
 * with a hash of each part saas-gen owns in them, for the same reason; and the user-owned files
 * saas-gen created once and will never write again.
 */
import { createHash } from 'node:crypto';

export const manifestPath = '.saas-gen/manifest.json';

export interface Manifest {
  readonly generator: 'saas-gen';
  /** The saas-gen that last wrote the product: an older one refuses to write over it. */
  readonly generatorVersion: string;
  readonly blueprintHash: string;
  /** Generated file → hash of the content saas-gen wrote. */
  readonly files: Readonly<Record<string, string>>;
  /** Merged file → its owned part → hash of the value saas-gen wrote there. */
  readonly merged: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** User-owned files saas-gen created once and will never write again. */
  readonly userFiles: readonly string[];
}

export const hashContent = (content: string): string =>
  `sha256-${createHash('sha256').update(content).digest('hex')}`;

const sortedObject = <T>(record: Readonly<Record<string, T>>): Record<string, T> =>
  Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : 1)));

export function serializeManifest(manifest: Manifest): string {
  const merged = Object.fromEntries(
    Object.entries(sortedObject(manifest.merged)).map(([path, parts]) => [
      path,
      sortedObject(parts),
    ]),
  );
  return `${JSON.stringify(
    {
      generator: manifest.generator,
      generatorVersion: manifest.generatorVersion,
      blueprintHash: manifest.blueprintHash,
      files: sortedObject(manifest.files),
      merged,
      userFiles: [...new Set(manifest.userFiles)].sort(),
    },
    null,
    2,
  )}\n`;
}

/** `undefined` for text that is not a manifest (the caller says what to do about it). */
export function parseManifest(text: string): Manifest | undefined {
  try {
    const value = JSON.parse(text) as Partial<Manifest>;
    if (value.generator !== 'saas-gen' || typeof value.files !== 'object' || value.files === null)
      return undefined;
    return {
      generator: 'saas-gen',
      generatorVersion: String(value.generatorVersion ?? ''),
      blueprintHash: String(value.blueprintHash ?? ''),
      files: value.files,
      // Products of saas-gen 0.1 have no merged files.
      merged: typeof value.merged === 'object' && value.merged !== null ? value.merged : {},
      userFiles: Array.isArray(value.userFiles) ? value.userFiles.map(String) : [],
    };
  } catch {
    return undefined;
  }
}
