import { describe, expect, it } from 'vitest';
import { newTenantId, startEnvelope } from '../../src/contracts/envelope.js';
import { messageCatalog } from '../../src/contracts/messages.js';
import { createMessageValidator } from '../../src/runtime/validation.js';

const validate = createMessageValidator(messageCatalog);

const registered = startEnvelope({
  type: 'TenantRegistered',
  payload: {
    slug: 'acme',
    name: 'Acme',
    edition: 'free',
    ownerEmail: 'ada@example.com',
    ownerName: 'Ada',
  },
  tenantId: newTenantId(),
  occurredAt: new Date('2030-01-01T00:00:00Z'),
});

describe('message validation', () => {
  it('accepts a well-formed message', () => {
    expect(validate(registered)).toEqual({ ok: true, message: registered });
  });

  it.each([
    ['not an object', 'hello', '/ must be object'],
    [
      'a missing field',
      { ...registered, correlationId: undefined },
      "must have required property 'correlationId'",
    ],
    ['an unknown field', { ...registered, extra: 1 }, 'must NOT have additional properties'],
    [
      'an eventId that is not a uuid',
      { ...registered, eventId: 'e-1' },
      '/eventId must match format "uuid"',
    ],
    [
      'an unknown type',
      { ...registered, type: 'TenantRegistred' },
      '/type must be equal to one of the allowed values',
    ],
    [
      'a version the product does not know',
      { ...registered, version: 2 },
      '/version is 2; TenantRegistered is at version 1',
    ],
    [
      'a version that is not an integer',
      { ...registered, version: 1.5 },
      '/version must be integer',
    ],
    [
      'an occurredAt that is not a date-time',
      { ...registered, occurredAt: 'yesterday' },
      '/occurredAt must match format "date-time"',
    ],
    [
      'a tenantId that is not a uuid',
      { ...registered, tenantId: 'acme' },
      '/tenantId must match format "uuid"',
    ],
    [
      'an empty causationId',
      { ...registered, causationId: '' },
      '/causationId must NOT have fewer than 1 characters',
    ],
    ['a malformed traceId', { ...registered, traceId: 'trace' }, '/traceId must match pattern'],
    [
      'an all-zero trace id',
      { ...registered, traceId: `00-${'0'.repeat(32)}-${'a'.repeat(16)}-01` },
      '/traceId is not a valid W3C traceparent',
    ],
    [
      'a payload field of the wrong format',
      { ...registered, payload: { ...registered.payload, ownerEmail: 'ada' } },
      '/payload/ownerEmail must match format "email"',
    ],
    [
      'a payload without a required field',
      { ...registered, payload: { slug: 'acme' } },
      "/payload must have required property 'name'",
    ],
  ])('rejects %s', (_, value, error) => {
    const result = validate(value);
    expect(result.ok).toBe(false);
    expect(result.ok ? [] : result.errors.join('\n')).toContain(error);
  });
});
