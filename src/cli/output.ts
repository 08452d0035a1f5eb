/** Where commands write. Tests pass their own sink; `main.ts` passes the process streams. */
export interface Output {
  out(text: string): void;
  err(text: string): void;
  /** Whether `err`/`out` may carry ANSI colours. */
  readonly color: boolean;
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
