/**
 * `npm install` in a new product, with its progress shown. npm's own lines (warnings, the summary)
 * are shown as they come; a dependency's install script, which for a native module without a
 * prebuilt binary for this platform is a compiler run of a hundred lines or more, is one line with
 * its elapsed time. Everything npm and the scripts print goes to a log file, named at the end and
 * quoted on failure. On a terminal a status line below is redrawn with the elapsed time; elsewhere
 * (CI, a pipe) a line comes every 30 s of silence.
 *
 * An interrupted install (InterruptWatch) stops npm and every process it started, then removes
 * what it had installed: a half-built native module would otherwise look installed to the next
 * `npm install`, which would then say "up to date".
 */
import { createWriteStream, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { execa } from 'execa';
import { Interrupted, UserError } from './errors.js';
import type { InterruptWatch } from './interrupt.js';
import { paint } from './output.js';
import type { Output } from './output.js';

const frames = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export const elapsed = (ms: number): string => {
  const seconds = Math.floor(ms / 1000);
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
};

/** `> better-sqlite3@12.4.1 install`: npm starts a dependency's script (with --foreground-scripts). */
const scriptHeader = /^> ((?:@[^@\s/]+\/)?[^@\s]+)@(\S+) (preinstall|install|postinstall)$/;
/** What builds a native module (or fetches a prebuilt one first). */
const nativeBuilder = /\b(node-gyp|prebuild-install|node-pre-gyp|cmake-js|node-gyp-build)\b/;

interface Script {
  readonly name: string;
  readonly started: number;
  /** Its command, the line after the header; unknown until npm prints it. */
  command?: string;
  native: boolean;
  failed: boolean;
}

/**
 * Installs the product's dependencies; returns how long it took, in seconds. Throws Interrupted
 * once `interrupts` sees a signal, with npm stopped and the partial install removed.
 */
export async function installDependencies(
  root: string,
  output: Output,
  interrupts?: InterruptWatch,
): Promise<number> {
  const started = Date.now();
  const phase = 'installing dependencies (npm install)';
  const logFile = join(
    tmpdir(),
    `saas-gen-install-${basename(root)}-${new Date(started).toISOString().replace(/[:.]/g, '-')}.log`,
  );
  const log = createWriteStream(logFile);
  const tail: string[] = [];
  let script: Script | undefined;
  let lastPrinted = Date.now();
  // What an interrupted install removes: only what was not there before it.
  const created = ['node_modules', 'package-lock.json'].filter(
    (path) => !existsSync(join(root, path)),
  );

  const status = () => {
    const now = Date.now();
    const doing = script
      ? `${script.native ? 'building' : 'running the install script of'} ${script.name} ${elapsed(now - script.started)}`
      : `${phase} ${elapsed(now - started)}`;
    return `${frames[Math.floor((now - started) / 100) % frames.length]} ${doing}`;
  };
  const redraw = () => {
    const width = Math.max(20, (process.stderr.columns || 100) - 1);
    output.err(`\r\u001b[2K${status().slice(0, width)}`);
  };
  const say = (text: string) => {
    if (output.interactive) output.err('\r\u001b[2K');
    output.err(`  ${paint(output, 'dim', '│')} ${text}\n`);
    if (output.interactive) redraw();
    lastPrinted = Date.now();
  };
  const endScript = () => {
    if (!script) return;
    const took = elapsed(Date.now() - script.started);
    say(
      stopping
        ? `${script.name}: stopped after ${took}`
        : script.failed
          ? `${script.name}: its install script failed after ${took}`
          : `${script.name}: ${script.native ? 'native module built' : 'install script done'} in ${took}`,
    );
    script = undefined;
  };

  output.err(`${paint(output, 'dim', '…')} ${phase}\n`);
  const ticker = setInterval(() => {
    if (output.interactive) redraw();
    else if (Date.now() - lastPrinted >= 30_000) {
      output.err(`  … still ${status().slice(2)}\n`);
      lastPrinted = Date.now();
    }
  }, 100);
  // Its own process group, so that stopping it stops the compilers its scripts started, too.
  const child = execa('npm', ['install', '--no-audit', '--no-fund', '--foreground-scripts'], {
    cwd: root,
    reject: false,
    all: true,
    buffer: false,
    stdin: 'ignore',
    detached: true,
    env: { npm_config_update_notifier: 'false' },
  });
  // npm's five-line EBADENGINE warning, one line per package: `x@1 needs node >=22 (this is v20…)`.
  let engineWarning: string[] | undefined;
  let stopping: Promise<void> | undefined;
  const stopWatching = interrupts?.onInterrupt(() => {
    stopping ??= stopProcessGroup(child.pid);
  });
  try {
    for await (const line of child.iterable({ from: 'all' })) {
      const text = String(line).trimEnd();
      log.write(`${text}\n`);
      if (text === '' || stopping) continue;
      tail.push(text);
      if (tail.length > 30) tail.shift();
      if (text.startsWith('npm warn EBADENGINE')) {
        const body = text.slice('npm warn EBADENGINE'.length).trim();
        if (body.endsWith('{') && !engineWarning) engineWarning = [];
        else if (body === '}' && engineWarning) {
          say(engineLine(engineWarning.join(' ')));
          engineWarning = undefined;
        } else if (engineWarning) engineWarning.push(body);
        else say(text);
        continue;
      }
      const header = scriptHeader.exec(text);
      if (header) {
        endScript();
        script = {
          name: `${header[1]}@${header[2]}`,
          started: Date.now(),
          native: false,
          failed: false,
        };
      } else if (script && script.command === undefined && text.startsWith('> ')) {
        script.command = text.slice(2);
        script.native = nativeBuilder.test(script.command);
        if (script.native)
          say(`${script.name}: building its native module (its output goes to the log)`);
      } else if (script && /^npm (error|ERR!)/.test(text)) {
        script.failed = true;
        endScript();
        say(text);
      } else if (script && /^(npm |added \d|removed \d|changed \d|up to date)/.test(text)) {
        endScript();
        say(text);
      } else if (!script) say(text);
    }
    const result = await child;
    endScript();
    if (output.interactive) output.err('\r\u001b[2K');
    if (stopping) {
      await stopping;
      for (const path of created) rmSync(join(root, path), { recursive: true, force: true });
      throw new Interrupted(
        interrupts!.signal!,
        `npm install was stopped; what it had installed is removed (${created.join(', ') || 'nothing'}), the product's files are all there. ` +
          `To finish: cd ${root} && npm install`,
      );
    }
    if (result.exitCode !== 0) {
      throw new UserError(
        `npm install failed in ${root} (exit ${result.exitCode}):\n${tail.join('\n')}\n` +
          `npm's full output: ${logFile}\n` +
          'The product was written; run `npm install` there once the problem is fixed.',
      );
    }
  } finally {
    clearInterval(ticker);
    stopWatching?.();
    await new Promise((done) => log.end(done));
  }
  const seconds = (Date.now() - started) / 1000;
  output.err(
    `${paint(output, 'bold', '✓')} dependencies installed in ${elapsed(Date.now() - started)} (${seconds.toFixed(1)} s); npm's full output: ${logFile}\n`,
  );
  return seconds;
}

/** `package: 'cookie@2.0.2', required: { node: '>=22' }, current: { node: 'v20.20.2', … }` in a line. */
function engineLine(block: string): string {
  const found = (pattern: RegExp) => pattern.exec(block)?.[1];
  const name = found(/package: '([^']+)'/);
  const required = found(/required: \{ node: '([^']+)'/);
  const current = found(/current: \{ node: '([^']+)'/);
  return name && required && current
    ? `npm warn EBADENGINE ${name} needs node ${required} (this is ${current})`
    : `npm warn EBADENGINE ${block}`;
}

/** SIGTERM to a process group, SIGKILL to what is left of it after 5 s; resolves once it is gone. */
async function stopProcessGroup(pid: number | undefined): Promise<void> {
  if (pid === undefined) return;
  const signal = (name: NodeJS.Signals | 0): boolean => {
    try {
      process.kill(-pid, name);
      return true;
    } catch {
      return false; // ESRCH: none of the group is left
    }
  };
  if (!signal('SIGTERM')) return;
  const started = Date.now();
  // Bounded: a process of the group that ignores even SIGKILL (stuck in the kernel) is left.
  while (signal(0) && Date.now() - started < 15_000) {
    if (Date.now() - started > 5_000) signal('SIGKILL');
    await new Promise((done) => setTimeout(done, 50));
  }
}
