/**
 * Our own environment variables, next to the runtime's (`DATABASE_URL`, `BUS_URL`, … in
 * docs/reference.md). This file is ours: saas-gen wrote it once and will never overwrite it.
 * `src/main.ts` reads them with `loadEnv(teamEnv)` at start; a missing or malformed one stops the
 * product with `configuration error: NAME …`, naming it and never printing its value.
 */
import { env } from '@saas-gen/runtime';
import type { EnvSchema } from '@saas-gen/runtime';

export const teamEnv = {
  WAREHOUSE_URL: env.url({ description: 'the warehouse service that keeps the workspaces' }),
} satisfies EnvSchema;
