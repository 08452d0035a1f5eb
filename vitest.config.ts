import { existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'vite';
import { defineConfig } from 'vitest/config';

const repo = dirname(fileURLToPath(import.meta.url));
const templates = join(repo, 'src/templates/product');
const fixture = join(repo, '.product-fixture');

/**
 * Resolves the product's relative imports across src/templates/product and the code generated
 * from the fixture catalog (.product-fixture), as tsconfig.product.json's `rootDirs` does for the
 * compiler: a vendored file importing `../contracts/messages.js` gets the fixture's, and a
 * generated file importing `../runtime/messages.js` gets the vendored one.
 */
function productLayers(): Plugin {
  const roots = [templates, fixture];
  const existing = (path: string) =>
    [path, path.replace(/\.js$/, '.ts')].find((candidate) => existsSync(candidate));
  return {
    name: 'saas-gen-product-layers',
    enforce: 'pre',
    resolveId(source, importer) {
      if (!importer || !source.startsWith('.')) return null;
      const root = roots.find((candidate) => importer.startsWith(candidate + '/'));
      if (!root) return null;
      const wanted = resolve(dirname(importer), source);
      if (existing(wanted)) return null;
      const inProduct = relative(root, wanted);
      for (const other of roots) {
        const found = other === root ? undefined : existing(join(other, inProduct));
        if (found) return found;
      }
      return null;
    },
  };
}

/**
 * The runtime's PostgreSQL and RabbitMQ integration tests need the services: under CI those of
 * the machine (which .ci/run makes sure answer), unless the environment names others. Elsewhere
 * they run when DATABASE_URL and BUS_URL are set, and skip loudly when not.
 */
const services =
  process.env.CI === 'true'
    ? {
        DATABASE_URL: process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres',
        BUS_URL: process.env.BUS_URL || 'amqp://guest:guest@127.0.0.1:5672',
      }
    : {};

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'generator',
          include: ['test/**/*.test.ts'],
          testTimeout: 20_000,
        },
      },
      {
        // The product's vendored runtime and static parts, tested where they are written against
        // the fixture catalog (scripts/product-fixture.ts). Each generated product runs these
        // again, on its own catalog, in the slow tier.
        plugins: [productLayers()],
        test: {
          name: 'product',
          root: templates,
          include: [
            'test/runtime/**/*.test.ts',
            'test/saga/**/*.test.ts',
            'test/services/**/*.test.ts',
          ],
          // Compares docs/diagrams.md, which only a generated product has, with the code.
          exclude: ['test/saga/diagram.test.ts'],
          globalSetup: [join(repo, 'test/support/product-fixture-setup.ts')],
          env: services,
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
