/**
 * What a regeneration would do to the disk, decided from the desired tree, the manifest and what
 * is on disk now. Pure: the caller reads the disk and applies the plan.
 */
import type { VirtualFile } from '../generators/tree.js';
import { hashContent, manifestPath } from './manifest.js';
import type { Manifest } from './manifest.js';

export type Change =
  | { readonly kind: 'create'; readonly path: string; readonly content: string }
  | { readonly kind: 'update'; readonly path: string; readonly content: string }
  | { readonly kind: 'delete'; readonly path: string };

export interface Conflict {
  readonly path: string;
  readonly reason: 'edited' | 'untracked';
}

export interface Plan {
  readonly changes: readonly Change[];
  /** Generated files the user changed; `generate` refuses them unless forced. */
  readonly conflicts: readonly Conflict[];
  /** Files no longer generated but kept because the user edited them. */
  readonly orphans: readonly string[];
  /** User-owned files the blueprint no longer produces: the user's to delete, never ours. */
  readonly unusedUserFiles: readonly string[];
  readonly manifest: Manifest;
}

export interface PlanInput {
  readonly files: readonly VirtualFile[];
  /** The manifest on disk, if any. */
  readonly previous: Manifest | undefined;
  /** Current content of every path the plan may touch; `null` when absent. */
  readonly disk: ReadonlyMap<string, string | null>;
  readonly generatorVersion: string;
  readonly blueprintHash: string;
  readonly force: boolean;
}

/** Every path whose current content `planChanges` needs. */
export function pathsToRead(
  files: readonly VirtualFile[],
  previous: Manifest | undefined,
): string[] {
  return [
    ...new Set([
      ...files.map((f) => f.path),
      ...Object.keys(previous?.files ?? {}),
      ...(previous?.userFiles ?? []),
      manifestPath,
    ]),
  ].sort();
}

export function planChanges(input: PlanInput): Plan {
  const { files, previous, disk, force } = input;
  const changes: Change[] = [];
  const conflicts: Conflict[] = [];
  const orphans: string[] = [];
  const generated: Record<string, string> = {};
  const previousUserFiles = new Set(previous?.userFiles ?? []);
  const userFiles = new Set<string>();

  for (const file of files) {
    const current = disk.get(file.path) ?? null;
    if (file.owner === 'user') {
      // Written once; from then on the user's, even if they delete it.
      if (current === null && !previousUserFiles.has(file.path)) {
        changes.push({ kind: 'create', path: file.path, content: file.content });
      }
      userFiles.add(file.path);
      continue;
    }
    generated[file.path] = hashContent(file.content);
    if (current === null) {
      changes.push({ kind: 'create', path: file.path, content: file.content });
      continue;
    }
    if (current === file.content) continue;
    const recorded = previous?.files[file.path];
    const untouched = recorded !== undefined && recorded === hashContent(current);
    if (!untouched && !force) {
      conflicts.push({ path: file.path, reason: recorded === undefined ? 'untracked' : 'edited' });
      continue;
    }
    changes.push({ kind: 'update', path: file.path, content: file.content });
  }

  for (const [path, recorded] of Object.entries(previous?.files ?? {})) {
    if (path in generated) continue;
    const current = disk.get(path) ?? null;
    if (current === null) continue;
    if (hashContent(current) === recorded) changes.push({ kind: 'delete', path });
    else orphans.push(path);
  }

  const manifest: Manifest = {
    generator: 'saas-gen',
    generatorVersion: input.generatorVersion,
    blueprintHash: input.blueprintHash,
    files: generated,
    userFiles: [...userFiles].sort(),
  };
  const unusedUserFiles = [...previousUserFiles].filter(
    (path) => !userFiles.has(path) && (disk.get(path) ?? null) !== null,
  );
  return {
    changes: sortChanges(changes),
    conflicts,
    orphans: orphans.sort(),
    unusedUserFiles: unusedUserFiles.sort(),
    manifest,
  };
}

const sortChanges = (changes: Change[]): Change[] =>
  changes.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
