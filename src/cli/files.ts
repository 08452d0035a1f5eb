/** Disk access for the commands: reading inputs with errors a user can act on. */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from './errors.js';

/** The installed package's root (`dist/cli/..` or `src/cli/..` → the folder with package.json). */
export const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export const schemaFile = join(packageRoot, 'schema', 'blueprint.schema.json');

export function readPackageVersion(): string {
  const pkg = JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

export function readTextFile(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UserError(`${what} \`${path}\` does not exist`);
    if (code === 'EISDIR') throw new UserError(`${what} \`${path}\` is a directory, not a file`);
    if (code === 'EACCES')
      throw new UserError(`${what} \`${path}\` cannot be read (permission denied)`);
    throw error;
  }
}
