/** Payloads the fixture product's schemas accept, from the test kit's `samplePayload`. */
import { productDefinition } from '../../src/product.js';
import { samplePayload as sampleOf } from '../../src/testing/index.js';

/** A payload of message `type` that its schema accepts. */
export const samplePayload = (type: string): Record<string, unknown> =>
  sampleOf(productDefinition, type);
