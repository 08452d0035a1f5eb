/**
 * Inline YAML for table-driven tests. A marker line such as
 *
 *     on: TenantRegistred
 *         ^^^^^^^^^^^^^^^ unknown-event
 *
 * says that a diagnostic `unknown-event` is expected on the line above it, at the column of the
 * first caret. Marker lines are removed before the YAML is parsed, so a caret may sit in column 1.
 */
import { checkBlueprint } from '../../src/blueprint/check.js';
import type { Diagnostic } from '../../src/blueprint/diagnostics.js';

export interface Mark {
  readonly code: string;
  readonly line: number;
  readonly col: number;
}

const markerLine = /^(\s*)\^+\s+([a-z][a-z-]*)\s*$/;

/** The YAML without its marker lines, and the marks they made. */
export function parseMarks(marked: string): { text: string; marks: Mark[] } {
  const kept: string[] = [];
  const marks: Mark[] = [];
  for (const line of marked.split('\n')) {
    const marker = markerLine.exec(line);
    if (!marker) {
      kept.push(line);
      continue;
    }
    if (kept.length === 0) throw new Error(`marker before any YAML line: ${line}`);
    marks.push({ code: marker[2]!, line: kept.length, col: marker[1]!.length + 1 });
  }
  return { text: kept.join('\n'), marks };
}

/** Template tag: the text without the indentation its lines share, and without edge blank lines. */
export function yaml(strings: TemplateStringsArray, ...values: unknown[]): string {
  const text = strings.reduce((out, part, index) => `${out}${String(values[index - 1])}${part}`);
  const lines = text
    .replace(/^\s*\n/, '')
    .replace(/\n\s*$/, '')
    .split('\n');
  const indent = Math.min(
    ...lines.filter((line) => line.trim() !== '').map((line) => /^ */.exec(line)![0].length),
  );
  return lines.map((line) => line.slice(indent)).join('\n');
}

export interface Located {
  readonly code: string;
  readonly line: number;
  readonly col: number;
}

export interface Checked {
  readonly text: string;
  readonly marks: readonly Mark[];
  readonly diagnostics: readonly Diagnostic[];
  /** Every diagnostic at the position it is printed. */
  readonly found: readonly Located[];
  readonly valid: boolean;
}

/** Runs the blueprint pipeline on marked YAML. */
export function check(marked: string): Checked {
  const { text, marks } = parseMarks(marked);
  const result = checkBlueprint('blueprint.yaml', text);
  const found = result.diagnostics.map((diagnostic) => ({
    code: diagnostic.code,
    ...result.source.locate(diagnostic).start,
  }));
  return { text, marks, diagnostics: result.diagnostics, found, valid: result.model !== undefined };
}

/** Positions in a stable order, for comparing what was found with what was marked. */
export const byPosition = (located: readonly Located[]): Located[] =>
  located
    .map(({ code, line, col }) => ({ code, line, col }))
    .sort((a, b) => a.line - b.line || a.col - b.col || a.code.localeCompare(b.code));
