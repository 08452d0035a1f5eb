/**
 * A worker thread that formats the share of a batch it is sent with Prettier, while the main
 * thread formats the rest: a new product's Markdown and YAML take as long as its TypeScript, and
 * the machine has a second core.
 */
import { parentPort } from 'node:worker_threads';
import { formatWithPrettier } from '../generators/format.js';
import type { FormatJob } from '../generators/format.js';

parentPort?.once('message', (jobs: FormatJob[]) => {
  formatWithPrettier(jobs).then(
    (formatted) => parentPort?.postMessage({ formatted }),
    (error: unknown) => parentPort?.postMessage({ error: (error as Error).message }),
  );
});
