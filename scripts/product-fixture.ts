/**
 * Writes `.product-fixture/`: the product generated from test/fixtures/catalog/blueprint.yaml,
 * without its dependencies (it resolves them from this repository's node_modules, where
 * `@saas-gen/runtime` is the workspace package). Its own tests run there as the `product` test
 * project, on the built runtime as a user's product would; the runtime's tests read its catalog,
 * contracts and definitions (runtime/tsconfig.json and vitest.config.ts lay runtime/ over it).
 *
 * Run by `npm run typecheck` and by the product test project's setup, after `npm run build`;
 * only files whose content changed are rewritten.
 */
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
export const fixtureRoot = join(repo, '.product-fixture');
const blueprint = join(repo, 'test/fixtures/catalog/blueprint.yaml');

function filesUnder(root: string, dir = root): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : filesUnder(root, path);
    return [relative(root, path)];
  });
}

export function writeProductFixture(): { written: string[] } {
  const scratch = mkdtempSync(join(tmpdir(), 'saas-gen-fixture-'));
  try {
    const product = join(scratch, 'fixture');
    // The built CLI (`npm run build`), as a user runs it: its handler contracts are made in a
    // worker that loads compiled code.
    try {
      execFileSync(
        process.execPath,
        [join(repo, 'bin/saas-gen.js'), 'new', product, '--blueprint', blueprint, '--skip-install'],
        { stdio: 'pipe', env: { ...process.env, NO_COLOR: '1' } },
      );
    } catch (error) {
      const { stdout, stderr } = error as { stdout?: Buffer; stderr?: Buffer };
      throw new Error(
        `generating the fixture product failed:\n${stderr?.toString() ?? ''}${stdout?.toString() ?? ''}`,
      );
    }
    const wanted = new Set(filesUnder(product));
    const written: string[] = [];
    for (const path of wanted) {
      const content = readFileSync(join(product, path), 'utf8');
      const target = join(fixtureRoot, path);
      if (existsSync(target) && readFileSync(target, 'utf8') === content) continue;
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, content);
      written.push(path);
    }
    for (const path of filesUnder(fixtureRoot))
      if (!wanted.has(path)) rmSync(join(fixtureRoot, path));
    return { written };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { written } = writeProductFixture();
  console.log(
    `.product-fixture: ${written.length ? `${written.length} file(s) updated` : 'up to date'}`,
  );
}
