/** Prints diagnostics: `file:line:col: error CODE message` with a code frame, as JSON, or for GitHub. */
import type { Diagnostic } from '../blueprint/diagnostics.js';
import type { SourceFile, Span } from '../blueprint/load.js';
import { paint } from './output.js';
import type { Output } from './output.js';

export const diagnosticFormats = ['text', 'json', 'github'] as const;
export type DiagnosticFormat = (typeof diagnosticFormats)[number];

export interface FileReport {
  readonly source: SourceFile;
  readonly diagnostics: readonly Diagnostic[];
}

export function formatText(report: FileReport, output: Pick<Output, 'color'>): string {
  const { source } = report;
  return report.diagnostics
    .map((diagnostic) => {
      const span = source.locate(diagnostic);
      const severity = paint(
        output,
        diagnostic.severity === 'error' ? 'red' : 'yellow',
        diagnostic.severity,
      );
      const lines = [
        `${paint(output, 'bold', `${source.path}:${span.start.line}:${span.start.col}`)}: ${severity} ${paint(output, 'cyan', diagnostic.code)} ${diagnostic.message}`,
        codeFrame(source.text, span, output),
      ];
      if (diagnostic.hint) lines.push(`  ${paint(output, 'dim', 'hint:')} ${diagnostic.hint}`);
      for (const related of diagnostic.related ?? []) {
        const at = source.locate({ pointer: related.pointer }).start;
        lines.push(
          `  ${paint(output, 'dim', 'see:')} ${source.path}:${at.line}:${at.col}: ${related.message}`,
        );
      }
      return `${lines.join('\n')}\n`;
    })
    .join('\n');
}

/** Two lines of context around the offending line, with a caret under the node. */
export function codeFrame(text: string, span: Span, output: Pick<Output, 'color'>): string {
  const lines = text.split(/\r?\n/);
  const first = Math.max(1, span.start.line - 2);
  const last = Math.min(lines.length, span.start.line + 2);
  const width = String(last).length;
  const frame: string[] = [];
  for (let number = first; number <= last; number++) {
    const content = (lines[number - 1] ?? '').replace(/\t/g, ' ');
    const marker = number === span.start.line ? paint(output, 'red', '>') : ' ';
    frame.push(`${marker} ${String(number).padStart(width)} | ${content}`);
    if (number === span.start.line) {
      const length =
        span.end.line === span.start.line
          ? Math.max(1, span.end.col - span.start.col)
          : Math.max(1, content.length - span.start.col + 1);
      frame.push(
        `  ${' '.repeat(width)} | ${' '.repeat(span.start.col - 1)}${paint(output, 'red', '^'.repeat(length))}`,
      );
    }
  }
  return frame.join('\n');
}

export function toJson(report: FileReport) {
  const { source } = report;
  return {
    file: source.path,
    valid: !report.diagnostics.some((d) => d.severity === 'error'),
    diagnostics: report.diagnostics.map((diagnostic) => {
      const span = source.locate(diagnostic);
      return {
        code: diagnostic.code,
        severity: diagnostic.severity,
        message: diagnostic.message,
        pointer: diagnostic.pointer,
        line: span.start.line,
        column: span.start.col,
        endLine: span.end.line,
        endColumn: span.end.col,
        ...(diagnostic.hint ? { hint: diagnostic.hint } : {}),
        ...(diagnostic.related
          ? {
              related: diagnostic.related.map((related) => {
                const at = source.locate({ pointer: related.pointer }).start;
                return {
                  pointer: related.pointer,
                  line: at.line,
                  column: at.col,
                  message: related.message,
                };
              }),
            }
          : {}),
      };
    }),
  };
}

/** GitHub Actions workflow commands: each diagnostic becomes an annotation on the file. */
export function formatGithub(report: FileReport): string {
  const { source } = report;
  return report.diagnostics
    .map((diagnostic) => {
      const span = source.locate(diagnostic);
      const properties = [
        `file=${escapeProperty(source.path)}`,
        `line=${span.start.line}`,
        `col=${span.start.col}`,
        `endLine=${span.end.line}`,
        `endColumn=${span.end.col}`,
        `title=${escapeProperty(`saas-gen ${diagnostic.code}`)}`,
      ].join(',');
      const message = diagnostic.hint
        ? `${diagnostic.message} (${diagnostic.hint})`
        : diagnostic.message;
      return `::${diagnostic.severity} ${properties}::${escapeData(message)}\n`;
    })
    .join('');
}

const escapeData = (text: string): string =>
  text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const escapeProperty = (text: string): string =>
  escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');

export function summary(reports: readonly FileReport[]): { errors: number; warnings: number } {
  let errors = 0;
  let warnings = 0;
  for (const report of reports) {
    for (const diagnostic of report.diagnostics) {
      if (diagnostic.severity === 'error') errors++;
      else warnings++;
    }
  }
  return { errors, warnings };
}
