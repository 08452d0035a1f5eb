/** Doc comments wrapped the way Prettier leaves hand-written ones: within the print width. */

const printWidth = 100;

/** `/** text *\/` on one line when it fits, else one ` * ` line per wrapped line. */
export function docComment(text: string, indent = 0): string {
  const pad = ' '.repeat(indent);
  const single = `${pad}/** ${text} */`;
  if (single.length <= printWidth) return single;
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && `${pad} * ${line} ${word}`.length > printWidth) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return [`${pad}/**`, ...lines.map((l) => `${pad} * ${l}`), `${pad} */`].join('\n');
}
