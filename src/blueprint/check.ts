/**
 * The blueprint pipeline up to the model: load → schema → normalize → rules. Pure: it takes the
 * text, never the disk, and collects every problem instead of stopping at the first.
 */
import { hasErrors } from './diagnostics.js';
import type { Diagnostic } from './diagnostics.js';
import { loadBlueprint } from './load.js';
import type { SourceFile } from './load.js';
import type { Model } from './model.js';
import { normalize } from './normalize.js';
import { runRules } from './rules/index.js';
import { validateSchema } from './validate-schema.js';

export interface CheckedBlueprint {
  readonly source: SourceFile;
  /** Errors and warnings, in document order. */
  readonly diagnostics: readonly Diagnostic[];
  /** Present only when there is no error. */
  readonly model?: Model;
}

export function checkBlueprint(path: string, text: string): CheckedBlueprint {
  const loaded = loadBlueprint(path, text);
  if (loaded.diagnostics.length > 0) {
    return { source: loaded.source, diagnostics: loaded.diagnostics };
  }
  const schemaDiagnostics = validateSchema(loaded.data);
  const model = normalize(loaded.data);
  // A value the schema already refused is not reported again by a rule.
  const refused = schemaDiagnostics.map((d) => d.pointer).filter((pointer) => pointer !== '');
  const ruleDiagnostics = runRules(model, loaded.data).filter(
    (d) => !refused.some((pointer) => d.pointer === pointer || d.pointer.startsWith(`${pointer}/`)),
  );
  const diagnostics = sortByPosition(loaded.source, [...schemaDiagnostics, ...ruleDiagnostics]);
  return hasErrors(diagnostics)
    ? { source: loaded.source, diagnostics }
    : { source: loaded.source, diagnostics, model };
}

function sortByPosition(source: SourceFile, diagnostics: Diagnostic[]): Diagnostic[] {
  const keyed = diagnostics.map((diagnostic, index) => ({
    diagnostic,
    index,
    at: source.locate(diagnostic).start,
  }));
  keyed.sort((a, b) => a.at.line - b.at.line || a.at.col - b.at.col || a.index - b.index);
  return keyed.map((entry) => entry.diagnostic);
}
