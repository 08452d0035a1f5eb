/**
 * What a regeneration would do to the disk, decided from the desired tree, the manifest and what
 * is on disk now. Pure: the caller reads the disk and applies the plan.
 */
import type { HandlersSpec, Ownership, VirtualFile } from '../generators/tree.js';
import { withoutSpace } from '../generators/tree.js';
import { addHandlerMethods } from './handler-methods.js';
import { hashContent, manifestPath } from './manifest.js';
import type { Manifest } from './manifest.js';
import { mergeBlock, mergeJson, ownedFiles } from './merge.js';
import type { MergeResult, PartOutcome, Recorded } from './merge.js';

export type Change =
  | { readonly kind: 'create'; readonly path: string; readonly content: string }
  | { readonly kind: 'update'; readonly path: string; readonly content: string }
  | { readonly kind: 'delete'; readonly path: string };

export interface Conflict {
  readonly path: string;
  /**
   * `edited`: a generated file edited by hand; `untracked`: a file saas-gen did not write is in
   * the way; `part-edited`: an owned part of a merged file edited by hand (see `parts`);
   * `unparsable`: a merged file saas-gen cannot read (see `detail`).
   */
  readonly reason: 'edited' | 'untracked' | 'part-edited' | 'unparsable';
  readonly parts?: readonly PartOutcome[];
  readonly detail?: string;
}

/**
 * What happens to one file. `keep`: no longer generated, but edited by hand, so kept; `unused`: a
 * user-owned file the blueprint no longer produces, left to the user.
 */
export type Action = 'create' | 'update' | 'delete' | 'unchanged' | 'keep' | 'unused' | 'conflict';

export interface FileOutcome {
  readonly path: string;
  readonly owner: Ownership;
  readonly action: Action;
  /** Merged files: each owned part that is not as saas-gen wants it, and what happens to it. */
  readonly parts?: readonly PartOutcome[];
  /** A file that changes class (a generated file of an earlier saas-gen that is now the user's). */
  readonly note?: string;
}

export interface Plan {
  readonly changes: readonly Change[];
  /** Generated files or owned parts the user changed; `generate` refuses them unless forced. */
  readonly conflicts: readonly Conflict[];
  /** Every file of the product and of the previous manifest, sorted by path. */
  readonly outcomes: readonly FileOutcome[];
  /** Notes that change nothing (a hold that names no owned part, say). */
  readonly warnings: readonly string[];
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
      ...Object.keys(previous?.merged ?? {}),
      ...(previous?.userFiles ?? []),
      manifestPath,
    ]),
  ].sort();
}

