/**
 * A managed block: the lines saas-gen owns in a file that is otherwise the user's (an ignore
 * file), between two marker lines. `src/sync/merge.ts` finds and updates it.
 */

export const blockBegin = '# >>> saas-gen >>>';
export const blockEnd = '# <<< saas-gen <<<';

/** The block as written: the markers around `body`. */
export function managedBlock(body: string): string {
  return `${blockBegin} kept current by \`saas-gen generate\`; add your own lines outside this block\n${body.endsWith('\n') ? body : `${body}\n`}${blockEnd}\n`;
}
