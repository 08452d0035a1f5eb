/**
 * How `new`, `generate` and `check` tell what they did: lines for a person, or with `--json` one
 * JSON document on stdout (the plan or the result, each file with its class and action).
 */
import type { PartOutcome } from '../sync/merge.js';
import type { FileOutcome, Plan } from '../sync/plan.js';
import { Exit, ExitCode, UserError } from './errors.js';
import { paint } from './output.js';
import type { Output } from './output.js';

/** The result a command builds up for `--json`; `command` and `ok` are set by `reporting`. */
export type JsonDocument = Record<string, unknown>;

/**
 * Runs a command. With `json`, its lines for stdout are dropped and one JSON document is printed
 * instead when it ends, whether it succeeds or fails (`ok`, and `error` with what went wrong).
 */
export async function reporting(
  command: string,
  json: boolean | undefined,
  output: Output,
  body: (output: Output, document: JsonDocument) => Promise<void>,
): Promise<void> {
  if (!json) return body(output, {});
  const document: JsonDocument = {};
  const quiet: Output = { ...output, out: () => undefined, color: false, interactive: false };
  let failure: unknown;
  try {
    await body(quiet, document);
  } catch (error) {
    failure = error;
  }
  const ok = failure === undefined;
  const error =
    failure instanceof UserError
      ? failure.message
      : failure instanceof Exit || ok
        ? undefined
        : 'internal error: this is a bug in saas-gen (see stderr)';
  output.out(
    `${JSON.stringify({ command, ok, ...(error ? { error } : {}), ...document }, null, 2)}\n`,
  );
  if (!ok) throw failure;
}

export interface FileEntry {
  readonly path: string;
  readonly class: FileOutcome['owner'];
  readonly action: FileOutcome['action'];
  readonly parts?: readonly PartOutcome[];
  readonly note?: string;
}

export const fileEntries = (plan: Plan): FileEntry[] =>
  plan.outcomes.map(({ path, owner, action, parts, note }) => ({
    path,
    class: owner,
    action,
    ...(parts && parts.length > 0 ? { parts } : {}),
    ...(note ? { note } : {}),
  }));

const verbs = {
  create: 'CREATE',
  update: 'UPDATE',
  delete: 'DELETE',
  keep: 'KEEP  ',
  unused: 'UNUSED',
} as const;

/** One line per file the plan touches or leaves to the user; merged files name their parts. */
export function printPlan(plan: Plan, output: Output): void {
  for (const outcome of plan.outcomes) {
    const { action, path } = outcome;
    if (action === 'conflict') {
      output.out(`${paint(output, 'red', 'REFUSE')} ${path} (edited by hand)\n`);
      continue;
    }
    if (action === 'unchanged') {
      if (outcome.note)
        output.out(`${paint(output, 'yellow', 'YOURS ')} ${path} (${outcome.note})\n`);
      continue;
    }
    const verb = paint(
      output,
      action === 'keep' || action === 'unused' ? 'yellow' : 'bold',
      verbs[action],
    );
    const detail =
      action === 'keep'
        ? ' (no longer generated, but edited by hand: delete it yourself if unneeded)'
        : action === 'unused'
          ? ' (yours; the blueprint no longer needs it: delete it if you agree)'
          : outcome.note
            ? ` (${outcome.note})`
            : partsSummary(outcome.parts);
    output.out(`${verb} ${path}${detail}\n`);
  }
  for (const warning of plan.warnings)
    output.err(`${paint(output, 'yellow', 'warning:')} ${warning}\n`);
}

function partsSummary(parts: readonly PartOutcome[] | undefined): string {
  const changed = (parts ?? []).filter((part) => part.status !== 'held');
  if (changed.length === 0) return '';
  const names = changed.map((part) => `${part.name} ${part.status}`);
  return ` (${names.length > 4 ? `${names.slice(0, 4).join(', ')}, and ${names.length - 4} more` : names.join(', ')})`;
}

/** Says why nothing was written and exits 1, when the plan has conflicts. */
export function reportConflicts(plan: Plan, output: Output, document: JsonDocument): void {
  if (plan.conflicts.length === 0) return;
  document.conflicts = plan.conflicts;
  const lines = plan.conflicts.flatMap((conflict) => {
    switch (conflict.reason) {
      case 'edited':
        return [`  ${conflict.path}: edited by hand since saas-gen generated it`];
      case 'untracked':
        return [`  ${conflict.path}: exists, but saas-gen did not generate it`];
      case 'unparsable':
        return [`  ${conflict.detail}`];
      case 'part-edited':
        return (conflict.parts ?? []).map(
          (part) =>
            `  ${conflict.path}: ${part.name} is ${JSON.stringify(part.actual)}, edited by hand; saas-gen wants ${JSON.stringify(part.expected)}${conflict.path === 'package.json' ? ` (to keep yours, add "${part.name}" to "saas-gen": { "hold": [...] } in package.json)` : ''}`,
        );
    }
  });
  const unreadable = plan.conflicts.every((conflict) => conflict.reason === 'unparsable');
  output.err(
    unreadable
      ? `${paint(output, 'red', 'error:')} cannot merge into a file saas-gen cannot read:\n${lines.join('\n')}\nNothing was written.\n`
      : `${paint(output, 'red', 'error:')} refusing to overwrite what was edited by hand:\n${lines.join('\n')}\n` +
          'Nothing was written. Either:\n' +
          '  - move your change into a file of yours (a domain handler, src/main.ts) or into the blueprint;\n' +
          `  - make an edited generated file yours: list it in "saas-gen": { "own": [...] } in package.json,\n` +
          '    and saas-gen never writes nor checks it again;\n' +
          '  - or pass --force to replace these with what saas-gen generates.\n',
  );
  throw new Exit(ExitCode.failure);
}
