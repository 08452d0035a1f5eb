#!/usr/bin/env node
// Thin entry: the CLI lives in dist/cli (built from src/cli by `npm run build`).
import { run } from '../dist/cli/main.js';
import { colorEnabled } from '../dist/cli/output.js';

const output = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  color: colorEnabled(process.env, Boolean(process.stdout.isTTY) && Boolean(process.stderr.isTTY)),
  interactive: Boolean(process.stderr.isTTY) && !process.env.CI,
};
// A reader that stops early (`saas-gen --help | head -3`) is not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}
process.exitCode = await run(process.argv.slice(2), output);
