/**
 * A throw-away npm registry with this repository's saas-gen and @saas-gen/runtime published to it.
 *
 * Neither is on the public npm registry, but every generated product pins both (`saas-gen` as a
 * devDependency, so that `npx saas-gen check` in a product runs the generator that made it, and
 * the runtime it runs on): a product's `npm install` needs a registry that has them. This starts
 * Verdaccio on a free port of 127.0.0.1 with its config and storage in a temp directory: both are
 * local only (never looked up upstream, so a name squatted on npmjs.org could not stand in for
 * them), every other package is proxied from https://registry.npmjs.org. Then it packs this
 * repository and its runtime workspace and publishes both tarballs there.
 *
 * As a module: `const registry = await startLocalRegistry(); … registry.env …; await
 * registry.stop()`. As a command, it runs one command against the registry and exits with its code:
 *
 *   tsx scripts/local-registry.ts [--no-build] -- <command> [args...]
 *   tsx scripts/local-registry.ts [--no-build]     (prints the environment, runs until Ctrl-C)
 *
 * `--no-build` packs dist/ as it is, for a caller that has just built it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { constants, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { execa } from 'execa';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const packageName = 'saas-gen';
/** The runtime its products depend on: a workspace of this repository, published with it. */
const runtimePackageName = '@saas-gen/runtime';

export interface LocalRegistry {
  /** The registry's URL, with a trailing slash: `http://127.0.0.1:<port>/`. */
  readonly url: string;
  /** The version of saas-gen published to it (this repository's package.json version). */
  readonly version: string;
  /**
   * What a child process needs on top of its inherited environment to install from the registry
   * (`npm`, `npx`, and `saas-gen new`, which runs `npm install`).
   */
  readonly env: Readonly<Record<string, string>>;
  /** How long starting the server, packing and publishing took. */
  readonly readyInMs: number;
  /** Stops the registry and removes its temp directory; safe to call more than once. */
  stop(): Promise<void>;
}

export interface LocalRegistryOptions {
  /**
   * false: dist/ is fresh (the caller has just run `npm run build`), so pack it without the
   * `prepack` build. Rebuilding it would rewrite dist/ under whatever else is using it.
   */
  readonly build?: boolean;
}

/**
 * The registry process: runs Verdaccio's `runServer` on port 0 and reports the port it got over
 * the IPC channel, so there is no window in which another process can take a port picked for it.
 * It exits as soon as that channel closes, which the OS does whenever the parent goes, however
 * it goes (a failed test, a timeout, SIGKILL): it can never outlive the process that started it.
 * Then it removes the registry's directory too, which a parent killed with SIGKILL cannot; and
 * so it does on a signal of its own.
 */
const serverSource = `
import { rmSync, unlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
const [entry, config] = process.argv.slice(1);
const removeAndExit = () => {
  try {
    unlinkSync(join(dirname(config), 'npm-cache', '_cacache'));
  } catch {}
  rmSync(dirname(config), { recursive: true, force: true });
  process.exit(0);
};
process.on('disconnect', removeAndExit);
// Ctrl-C reaches every process of the terminal's group, this one too: it tidies up as it goes,
// whatever its parent is doing then (packing, say, or already gone).
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, removeAndExit);
const { runServer } = createRequire(entry)(entry);
const server = await runServer(config);
server.on('error', (error) => {
  console.error(error);
  process.exit(1);
});
server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
`;

