/**
 * Writes `.product-fixture/`: the blueprint-derived files of the product generated from
 * test/fixtures/catalog/blueprint.yaml (its catalog, message contracts, saga definitions, service
 * registry and handlers). tsconfig.product.json lays them over src/templates/product with
 * `rootDirs`, and vitest.config.ts resolves the same way, so the product's vendored runtime and
 * static files are type-checked and tested where they are written.
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
const templates = join(repo, 'src/templates/product');
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

/** The product files a template renders from the blueprint, rather than copies. */
const isDerived = (path: string) =>
  /^(src|test|scripts)\/.*\.ts$/.test(path) && !existsSync(join(templates, path));

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
    const wanted = new Set(filesUnder(product).filter(isDerived));
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
