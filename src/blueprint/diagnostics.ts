/** Problems found in a blueprint, as data. Positions are resolved from `pointer` only when printed. */

export type Severity = 'error' | 'warning';

export interface Diagnostic {
  /** Stable, documented code, e.g. `unknown-event`. */
  readonly code: string;
  readonly severity: Severity;
  /** What is wrong and, where it helps, how to fix it. */
  readonly message: string;
  /** JSON pointer (RFC 6901) into the blueprint; `''` is the whole document. */
  readonly pointer: string;
  /** Whether the diagnostic is about a mapping key rather than its value. */
  readonly target?: 'key' | 'value';
  readonly hint?: string;
  /** Other places involved (the other emitter of a duplicate event, …). */
  readonly related?: readonly { readonly pointer: string; readonly message: string }[];
  /** Set when the problem has no pointer: a YAML syntax error knows its offset only. */
  readonly offset?: number;
}

export type Result<T> =
  | { readonly ok: true; readonly value: T; readonly diagnostics: readonly Diagnostic[] }
  | { readonly ok: false; readonly diagnostics: readonly Diagnostic[] };

export const hasErrors = (diagnostics: readonly Diagnostic[]): boolean =>
  diagnostics.some((d) => d.severity === 'error');

export function pointerOf(path: readonly (string | number)[]): string {
  return path
    .map((segment) => `/${String(segment).replace(/~/g, '~0').replace(/\//g, '~1')}`)
    .join('');
}

export function pathOf(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** Optimal string alignment distance: Levenshtein plus adjacent transpositions. */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) =>
    Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, d[i - 2]![j - 2]! + 1);
      }
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

/** The closest candidate, if it is close enough to be a plausible misspelling. */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  const lower = word.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    if (candidate === word) continue;
    const distance = editDistance(lower, candidate.toLowerCase());
    const limit = Math.max(1, Math.min(3, Math.floor(Math.max(word.length, candidate.length) / 3)));
    if (distance <= limit && distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

export const didYouMean = (word: string, candidates: Iterable<string>): string => {
  const suggestion = closest(word, candidates);
  return suggestion === undefined ? '' : ` — did you mean \`${suggestion}\`?`;
};
