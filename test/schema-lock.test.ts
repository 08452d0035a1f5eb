import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  renderSchemaJson,
  renderSchemaTypes,
  schemaJsonPath,
  schemaTypesPath,
} from '../scripts/schema-artifacts.js';

// The schema is written once, in src/blueprint/schema.ts. These files are derived from it; when a
// test here fails, run `npm run schema:write` and review the diff.
describe('artefacts derived from the blueprint schema', () => {
  it('the shipped JSON Schema is up to date', () => {
    expect(readFileSync(schemaJsonPath, 'utf8')).toBe(renderSchemaJson());
  });

  it('the TypeScript types are up to date', async () => {
    expect(readFileSync(schemaTypesPath, 'utf8')).toBe(await renderSchemaTypes());
  });
});
