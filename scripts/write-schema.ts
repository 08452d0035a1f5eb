import { writeFile } from 'node:fs/promises';
import {
  renderSchemaJson,
  renderSchemaTypes,
  schemaJsonPath,
  schemaTypesPath,
} from './schema-artifacts.js';

await writeFile(schemaJsonPath, renderSchemaJson());
await writeFile(schemaTypesPath, await renderSchemaTypes());
console.log(`wrote ${schemaJsonPath} and ${schemaTypesPath}`);