export async function startLocalRegistry(
  options: LocalRegistryOptions = {},
): Promise<LocalRegistry> {
  const version = (
    JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }
  ).version;
  const started = Date.now();
  const dir = mkdtempSync(join(tmpdir(), 'saas-gen-registry-'));
  let server: ChildProcess | undefined;
  let stopped = false;

  const stopNow = () => {
    if (server && server.exitCode === null && server.signalCode === null) server.kill('SIGKILL');
    removeDir(dir);
  };
  // A caller that exits without stop() (process.exit in a test runner, an uncaught error) still
  // leaves nothing behind. 'exit' listeners run synchronously: no waiting for the server here.
  process.once('exit', stopNow);

  const stop = async () => {
    if (stopped) return;
    stopped = true;
    process.removeListener('exit', stopNow);
    const child = server;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((done) => child.once('exit', done));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
    removeDir(dir);
  };

  try {
    // Packing (a build, unless told not to) does not need the server: both at once.
    const [port, tarballs, npm] = await Promise.all([
      startServer(dir, (child) => (server = child)),
      packBoth(join(dir, 'packed'), options.build !== false),
      npmSettings(),
    ]);
    const url = `http://127.0.0.1:${port}/`;
    const token = await createUser(url);

    // Userconfigs of our own take the place of the user's, so they start as a copy of theirs,
    // whose settings (nodedir, cafile, proxy, …) installs still need. Only publishing carries
    // the token: reads are anonymous, because Verdaccio checks a token's password (bcrypt, a
    // quarter of a second) on every request that carries one, and an install makes hundreds.
    const inherited = existsSync(npm.userconfig) ? readFileSync(npm.userconfig, 'utf8') : '';
    const local = `${inherited}\n# the local registry\nregistry=${url}\n`;
    const userconfig = join(dir, 'npmrc');
    writeFileSync(userconfig, local, { mode: 0o600 });
    const publishing = join(dir, 'npmrc-publish');
    writeFileSync(publishing, `${local}//127.0.0.1:${port}/:_authToken=${token}\n`, {
      mode: 0o600,
    });

    // npm's content cache is shared with the user's, so the tarballs of the products'
    // dependencies are downloaded once, not once per registry. npx's cache is not: it keys an
    // install by the spec alone, so `npx saas-gen@0.2.0` would run whatever an earlier
    // registry published as 0.2.0 (an earlier build) instead of this one's.
    const cache = join(dir, 'npm-cache');
    mkdirSync(cache);
    mkdirSync(join(npm.cache, '_cacache'), { recursive: true });
    symlinkSync(realpathSync(join(npm.cache, '_cacache')), join(cache, '_cacache'), 'dir');

    const env = {
      npm_config_registry: url,
      npm_config_userconfig: userconfig,
      npm_config_cache: cache,
      // Logs stay where npm's messages say they are once the registry's directory is gone.
      npm_config_logs_dir: join(npm.cache, '_logs'),
    };
    // From the temp directory: in the repository, npm would read its .npmrc, if it had one.
    // The runtime first: the generator's products depend on it at the same version.
    for (const tarball of tarballs)
      await run('npm', ['publish', tarball, '--access', 'public'], {
        cwd: dir,
        env: { ...env, npm_config_userconfig: publishing },
      });
    return { url, version, env, readyInMs: Date.now() - started, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Starts Verdaccio (see serverSource) with a config of its own in `dir`; resolves to its port. */
async function startServer(dir: string, started: (child: ChildProcess) => void): Promise<number> {
  const configFile = join(dir, 'config.yaml');
  // JSON is YAML: Verdaccio reads this as its config.yaml.
  writeFileSync(
    configFile,
    JSON.stringify(
      {
        storage: join(dir, 'storage'),
        auth: { htpasswd: { file: join(dir, 'htpasswd') } },
        web: { enable: false },
        // `npm install` audits unless told not to; answer it as npmjs.org would.
        middlewares: { audit: { enabled: true } },
        uplinks: {
          npmjs: {
            url: 'https://registry.npmjs.org/',
            timeout: '60s',
            // The default (2 failures, then 5 minutes offline) would turn one slow moment of
            // the network into minutes of failed installs.
            max_fails: 20,
            fail_timeout: '10s',
            // Tarballs are streamed through, not kept: npm's own cache keeps them.
            cache: false,
            agent_options: { keepAlive: true, maxSockets: 40 },
          },
        },
        // The first pattern that matches a package name applies.
        packages: {
          [packageName]: { access: '$all', publish: '$authenticated' },
          [runtimePackageName]: { access: '$all', publish: '$authenticated' },
          '**': { access: '$all', proxy: 'npmjs' },
        },
        // SAAS_GEN_REGISTRY_LOG=http logs every request, and each one it sends upstream.
        log: {
          type: 'stdout',
          format: 'pretty',
          level: process.env.SAAS_GEN_REGISTRY_LOG || 'warn',
        },
      },
      null,
      2,
    ),
  );
  const verdaccioEntry = createRequire(import.meta.url).resolve('verdaccio');
  const child = spawn(
    process.execPath,
    ['--input-type=module', '-e', serverSource, verdaccioEntry, configFile],
    { stdio: ['ignore', 'pipe', 'pipe', 'ipc'] },
  );
  started(child);
  const output = captureOutput(child);
  return new Promise<number>((resolvePort, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`Verdaccio did not start within 30 s:\n${output()}`)),
      30_000,
    );
    child.once('message', (message: { port: number }) => {
      clearTimeout(timer);
      resolvePort(message.port);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`Verdaccio exited (${signal ?? `code ${code}`}) on start:\n${output()}`));
    });
  });
}

/**
 * npm publishes only with a token for the registry: Verdaccio creates a user (htpasswd,
 * registration open) and hands out one for it, as it does for `npm adduser`.
 */
