/**
 * The virtual file tree generators write into. Nothing touches the disk until the writer flushes
 * a plan computed from it, which is what makes `--dry-run` and `check` free.
 */

/**
 * Who owns a file of the product (README "Who owns which file"):
 * - `generated`: rewritten on every run, guarded by the manifest;
 * - `merged`: saas-gen owns named parts of it (see `MergeSpec`), everything else is the user's;
 * - `user`: written once, then the user's.
 */
export type Ownership = 'generated' | 'merged' | 'user';

/**
 * The parts saas-gen owns in a merged file.
 * - `json`: every leaf of `owned` (a value, or an array whose items must all be present) at its
 *   path; the rest of the file is the user's.
 * - `block`: the lines between the markers of a managed block (`managedBlock`); lines outside
 *   it are the user's.
 */
export type MergeSpec =
  | {
      readonly kind: 'json';
      readonly owned: Readonly<Record<string, unknown>>;
      /**
       * Parts saas-gen replaces whatever they hold, without calling it an edit: the product's pin
       * of saas-gen itself, which `npm install -D saas-gen@…` rewrites as a range.
       */
      readonly replaceable?: readonly string[];
      /**
       * Values earlier saas-gen versions wrote into a part: a part that still holds one of them
       * is saas-gen's, merely stale, even where no manifest recorded it (a product of 0.1, whose
       * package.json its team has edited elsewhere).
       */
      readonly formerly?: Readonly<Record<string, readonly unknown[]>>;
    }
  | { readonly kind: 'block'; readonly body: string };

export interface VirtualFile {
  readonly path: string;
  /** The whole file as `new` writes it (for a merged file, the parts it owns and the seed around them). */
  readonly content: string;
  readonly owner: Ownership;
  /** Merged files only: the parts saas-gen owns. */
  readonly merge?: MergeSpec;
  /** Copied from a template that is already formatted: the format stage skips it. */
  readonly preformatted?: boolean;
  /** A file the blueprint does not change: the file of saas-gen it comes from (its header says). */
  readonly source?: SaasGenSource;
  /** A user file of domain handlers: the methods it must have, added when the blueprint gains a step. */
  readonly handlers?: HandlersSpec;
  /**
   * A user file: what earlier saas-gens wrote in its place for a new product, without
   * whitespace. Found unedited, it is replaced by this version's.
   */
  readonly supersedes?: readonly string[];
}

/** What `generate` keeps in step in a user's handlers file, without touching anything else. */
export interface HandlersSpec {
  /** The factory (or, from 0.2.0, the object) the file exports, e.g. `notesHandlers`. */
  readonly exportName: string;
  /** The generated contract it implements: only when that changes is the file looked at. */
  readonly contract: string;
  /** One per step and compensation, with its placeholder. */
  readonly methods: readonly { readonly name: string; readonly text: string }[];
}

/** `text` without any whitespace: how an unedited file of an earlier saas-gen is recognised. */
export const withoutSpace = (text: string): string => text.replace(/\s+/g, '');

/** A file of saas-gen that a product's file comes from. */
export interface SaasGenSource {
  /** Its path in saas-gen, e.g. `src/templates/product/src/runtime/store.ts`. */
  readonly path: string;
  /** Whether the product's file is a copy of it (vendored), or rendered from it. */
  readonly copied: boolean;
}

export interface WriteOptions {
  readonly preformatted?: boolean;
  readonly merge?: MergeSpec;
  readonly source?: SaasGenSource;
  readonly handlers?: HandlersSpec;
  readonly supersedes?: readonly string[];
}

export class VirtualTree {
  readonly #files = new Map<string, VirtualFile>();

  write(
    path: string,
    content: string,
    owner: Ownership = 'generated',
    options: WriteOptions = {},
  ): void {
    if (this.#files.has(path)) throw new Error(`two generators wrote \`${path}\``);
    if (path.startsWith('/') || path.split('/').includes('..')) {
      throw new Error(`generated path \`${path}\` escapes the product directory`);
    }
    if ((owner === 'merged') !== (options.merge !== undefined)) {
      throw new Error(
        `\`${path}\`: a merged file needs a merge spec, and only a merged file has one`,
      );
    }
    this.#files.set(path, { path, content, owner, ...options });
  }

  replace(path: string, content: string): void {
    const file = this.#files.get(path);
    if (!file) throw new Error(`no generated file \`${path}\` to replace`);
    this.#files.set(path, { ...file, content });
  }

  get(path: string): VirtualFile | undefined {
    return this.#files.get(path);
  }

  /** Files sorted by path, so that everything downstream is deterministic. */
  files(): VirtualFile[] {
    return [...this.#files.values()].sort((a, b) =>
      a.path < b.path ? -1 : a.path > b.path ? 1 : 0,
    );
  }
}
