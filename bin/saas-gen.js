#!/usr/bin/env node
// Thin entry: the CLI lives in dist/cli (built from src/cli by `npm run build`).
import { run } from '../dist/cli/main.js';

const color = (stream) => Boolean(stream.isTTY) && !('NO_COLOR' in process.env);
const output = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  color: color(process.stdout) && color(process.stderr),
};
process.exitCode = await run(process.argv.slice(2), output);