async function createUser(url: string): Promise<string> {
  const user = `${packageName}-publisher`;
  const response = await fetch(`${url}-/user/org.couchdb.user:${user}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: user, password: randomBytes(24).toString('hex') }),
  });
  const body = await response.text();
  const token = response.ok ? (JSON.parse(body) as { token?: string }).token : undefined;
  if (!token) throw new Error(`Verdaccio did not create a user: HTTP ${response.status} ${body}`);
  return token;
}

/**
 * `npm pack`s the runtime workspace and this repository into `destination`; returns the runtime's
 * tarball, then saas-gen's. saas-gen's `prepack` builds both (`npm run build`), so the runtime is
 * packed after it, without a build of its own.
 */
async function packBoth(destination: string, build: boolean): Promise<[string, string]> {
  mkdirSync(destination);
  const tarballs = () => new Set(readdirSync(destination).filter((name) => name.endsWith('.tgz')));
  const packed = async (cwd: string, scripts: boolean): Promise<string> => {
    const before = tarballs();
    await run(
      'npm',
      ['pack', '--pack-destination', destination, ...(scripts ? [] : ['--ignore-scripts'])],
      { cwd },
    );
    const [tarball] = [...tarballs()].filter((name) => !before.has(name));
    if (!tarball) throw new Error(`npm pack in ${cwd} wrote no tarball to ${destination}`);
    return join(destination, tarball);
  };
  const generator = await packed(repoRoot, build);
  const runtime = await packed(join(repoRoot, 'runtime'), false);
  return [runtime, generator];
}

/** The user's npm cache and userconfig, as npm resolves them (flags, environment, npmrc files). */
async function npmSettings(): Promise<{ cache: string; userconfig: string }> {
  const { stdout } = await run('npm', ['config', 'get', 'cache', 'userconfig']);
  const values = Object.fromEntries(
    stdout
      .split('\n')
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
  if (!values.cache || !values.userconfig)
    throw new Error(`unexpected \`npm config get\` output: ${stdout}`);
  return { cache: resolve(values.cache), userconfig: resolve(values.userconfig) };
}

/** Runs npm quietly; on failure, throws with everything it printed. */
async function run(
  file: string,
  args: readonly string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
) {
  const result = await execa(file, args, {
    ...options,
    all: true,
    reject: false,
    stdin: 'ignore',
  });
  if (result.exitCode !== 0)
    throw new Error(
      `\`${file} ${args.join(' ')}\` failed (exit ${result.exitCode}):\n${result.all}`,
    );
  return result;
}

/**
 * Verdaccio logs only warnings and errors: they go to this process's stderr as they come (a
 * failed install is easier to explain with them), and the last of them into startup errors.
 */
function captureOutput(child: ChildProcess): () => string {
  let tail = '';
  const take = (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    tail = (tail + text).slice(-8000);
    process.stderr.write(text.replace(/^(?=.)/gm, '[local registry] '));
  };
  child.stdout?.on('data', take);
  child.stderr?.on('data', take);
  return () => tail.trim() || '(no output)';
}

function removeDir(dir: string): void {
  // Remove the link to the user's npm cache first: nothing below may reach into the cache.
  const link = join(dir, 'npm-cache', '_cacache');
  try {
    unlinkSync(link);
  } catch {
    // not created yet
  }
  rmSync(dir, { recursive: true, force: true });
}

/** `tsx scripts/local-registry.ts [--no-build] [-- <command...>]` */
async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { 'no-build': { type: 'boolean', default: false } },
    allowPositionals: true,
  });
  // From the first moment: a signal while packing (a build can take a minute) must still end in
  // stop(), not in the default exit that skips it and leaves the registry's folder behind.
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  let interrupted: NodeJS.Signals | undefined;
  let onSignal: (signal: NodeJS.Signals) => void = (signal) => {
    interrupted ??= signal;
  };
  for (const signal of signals) process.on(signal, (name) => onSignal(name));
  const registry = await startLocalRegistry({ build: !values['no-build'] });
  if (interrupted) {
    await registry.stop();
    return 128 + (constants.signals[interrupted] ?? 0);
  }
  console.error(
    `saas-gen and @saas-gen/runtime ${registry.version} published on ${registry.url} (ready in ${registry.readyInMs} ms)`,
  );
  try {
    if (positionals.length === 0) {
      for (const [key, value] of Object.entries(registry.env))
        console.log(`export ${key}='${value}'`);
      console.log('Ctrl-C stops the registry.');
      await new Promise<void>((done) => {
        onSignal = () => done();
      });
      return 0;
    }
    const [command, ...args] = positionals as [string, ...string[]];
    const child = execa(command, args, { env: registry.env, stdio: 'inherit', reject: false });
    // This process stays to stop the registry once the command is over: a signal is passed on
    // to the command instead of ending this process (Ctrl-C reaches the command anyway).
    onSignal = (signal) => {
      child.kill(signal);
    };
    const result = await child;
    if (result.exitCode !== undefined) return result.exitCode;
    if (result.signal) return 128 + (constants.signals[result.signal] ?? 0);
    console.error(result.message); // it did not start
    return 127;
  } finally {
    await registry.stop();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    },
  );
}
