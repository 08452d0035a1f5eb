import { checkBlueprint } from '../../blueprint/check.js';
import { sequenceDiagram, stateDiagram } from '../../generators/diagrams.js';
import { Exit, ExitCode, UserError } from '../errors.js';
import { readTextFile } from '../files.js';
import { formatText } from '../format-diagnostics.js';
import type { Output } from '../output.js';

export type DiagramKind = 'state' | 'sequence';

export interface DiagramOptions {
  readonly kind: DiagramKind;
  /** Only the diagram of this workflow (`onboarding` is the tenant machine). */
  readonly workflow?: string;
}

/**
 * `saas-gen diagram <file>`: the Mermaid diagrams of a blueprint on stdout, one after the other
 * (each with its title in front matter); the diagnostics of an invalid blueprint on stderr.
 */
export function diagramCommand(file: string, options: DiagramOptions, output: Output): void {
  const checked = checkBlueprint(file, readTextFile(file, 'blueprint'));
  if (checked.diagnostics.length > 0) output.err(`${formatText(checked, output)}\n`);
  if (!checked.model) {
    output.err(`${file} is invalid: no diagram was drawn.\n`);
    throw new Exit(ExitCode.failure);
  }
  const all =
    options.kind === 'state' ? stateDiagram(checked.model) : sequenceDiagram(checked.model);
  const chosen = options.workflow
    ? all.filter((diagram) => diagram.workflow === options.workflow)
    : all;
  if (chosen.length === 0) {
    const known = all.map((diagram) => `\`${diagram.workflow}\``).join(', ');
    throw new UserError(`${file} has no workflow \`${options.workflow}\` (it has ${known})`);
  }
  output.out(chosen.map((diagram) => diagram.mermaid).join('\n'));
}
