/**
 * A worker thread that loads ts-morph as soon as it starts and builds the handler contracts it
 * is sent, while the main thread renders and formats the rest of the product.
 */
import { parentPort } from 'node:worker_threads';
import { renderHandlerContracts } from '../generators/handler-contracts.js';
import type { ContractJob } from '../generators/handler-contracts.js';

parentPort?.once('message', (jobs: ContractJob[]) => {
  parentPort?.postMessage(renderHandlerContracts(jobs));
});
