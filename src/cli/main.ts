/**
 * The CLI edge: wires commands to the pipeline and is the one place that turns outcomes into
 * exit codes (errors.ts: 0 ok, 1 user-facing failure, 2 usage error, 70 internal bug).
 */
import { Command, CommanderError, Option } from 'commander';
import { Exit, ExitCode, Interrupted, UserError } from './errors.js';
import { readPackageVersion } from './files.js';
import { diagnosticFormats } from './format-diagnostics.js';
import type { DiagnosticFormat } from './format-diagnostics.js';
import { paint } from './output.js';
import type { Output } from './output.js';

// Commands are imported when they run, so that `validate` does not pay for what `init` loads.
export function buildProgram(output: Output): Command {
  const program = new Command('saas-gen')
    .description(
      'Generate a runnable, event-driven SaaS product from a blueprint YAML:\n' +
        'the tenant-onboarding saga, its services, an HTTP API and the tests that prove them.',
    )
    .version(readPackageVersion(), '-v, --version')
    .showHelpAfterError('(run `saas-gen --help` for usage)')
    .configureOutput({ writeOut: output.out, writeErr: output.err })
    .exitOverride();

  program
    .command('new')
    .description('create a product in <dir> from a blueprint and install its dependencies')
    .argument('<dir>', 'directory for the new product (must be empty)')
    .option(
      '-b, --blueprint <file>',
      'the blueprint YAML, copied to <dir>/blueprint.yaml (default: the commented starter)',
    )
    .option('--skip-install', 'do not run npm install')
    .option('--dry-run', 'list the files that would be created; write nothing')
    .option('--force', 'allow a non-empty directory (existing files are still never overwritten)')
    .option('--json', 'print one JSON document: each file with its class and action')
    .addHelpText(
      'after',
      examples(
        'saas-gen new shop                          # from the starter blueprint',
        'saas-gen new shop --blueprint blueprint.yaml',
        'saas-gen new shop -b blueprint.yaml --skip-install --json',
      ),
    )
    .action(
      async (
        dir: string,
        options: {
          blueprint?: string;
          skipInstall?: boolean;
          dryRun?: boolean;
          force?: boolean;
          json?: boolean;
        },
      ) => {
        const { newCommand } = await import('./commands/new.js');
        await newCommand(dir, options, output);
      },
    );

  program
    .command('generate')
    .description('regenerate a product from its blueprint.yaml, refusing to overwrite hand edits')
    .argument('[dir]', 'the product directory', '.')
    .option('--dry-run', 'list CREATE/UPDATE/DELETE; write nothing')
    .option('--force', 'replace generated files and owned parts that were edited by hand')
    .option('--json', 'print one JSON document: each file with its class and action')
    .addHelpText(
      'after',
      examples(
        'npx saas-gen generate                      # in the product, after editing blueprint.yaml',
        'npx saas-gen generate --dry-run',
        'npx saas-gen@latest generate               # upgrade the product to a newer saas-gen',
      ),
    )
    .action(async (dir: string, options: { dryRun?: boolean; force?: boolean; json?: boolean }) => {
      const { generateCommand } = await import('./commands/generate.js');
      await generateCommand(dir, options, output);
    });

  program
    .command('check')
    .description(
      'exit 1 with a diff when generated files or owned parts drifted from blueprint.yaml',
    )
    .argument('[dir]', 'the product directory', '.')
    .option('--json', 'print one JSON document: each drifted file or part, with its diff')
    .addHelpText(
      'after',
      examples(
        'npx saas-gen check                         # in the product, e.g. as a CI step',
        'saas-gen check path/to/product --json',
      ),
    )
    .action(async (dir: string, options: { json?: boolean }) => {
      const { checkCommand } = await import('./commands/check.js');
      await checkCommand(dir, options, output);
    });

  program
    .command('validate')
    .description('check blueprints and print every problem as file:line:col with a code frame')
    .argument('<file...>', 'blueprint YAML files')
    .addOption(
      new Option('--format <format>', 'output format').choices(diagnosticFormats).default('text'),
    )
    .addHelpText(
      'after',
      '\nExits 1 when any file has an error; warnings alone exit 0.\n' +
        examples(
          'saas-gen validate blueprint.yaml',
          'saas-gen validate blueprint.yaml --format github   # annotations in a GitHub Actions run',
        ),
    )
    .action(async (files: string[], options: { format: DiagnosticFormat }) => {
      const { validateCommand } = await import('./commands/validate.js');
      validateCommand(files, options, output);
    });

  program
    .command('diagram')
    .description('print Mermaid diagrams of the workflows, derived from the blueprint')
    .argument('<file>', 'the blueprint YAML')
    .addOption(
      new Option(
        '--kind <kind>',
        'the tenant and workflow state machines, or their message sequences',
      )
        .choices(['state', 'sequence'])
        .default('state'),
    )
    .option('--workflow <id>', 'only this workflow (`onboarding` draws the tenant lifecycle)')
    .addHelpText(
      'after',
      examples(
        'saas-gen diagram blueprint.yaml > diagrams.mmd',
        'saas-gen diagram blueprint.yaml --kind sequence --workflow onboarding',
      ),
    )
    .action(async (file: string, options: { kind: 'state' | 'sequence'; workflow?: string }) => {
      const { diagramCommand } = await import('./commands/diagram.js');
      diagramCommand(file, options, output);
    });

  program
    .command('schema')
    .description('print the blueprint JSON Schema (for editors and other tools)')
    .addHelpText('after', examples('saas-gen schema > blueprint.schema.json'))
    .action(async () => {
      const { schemaCommand } = await import('./commands/schema.js');
      schemaCommand(output);
    });

  program
    .command('init')
    .description('write a commented starter blueprint that validates')
    .argument('[file]', 'where to write it', 'blueprint.yaml')
    .option('--name <name>', 'product name (kebab-case); defaults to the folder name')
    .option('--force', 'replace the file if it exists')
    .addHelpText(
      'after',
      examples(
        'saas-gen init                              # ./blueprint.yaml, named after this folder',
        'saas-gen init shop.yaml --name shop',
      ),
    )
    .action(async (file: string, options: { name?: string; force?: boolean }) => {
      const { initCommand } = await import('./commands/init.js');
      initCommand(file, options, output);
    });

  program.addHelpText(
    'after',
    examples(
      'npx saas-gen new shop && cd shop && npm start',
      'saas-gen init blueprint.yaml && saas-gen new shop --blueprint blueprint.yaml',
      'npx saas-gen check                         # in a product: has it drifted from its blueprint?',
      'saas-gen <command> --help                  # more on each command',
    ),
  );
  for (const command of program.commands)
    command.exitOverride().configureOutput({ writeOut: output.out, writeErr: output.err });
  return program;
}

const examples = (...lines: string[]): string =>
  `\nExamples:\n${lines.map((line) => `  $ ${line}`).join('\n')}\n`;

/** Runs the CLI and returns its exit code; never throws. */
export async function run(argv: readonly string[], output: Output): Promise<number> {
  try {
    await buildProgram(output).parseAsync([...argv], { from: 'user' });
    return ExitCode.ok;
  } catch (error) {
    return exitCodeOf(error, output);
  }
}

function exitCodeOf(error: unknown, output: Output): number {
  if (error instanceof Exit) return error.exitCode;
  if (error instanceof CommanderError) {
    // Help and version are successful exits; anything else commander refuses is a usage error.
    return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
  }
  if (error instanceof Interrupted) {
    output.err(`${paint(output, 'yellow', `interrupted (${error.signal}):`)} ${error.message}\n`);
    return error.exitCode;
  }
  if (error instanceof UserError) {
    output.err(`${paint(output, 'red', 'error:')} ${error.message}\n`);
    return error.exitCode;
  }
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  output.err(
    `${paint(output, 'red', 'internal error:')} this is a bug in saas-gen, not in your blueprint.\n` +
      `Please report it with the output below.\n\n${detail}\n`,
  );
  return ExitCode.internal;
}
