/**
 * `.saas-gen/manifest.json`: which files saas-gen generated (with their hashes) and which
 * user-owned files it created, so that `generate` can tell a hand edit from its own output.
 */
import { createHash } from 'node:crypto';

export const manifestPath = '.saas-gen/manifest.json';

export interface Manifest {
  readonly generator: 'saas-gen';
  readonly generatorVersion: string;
  readonly blueprintHash: string;
  /** Generated file → hash of the content saas-gen wrote. */
  readonly files: Readonly<Record<string, string>>;
  /** User-owned files saas-gen created once and will never write again. */
  readonly userFiles: readonly string[];
}

export const hashContent = (content: string): string =>
  `sha256-${createHash('sha256').update(content).digest('hex')}`;

export function serializeManifest(manifest: Manifest): string {
  const files = Object.fromEntries(
    Object.entries(manifest.files).sort(([a], [b]) => (a < b ? -1 : 1)),
  );
  return `${JSON.stringify({ ...manifest, files, userFiles: [...new Set(manifest.userFiles)].sort() }, null, 2)}\n`;
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
      userFiles: Array.isArray(value.userFiles) ? value.userFiles.map(String) : [],
    };
  } catch {
    return undefined;
  }
}
