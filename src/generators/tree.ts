/**
 * The virtual file tree generators write into. Nothing touches the disk until the writer flushes
 * a plan computed from it, which is what makes `--dry-run` and `check` free.
 */

/** `generated`: rewritten on every run, guarded by the manifest. `user`: written once, then the user's. */
export type Ownership = 'generated' | 'user';

export interface VirtualFile {
  readonly path: string;
  readonly content: string;
  readonly owner: Ownership;
  /** Copied from a template that is already formatted: the format stage skips it. */
  readonly preformatted?: boolean;
}

export class VirtualTree {
  readonly #files = new Map<string, VirtualFile>();

  write(
    path: string,
    content: string,
    owner: Ownership = 'generated',
    options: { preformatted?: boolean } = {},
  ): void {
    if (this.#files.has(path)) throw new Error(`two generators wrote \`${path}\``);
    if (path.startsWith('/') || path.split('/').includes('..')) {
      throw new Error(`generated path \`${path}\` escapes the product directory`);
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
