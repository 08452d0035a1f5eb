import { blueprintSchema } from '../../blueprint/schema.js';
import type { Output } from '../output.js';

/** `saas-gen schema`: the blueprint JSON Schema, byte for byte the shipped file. */
export function schemaCommand(output: Output): void {
  output.out(`${JSON.stringify(blueprintSchema, null, 2)}\n`);
}
