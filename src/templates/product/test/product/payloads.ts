/**
 * Payloads a message's JSON Schema accepts, made up from the schema: a domain workflow's start
 * command, say, whatever fields the blueprint gave it.
 */
import { randomUUID } from 'node:crypto';
import type { MessageType } from '../../src/contracts/messages.js';
import { payloadSchemas } from '../../src/contracts/messages.js';

interface FieldSchema {
  readonly type?: string;
  readonly format?: string;
  readonly items?: FieldSchema;
}

/** A value its JSON Schema accepts, for the fields of a start command. */
function sample(schema: FieldSchema): unknown {
  if (schema.type === 'array') return [sample(schema.items ?? {})];
  if (schema.type === 'integer' || schema.type === 'number') return 1;
  if (schema.type === 'boolean') return true;
  if (schema.type === 'object') return {};
  const formats: Record<string, string> = {
    uuid: randomUUID(),
    email: 'someone@example.com',
    uri: 'https://example.com/',
    'date-time': new Date(0).toISOString(),
    date: '2030-01-01',
  };
  return formats[schema.format ?? ''] ?? 'sample';
}

/** A payload of message `type` that its schema accepts. */
export function samplePayload(type: string): Record<string, unknown> {
  const schema = payloadSchemas[type as MessageType] as {
    properties?: Record<string, FieldSchema>;
  };
  return Object.fromEntries(
    Object.entries(schema.properties ?? {}).map(([name, field]) => [name, sample(field)]),
  );
}
