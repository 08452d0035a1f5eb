/**
 * Renders the artefacts derived from the blueprint schema: the shipped JSON file and the
 * TypeScript types. `write-schema.ts` writes them; `test/schema-lock.test.ts` checks that the
 * committed copies are what these functions produce today.
 */
import { compile } from 'json-schema-to-typescript';
import { format } from 'prettier';
import { blueprintSchema } from '../src/blueprint/schema.js';

export const schemaJsonPath = 'schema/blueprint.schema.json';
export const schemaTypesPath = 'src/blueprint/blueprint-types.generated.ts';

export function renderSchemaJson(): string {
  return `${JSON.stringify(blueprintSchema, null, 2)}\n`;
}

export async function renderSchemaTypes(): Promise<string> {
  const body = await compile(structuredClone(blueprintSchema) as never, 'Blueprint', {
    bannerComment:
      '/* Generated from src/blueprint/schema.ts by `npm run schema:write`. Do not edit. */',
    additionalProperties: false,
    unreachableDefinitions: true,
    strictIndexSignatures: true,
    format: false,
  });
  return format(body, {
    parser: 'typescript',
    singleQuote: true,
    printWidth: 100,
    trailingComma: 'all',
  });
}
