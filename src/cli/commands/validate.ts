import { checkBlueprint } from '../../blueprint/check.js';
import { Exit, ExitCode } from '../errors.js';
import { readTextFile } from '../files.js';
import { formatGithub, formatText, summary, toJson } from '../format-diagnostics.js';
import type { DiagnosticFormat, FileReport } from '../format-diagnostics.js';
import { paint } from '../output.js';
import type { Output } from '../output.js';

export interface ValidateOptions {
  readonly format: DiagnosticFormat;
}

/** `saas-gen validate <file...>`: prints every problem; exits 1 when any file has an error. */
export function validateCommand(
  files: readonly string[],
  options: ValidateOptions,
  output: Output,
): void {
  const reports: FileReport[] = files.map((file) => {
    const { source, diagnostics } = checkBlueprint(file, readTextFile(file, 'blueprint'));
    return { source, diagnostics };
  });
  const { errors, warnings } = summary(reports);

  switch (options.format) {
    case 'json':
      output.out(
        `${JSON.stringify({ valid: errors === 0, errors, warnings, files: reports.map(toJson) }, null, 2)}\n`,
      );
      break;
    case 'github':
      output.out(reports.map(formatGithub).join(''));
      break;
    case 'text': {
      const printed = reports.map((report) => formatText(report, output)).filter(Boolean);
      if (printed.length > 0) output.out(`${printed.join('\n')}\n`);
      const counts = `${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}`;
      output.out(
        errors === 0
          ? `${paint(output, 'bold', '✓')} ${files.join(', ')}: valid${warnings > 0 ? ` (${counts})` : ''}\n`
          : `${paint(output, 'red', '✗')} ${counts}\n`,
      );
      break;
    }
  }
  if (errors > 0) throw new Exit(ExitCode.failure);
}
