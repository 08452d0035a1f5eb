/**
 * The local npm registry (scripts/local-registry.ts) for a test file whose products install:
 * their `saas-gen` devDependency is on no public registry, so installs go through it.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { startLocalRegistry, type LocalRegistry } from '../../scripts/local-registry.js';
import { repoRoot } from './cli.js';

export type { LocalRegistry };

/**
 * Starts the registry before the file's other hooks (call it before registering them: `beforeAll`
 * hooks run in the order they were registered) and stops it after its tests, failed or not.
 * What it publishes is dist/ as built: the tests run the built CLI too (`npm test` builds first),
 * and rebuilding it here would rewrite dist/ under the test files running alongside.
 */
export function useLocalRegistry(): Pick<LocalRegistry, 'url' | 'version' | 'env'> {
  let registry: LocalRegistry | undefined;
  beforeAll(async () => {
    if (!existsSync(join(repoRoot, 'dist', 'cli', 'main.js')))
      throw new Error('the CLI is not built: run `npm run build` (or `npm test`) first');
    registry = await startLocalRegistry({ build: false });
  }, 120_000);
  afterAll(async () => {
    await registry?.stop();
  }, 30_000);
  const started = (): LocalRegistry => {
    if (!registry) throw new Error('the local registry is not running (used outside the tests?)');
    return registry;
  };
  return {
    get url() {
      return started().url;
    },
    get version() {
      return started().version;
    },
    get env() {
      return started().env;
    },
  };
}
