/**
 * `npm install` in a new product, with its progress shown: on a terminal, one line redrawn with
 * the elapsed time and the last thing npm said; elsewhere (CI, a pipe), npm's lines as they come,
 * with a line every 30 s of silence. Install scripts run in the foreground, so that a native
 * module's build says what it is doing instead of going quiet for a minute.
 */
import { execa } from 'execa';
import { UserError } from './errors.js';
import { paint } from './output.js';
import type { Output } from './output.js';

const frames = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export const elapsed = (ms: number): string => {
  const seconds = Math.floor(ms / 1000);
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
};

/** Installs the product's dependencies; returns how long it took, in seconds. */
export async function installDependencies(root: string, output: Output): Promise<number> {
  const started = Date.now();
  const phase = 'installing dependencies (npm install)';
  const tail: string[] = [];
  let last = '';
  let lastPrinted = Date.now();
  const redraw = () => {
    const width = Math.max(20, (process.stderr.columns || 100) - 1);
    const status = `${frames[Math.floor((Date.now() - started) / 100) % frames.length]} ${phase} ${elapsed(Date.now() - started)}${last ? ` · ${last}` : ''}`;
    output.err(`\r\u001b[2K${status.slice(0, width)}`);
  };
  output.err(`${paint(output, 'dim', '…')} ${phase}\n`);
  const ticker = setInterval(() => {
    if (output.interactive) redraw();
    else if (Date.now() - lastPrinted >= 30_000) {
      output.err(`  … still installing (${elapsed(Date.now() - started)})\n`);
      lastPrinted = Date.now();
    }
  }, 100);
  try {
    const child = execa('npm', ['install', '--no-audit', '--no-fund', '--foreground-scripts'], {
      cwd: root,
      reject: false,
      all: true,
      buffer: false,
      stdin: 'ignore',
      env: { npm_config_update_notifier: 'false' },
    });
    for await (const line of child.iterable({ from: 'all' })) {
      const text = String(line).trimEnd();
      if (text === '') continue;
      tail.push(text);
      if (tail.length > 20) tail.shift();
      last = text.replace(/\s+/g, ' ');
      if (!output.interactive) {
        output.err(`  ${paint(output, 'dim', '│')} ${text}\n`);
        lastPrinted = Date.now();
      }
    }
    const result = await child;
    if (output.interactive) output.err('\r\u001b[2K');
    if (result.exitCode !== 0) {
      throw new UserError(
        `npm install failed in ${root} (exit ${result.exitCode}):\n${tail.join('\n')}\n` +
          'The product was written; run `npm install` there once the problem is fixed.',
      );
    }
  } finally {
    clearInterval(ticker);
  }
  const seconds = (Date.now() - started) / 1000;
  output.err(
    `${paint(output, 'bold', '✓')} dependencies installed in ${elapsed(Date.now() - started)} (${seconds.toFixed(1)} s)\n`,
  );
  return seconds;
}
