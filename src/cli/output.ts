/** Where commands write. Tests pass their own sink; `bin/saas-gen.js` passes the process streams. */
export interface Output {
  // Function properties, not methods: they are handed around on their own (to commander, say).
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** Whether `err`/`out` may carry ANSI colours. */
  readonly color: boolean;
  /** Whether `err` is a terminal a person watches: progress may redraw a line there. */
  readonly interactive?: boolean;
}

const codes = {
  red: [31, 39],
  yellow: [33, 39],
  cyan: [36, 39],
  dim: [2, 22],
  bold: [1, 22],
} as const;
export type Style = keyof typeof codes;

export const paint = (output: Pick<Output, 'color'>, style: Style, text: string): string =>
  output.color ? `\u001b[${codes[style][0]}m${text}\u001b[${codes[style][1]}m` : text;

/**
 * Colour when the streams are terminals, unless `NO_COLOR` is set to anything but the empty
 * string (no-color.org); `FORCE_COLOR` set to anything but the empty string, `0` or `false`
 * forces it, even into a pipe, and wins over `NO_COLOR` (as in Node.js itself).
 */
export function colorEnabled(
  env: Readonly<Record<string, string | undefined>>,
  terminals: boolean,
): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== '') return force !== '0' && force !== 'false';
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return terminals;
}
