// @ts-check
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/**
 * The stages from blueprint to plan are pure: text and data in, data out. Only the CLI reads the
 * disk, spawns processes or looks at the environment, and passes what it found in.
 */
const pureStages = ['src/blueprint/**', 'src/generators/**', 'src/sync/**'];

/** Modules that reach the disk, other processes, the network or the machine. */
const ioModules = [
  'fs',
  'node:fs',
  'fs/promises',
  'node:fs/promises',
  'child_process',
  'node:child_process',
  'execa',
  'net',
  'node:net',
  'http',
  'node:http',
  'https',
  'node:https',
  'os',
  'node:os',
];

const ioMessage = 'The pipeline stages are pure: do the I/O in src/cli and pass the data in.';

export default defineConfig([
  globalIgnores([
    'dist/',
    'examples/',
    'test/fixtures/',
    'src/templates/**/*.hbs',
    '**/*.generated.ts',
    // Written by scripts/product-fixture.ts from the templates.
    '.product-fixture/',
    // The demo's product (npm run demo), generated and installed there.
    '.demo/',
    // The product's templates and the runtime package: type-checked by runtime/tsconfig.json and
    // the fixture product's own tsconfig, tested by the `runtime` and `product` test projects,
    // and held to the runtime's conventions rather than these rules (its SQLite adapter, say,
    // implements the async store port with synchronous calls).
    'src/templates/',
    'runtime/',
  ]),
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: 'module',
      globals: globals.node,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // Leaving a key out of a copy by destructuring it next to a rest element is the idiom.
      '@typescript-eslint/no-unused-vars': ['error', { ignoreRestSiblings: true }],
    },
  },
  {
    // Plain JavaScript (the bin entry, this file) is outside the TypeScript program.
    files: ['**/*.js'],
    extends: [tseslint.configs.disableTypeChecked],
  },
  {
    files: ['test/**'],
    rules: {
      // Tests look into JSON that the CLI and the product wrote, and vitest types its asymmetric
      // matchers (`expect.stringContaining`, …) as `any`: typing every shape they inspect would
      // only restate what the assertion checks.
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
    },
  },
  {
    files: pureStages,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ioModules.map((name) => ({ name, message: ioMessage })),
          patterns: [
            {
              group: ['**/cli', '**/cli/**'],
              message: 'The pipeline stages do not depend on the CLI; the CLI depends on them.',
            },
          ],
        },
      ],
      'no-restricted-syntax': [
        'error',
        {
          // esquery ends a regular expression at the first `/`, so `.` stands for it.
          selector: `ImportExpression[source.value=/^(${ioModules.join('|').replaceAll('/', '.')})$/]`,
          message: ioMessage,
        },
      ],
      'no-restricted-globals': [
        'error',
        {
          name: 'process',
          message:
            'The pipeline stages are pure: read the environment or arguments in src/cli and pass them in.',
        },
      ],
    },
  },
]);
