import { existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'vite';
import { defineConfig } from 'vitest/config';

const repo = dirname(fileURLToPath(import.meta.url));
const runtime = join(repo, 'runtime');
const fixture = join(repo, '.product-fixture');

/**
 * Lays runtime/ over the product generated from the fixture blueprint (.product-fixture), as
 * runtime/tsconfig.json's `rootDirs` does for the compiler: a runtime test importing
 * `../../src/catalog.js`, which the runtime does not have, gets the fixture product's.
 */
function fixtureLayer(): Plugin {
  const existing = (path: string) =>
    [path, path.replace(/\.js$/, '.ts')].find((candidate) => existsSync(candidate));
  return {
    name: 'saas-gen-fixture-layer',
    enforce: 'pre',
    resolveId(source, importer) {
      if (!importer || !source.startsWith('.') || !importer.startsWith(runtime + '/')) return null;
      const wanted = resolve(dirname(importer), source);
      if (existing(wanted)) return null;
      return existing(join(fixture, relative(runtime, wanted))) ?? null;
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
        // The runtime package's own suites, once, on the fixture product: its sources, not its
        // build, so a failure points at the line.
        plugins: [fixtureLayer()],
        resolve: {
          alias: [
            { find: /^@saas-gen\/runtime$/, replacement: join(runtime, 'src/index.ts') },
            {
              find: /^@saas-gen\/runtime\/testing$/,
              replacement: join(runtime, 'src/testing/index.ts'),
            },
          ],
        },
        test: {
          name: 'runtime',
          root: runtime,
          include: ['test/**/*.test.ts'],
          // Compares docs/diagrams.md, which only a generated product has, with the code.
          exclude: ['test/saga/diagram.test.ts'],
          globalSetup: [join(repo, 'test/support/product-fixture-setup.ts')],
          env: services,
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        // The fixture product's own tests, in the product, on the built runtime (`npm run
        // build`), as a user's product runs them. Every example runs its own in the slow tier.
        test: {
          name: 'product',
          root: fixture,
          include: ['test/**/*.test.ts'],
          globalSetup: [join(repo, 'test/support/product-fixture-setup.ts')],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