export function planChanges(input: PlanInput): Plan {
  const { files, previous, disk, force } = input;
  const changes: Change[] = [];
  const conflicts: Conflict[] = [];
  const outcomes: FileOutcome[] = [];
  const warnings: string[] = [];
  const generated: Record<string, string> = {};
  const merged: Record<string, Readonly<Record<string, string>>> = {};
  const previousUserFiles = new Set(previous?.userFiles ?? []);
  const userFiles = new Set<string>();
  const current = (path: string): string | null => disk.get(path) ?? null;
  /** Was `content` the file an earlier saas-gen generated at `path`, untouched since? */
  const untouched = (path: string, content: string): boolean =>
    previous?.files[path] !== undefined && previous.files[path] === hashContent(content);

  const byPath = new Map(files.map((file) => [file.path, file]));
  // Generated files the team took over ("saas-gen": { "own": [...] } in package.json).
  const owned = ownedFiles(current('package.json'));
  for (const path of owned) {
    const file = byPath.get(path);
    if (file?.owner !== 'generated')
      warnings.push(
        `package.json: "saas-gen".own names \`${path}\`, which ${file ? `is not a generated file (it is ${file.owner === 'user' ? 'yours already' : 'merged: hold its parts instead'})` : 'saas-gen does not generate'}; it has no effect`,
      );
  }
  /** Whether a handlers file may lack a method: only when its contract is changing. */
  const handlersMayLag = (spec: HandlersSpec): boolean => {
    const contract = byPath.get(spec.contract);
    return contract === undefined || current(spec.contract) !== contract.content;
  };

  const write = (file: VirtualFile, content: string, was: string | null): Change['kind'] => {
    const kind = was === null ? 'create' : 'update';
    changes.push({ kind, path: file.path, content });
    return kind;
  };

  for (const file of files) {
    const now = current(file.path);
    const { path, owner } = file;
    switch (owner) {
      case 'user': {
        userFiles.add(path);
        // Written once; from then on the user's, even if they delete it.
        if (now === null && !previousUserFiles.has(path)) {
          outcomes.push({ path, owner, action: write(file, file.content, null) });
          if (previous && file.handlers) {
            // A service new to an existing product: the team's composition root and doubles
            // build every service's handlers, and do not know this one yet.
            const key = file.handlers.exportName.replace(/Handlers$/, '');
            warnings.push(
              `${path} is a new domain service: give it its dependencies in src/main.ts (\`${key}: {}\` in \`productHandlers({ … })\`) and in test/doubles.ts (\`${key}: {}\` in \`doubles()\`)`,
            );
          }
        } else if (now !== null && now !== file.content && untouched(path, now)) {
          // An earlier saas-gen generated this file and nobody edited it: it becomes the user's
          // now, starting from what saas-gen writes for a new product.
          outcomes.push({
            path,
            owner,
            action: write(file, file.content, now),
            note: 'was generated, is yours from now on',
          });
        } else if (now !== null && file.supersedes?.includes(withoutSpace(now))) {
          // What an earlier saas-gen wrote for a new product, never edited: the new one replaces it.
          outcomes.push({
            path,
            owner,
            action: write(file, file.content, now),
            note: 'as an earlier saas-gen wrote it, unedited: replaced by this version’s',
          });
        } else if (now !== null && file.handlers && handlersMayLag(file.handlers)) {
          const edit = addHandlerMethods(now, file.handlers.exportName, file.handlers.methods);
          if (!edit.ok) {
            warnings.push(`${path}: ${edit.reason}`);
            outcomes.push({ path, owner, action: 'unchanged' });
          } else {
            for (const name of edit.unknown)
              warnings.push(
                `${path}: \`${name}\` handles no step of the blueprint any more; it is kept: delete it when you no longer need it`,
              );
            if (edit.added.length > 0) {
              const added = edit.added.map((name) => `\`${name}\``).join(', ');
              outcomes.push({
                path,
                owner,
                action: write(file, edit.text, now),
                note: `added ${added}: placeholders for the blueprint's new steps`,
              });
            } else outcomes.push({ path, owner, action: 'unchanged' });
          }
        } else {
          const note =
            now !== null && previous?.files[path] !== undefined
              ? 'was generated, is yours from now on; kept as you edited it'
              : undefined;
          outcomes.push({ path, owner, action: 'unchanged', ...(note ? { note } : {}) });
        }
        break;
      }
      case 'merged': {
        const result = mergeFile(file, now, recordedFor(path, now), force);
        merged[path] = result.recorded;
        warnings.push(...result.warnings);
        const parts = result.parts;
        if (result.error !== undefined) {
          conflicts.push({ path, reason: 'unparsable', detail: result.error });
          outcomes.push({ path, owner, action: 'conflict' });
        } else if (parts.some((part) => part.status === 'conflict')) {
          conflicts.push({
            path,
            reason: 'part-edited',
            parts: parts.filter((part) => part.status === 'conflict'),
          });
          outcomes.push({ path, owner, action: 'conflict', parts });
        } else if (result.content !== now) {
          outcomes.push({ path, owner, action: write(file, result.content, now), parts });
        } else outcomes.push({ path, owner, action: 'unchanged', parts });
        break;
      }
      case 'generated': {
        if (owned.has(path)) {
          // The team's now: never written, nor judged, nor recorded as saas-gen's.
          const note =
            previous?.files[path] !== undefined
              ? 'yours from now on: "saas-gen".own in package.json lists it'
              : undefined;
          outcomes.push({ path, owner: 'user', action: 'unchanged', ...(note ? { note } : {}) });
          break;
        }
        generated[path] = hashContent(file.content);
        if (now === null) {
          outcomes.push({ path, owner, action: write(file, file.content, null) });
        } else if (now === file.content) {
          outcomes.push({ path, owner, action: 'unchanged' });
        } else if (untouched(path, now) || force) {
          outcomes.push({ path, owner, action: write(file, file.content, now) });
        } else {
          conflicts.push({
            path,
            reason: previous?.files[path] === undefined ? 'untracked' : 'edited',
          });
          outcomes.push({ path, owner, action: 'conflict' });
        }
        break;
      }
    }
  }

  const produced = new Set(files.map((file) => file.path));
  for (const [path, recorded] of Object.entries(previous?.files ?? {})) {
    const now = current(path);
    if (produced.has(path) || now === null) continue;
    if (hashContent(now) === recorded) {
      changes.push({ kind: 'delete', path });
      outcomes.push({ path, owner: 'generated', action: 'delete' });
    } else outcomes.push({ path, owner: 'generated', action: 'keep' });
  }
  for (const path of previousUserFiles) {
    if (!userFiles.has(path) && current(path) !== null)
      outcomes.push({ path, owner: 'user', action: 'unused' });
  }
  // A file of the user's that imports one saas-gen stops writing would no longer compile.
  const gone = new Set(
    outcomes.filter((o) => o.action === 'delete' || o.action === 'keep').map((o) => o.path),
  );
  for (const path of userFiles) {
    const written = changes.find((change) => change.path === path);
    const text = written && 'content' in written ? written.content : current(path);
    if (!text || !path.endsWith('.ts')) continue;
    for (const imported of relativeImports(path, text)) {
      if (gone.has(imported))
        warnings.push(
          `${path} imports ${imported}, which saas-gen no longer writes: import it from \`@saas-gen/runtime\` (docs/reference.md lists what it exports)`,
        );
    }
  }

  /** Hashes of the parts saas-gen last wrote into a merged file (see `Recorded`). */
  function recordedFor(path: string, now: string | null): Recorded {
    const parts = previous?.merged[path];
    if (parts) return parts;
    // Written whole by an earlier saas-gen, which had no merged files: its parts are all
    // saas-gen's if nobody edited the file, and none of them are if somebody did.
    return now !== null && untouched(path, now) ? 'all' : {};
  }

  const manifest: Manifest = {
    generator: 'saas-gen',
    generatorVersion: input.generatorVersion,
    blueprintHash: input.blueprintHash,
    files: generated,
    merged,
    userFiles: [...userFiles].sort(),
  };
  return {
    changes: sortByPath(changes),
    conflicts: sortByPath(conflicts),
    outcomes: sortByPath(outcomes),
    warnings,
    manifest,
  };
}

function mergeFile(
  file: VirtualFile,
  current: string | null,
  recorded: Recorded,
  force: boolean,
): MergeResult {
  const input = { path: file.path, seed: file.content, current, recorded, force };
  const spec = file.merge;
  if (!spec) throw new Error(`merged file \`${file.path}\` has no merge spec`);
  switch (spec.kind) {
    case 'json':
      return mergeJson({
        ...input,
        owned: spec.owned,
        replaceable: spec.replaceable ?? [],
        formerly: spec.formerly ?? {},
      });
    case 'block':
      return mergeBlock({ ...input, body: spec.body });
  }
}

/** The product paths of the `.ts` files `text` (at `path`) imports relatively. */
function relativeImports(path: string, text: string): string[] {
  const dir = path.split('/').slice(0, -1);
  return [...text.matchAll(/\bfrom\s+'(\.{1,2}\/[^']+)\.js'/g)].map((match) => {
    const parts = [...dir];
    for (const segment of match[1]!.split('/')) {
      if (segment === '..') parts.pop();
      else if (segment !== '.') parts.push(segment);
    }
    return `${parts.join('/')}.ts`;
  });
}

const sortByPath = <T extends { readonly path: string }>(items: T[]): T[] =>
  items.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
