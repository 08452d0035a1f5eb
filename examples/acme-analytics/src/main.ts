/**
 * Starts Acme Analytics: the composition root. This file is ours: saas-gen wrote it once and
 * will never overwrite it. It reads the configuration (the runtime's and ours, src/env.ts), builds
 * the warehouse client the analytics handlers need, and adds one route of our own.
 */
import { ConfigError, createApp, loadConfig, loadEnv } from '@saas-gen/runtime';
import { teamEnv } from './env.js';
import { productDefinition } from './product.js';
import { productHandlers } from './services/registry.js';
import { httpWarehouse } from './warehouse.js';

async function main(): Promise<void> {
  const config = loadConfig();
  const env = loadEnv(teamEnv);
  const handlers = productHandlers({
    analytics: { warehouse: httpWarehouse(env.WAREHOUSE_URL) },
    storage: {},
  });
  const app = createApp(config, { product: productDefinition, handlers });
  // Which warehouse this process talks to, for the operators (no credentials in it).
  app.server.get('/status/warehouse', async () => ({ origin: env.WAREHOUSE_URL.origin }));
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.server.log.info({ signal }, 'shutting down: finishing in-flight work');
    app.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  await app.start();
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) console.error(`configuration error: ${error.message}`);
  else console.error(error);
  process.exit(1);
});
