/**
 * Stage 7, the only one that writes: applies a plan to a product directory as one transaction.
 *
 * New contents are staged first; the files they replace are backed up; a journal records both.
 * Only then are files moved into place (a rename each) and the manifest written last. If anything
 * fails, the backups are restored. If the process dies half-way, the next run finds the journal
 * and rolls back before doing anything else, so the previous product is never lost.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Change } from '../sync/plan.js';

const txDir = '.saas-gen/tx';

interface Journal {
  /** Paths that did not exist before the transaction (removed on rollback). */
  readonly created: string[];
  /** Paths backed up under `old/` (restored on rollback). */
  readonly backedUp: string[];
}

export function readDisk(root: string, paths: readonly string[]): Map<string, string | null> {
  return new Map(
    paths.map((path) => {
      try {
        return [path, readFileSync(join(root, path), 'utf8')];
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [path, null];
        throw error;
      }
    }),
  );
}

/** Rolls back a transaction that a crashed run left behind. Returns whether there was one. */
export function recoverInterrupted(root: string): boolean {
  const journalFile = join(root, txDir, 'journal.json');
  if (!existsSync(journalFile)) {
    rmSync(join(root, txDir), { recursive: true, force: true });
    return false;
  }
  rollback(root, JSON.parse(readFileSync(journalFile, 'utf8')) as Journal);
  return true;
}

export function applyChanges(
  root: string,
  changes: readonly Change[],
  manifest: { path: string; content: string },
): void {
  const all: Change[] = [
    ...changes,
    { kind: existsSync(join(root, manifest.path)) ? 'update' : 'create', ...manifest },
  ];
  const tx = join(root, txDir);
  rmSync(tx, { recursive: true, force: true });

  // 1. Stage new contents and back up what they replace; nothing in the product changes yet.
  const journal: Journal = { created: [], backedUp: [] };
  for (const change of all) {
    if (change.kind !== 'delete')
      writeFileEnsuringDir(join(tx, 'new', change.path), change.content);
    if (change.kind === 'create') journal.created.push(change.path);
    else {
      writeFileEnsuringDir(join(tx, 'old', change.path), readFileSync(join(root, change.path)));
      journal.backedUp.push(change.path);
    }
  }
  writeFileEnsuringDir(join(tx, 'journal.json'), JSON.stringify(journal));

  // 2. Move into place. From here on, a failure rolls back.
  try {
    for (const change of all) {
      const target = join(root, change.path);
      if (change.kind === 'delete') rmSync(target, { force: true });
      else {
        mkdirSync(dirname(target), { recursive: true });
        renameSync(join(tx, 'new', change.path), target);
      }
    }
  } catch (error) {
    rollback(root, journal);
    throw error;
  }
  // 3. Commit: removing the journal is the commit point; the backups go after it.
  rmSync(join(tx, 'journal.json'));
  rmSync(tx, { recursive: true, force: true });
}

function rollback(root: string, journal: Journal): void {
  const tx = join(root, txDir);
  for (const path of journal.created) removeIfPresent(join(root, path));
  for (const path of journal.backedUp) {
    const backup = join(tx, 'old', path);
    if (!existsSync(backup)) continue;
    mkdirSync(dirname(join(root, path)), { recursive: true });
    renameSync(backup, join(root, path));
  }
  rmSync(tx, { recursive: true, force: true });
}

/** Removes a file; a path that cannot exist (a missing or non-directory parent) is fine. */
function removeIfPresent(path: string): void {
  try {
    rmSync(path, { force: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOTDIR') throw error;
  }
}

function writeFileEnsuringDir(path: string, content: string | Buffer): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
}
