/**
 * Validates messages against the envelope and the JSON Schema of their payload. Every message is
 * checked when it is published and when it is consumed: an invalid one is dead-lettered, never
 * half-applied. Validation is on the hot path: the schemas are compiled once, to functions.
 */
import { Ajv } from 'ajv';
import type { AnySchemaObject, ErrorObject, ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { isTraceParent } from '../contracts/envelope.js';
import type { KnownMessage, MessageCatalog, MessageType } from './messages.js';

export type ValidationResult =
  | { readonly ok: true; readonly message: KnownMessage }
  | { readonly ok: false; readonly errors: string[] };

export type MessageValidator = (value: unknown) => ValidationResult;

// ajv-formats is CommonJS: under NodeNext its default export arrives wrapped.
const addFormats = addFormatsModule.default;

const envelopeSchema = (types: readonly MessageType[]): AnySchemaObject => ({
  type: 'object',
  additionalProperties: false,
  required: [
    'eventId',
    'type',
    'version',
    'occurredAt',
    'tenantId',
    'correlationId',
    'causationId',
    'traceId',
    'payload',
  ],
  properties: {
    eventId: { type: 'string', format: 'uuid' },
    type: { enum: types },
    version: { type: 'integer', minimum: 1 },
    occurredAt: { type: 'string', format: 'date-time' },
    tenantId: { type: 'string', format: 'uuid' },
    correlationId: { type: 'string', minLength: 1, maxLength: 200 },
    causationId: { type: 'string', minLength: 1, maxLength: 200 },
    traceId: { type: 'string', pattern: '^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$' },
    payload: {},
  },
});

const describe = (errors: ErrorObject[] | null | undefined, prefix = ''): string[] =>
  (errors ?? []).map((error) => `${prefix + error.instancePath || '/'} ${error.message ?? ''}`);

const compiled = new WeakMap<MessageCatalog, MessageValidator>();

/**
 * The validator of a catalog's messages. Compiling the schemas takes tens of milliseconds, so it
 * happens once per catalog and process, on first use; every runtime (and test) shares the result.
 */
export function createMessageValidator(catalog: MessageCatalog): MessageValidator {
  let validator = compiled.get(catalog);
  if (!validator) {
    validator = compile(catalog);
    compiled.set(catalog, validator);
  }
  return validator;
}

function compile({ versions, payloadSchemas }: MessageCatalog): MessageValidator {
  const types = Object.keys(payloadSchemas) as MessageType[];
  const ajv = new Ajv({ allErrors: true });
  addFormats(ajv, ['uuid', 'email', 'uri', 'date-time', 'date']);
  const envelope = ajv.compile(envelopeSchema(types));
  const payloads = new Map<string, ValidateFunction>(
    types.map((type) => [type, ajv.compile(payloadSchemas[type] as AnySchemaObject)]),
  );

  return (value) => {
    if (!envelope(value)) return { ok: false, errors: describe(envelope.errors) };
    const message = value as KnownMessage;
    const errors: string[] = [];
    const expected = versions[message.type];
    if (message.version !== expected) {
      errors.push(`/version is ${message.version}; ${message.type} is at version ${expected}`);
    }
    // The pattern cannot express W3C's rule that all-zero trace and span ids are invalid.
    if (!isTraceParent(message.traceId)) errors.push('/traceId is not a valid W3C traceparent');
    const payload = payloads.get(message.type);
    if (payload && !payload(message.payload)) errors.push(...describe(payload.errors, '/payload'));
    return errors.length === 0 ? { ok: true, message } : { ok: false, errors };
  };
}
