/**
 * Request validation. Bodies are JSON and must have the right types as they are: `"name": 42`
 * is an error, not the string "42". Query strings, path parameters and headers are text, so
 * they are coerced (`?limit=5` is the number 5). One Ajv for each, both with formats (uuid,
 * email, …), both reporting every error at once.
 */
import { Ajv } from 'ajv';
import type { AnySchemaObject } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';

// ajv-formats is CommonJS: under NodeNext its default export arrives wrapped.
const addFormats = addFormatsModule.default;

function ajv(coerceTypes: false | 'array'): Ajv {
  const instance = new Ajv({
    allErrors: true,
    coerceTypes,
    removeAdditional: false,
    useDefaults: true,
    // The schemas carry OpenAPI annotations (description) that strict mode would reject.
    strict: false,
  });
  addFormats(instance);
  return instance;
}

const bodies = ajv(false);
const text = ajv('array');

export const validatorCompiler: FastifySchemaCompiler<AnySchemaObject> = ({ schema, httpPart }) =>
  (httpPart === 'body' ? bodies : text).compile(schema);
