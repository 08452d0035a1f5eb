/**
 * The blueprint's modeline: the first-line comment through which yaml-language-server (and so
 * most editors) finds the blueprint's JSON Schema. Inside a product it points at the schema of the
 * pinned saas-gen in `node_modules`, so that it resolves wherever the product is checked out.
 */

export const modelinePrefix = '# yaml-language-server: $schema=';

const modeline = /^#\s*yaml-language-server:\s*\$schema=(\S*)\s*$/;

export interface Modeline {
  readonly text: string;
  /** `kept`: it pointed there already; `rewritten`: it pointed at `was`; `added`: there was none. */
  readonly change: 'kept' | 'rewritten' | 'added';
  readonly was?: string;
}

/** `text` with a modeline pointing at `schema`, in the leading comment block or added on top. */
export function withModeline(text: string, schema: string): Modeline {
  const lines = text.split('\n');
  for (const [index, line] of lines.entries()) {
    if (!line.trimStart().startsWith('#')) break;
    const match = modeline.exec(line.trim());
    if (!match) continue;
    if (match[1] === schema) return { text, change: 'kept' };
    lines[index] = `${modelinePrefix}${schema}${line.endsWith('\r') ? '\r' : ''}`;
    return { text: lines.join('\n'), change: 'rewritten', was: match[1] ?? '' };
  }
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  return { text: `${modelinePrefix}${schema}${eol}${text}`, change: 'added' };
}
