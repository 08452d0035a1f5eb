import { describe, expect, it } from 'vitest';
import { inline } from '../../src/runtime/postgres-batch.js';

describe('inline (values written into held PostgreSQL statements)', () => {
  it('writes each kind of value as a literal, in place of its placeholder', () => {
    expect(
      inline('SELECT $1, $2, $3, $4, $5, $6::text[], $7::bigint[]', [
        'plain',
        42,
        true,
        null,
        new Date('2030-01-02T03:04:05.678Z'),
        ['a', 'b'],
        [],
      ]),
    ).toBe(
      "SELECT 'plain', 42, TRUE, NULL, '2030-01-02T03:04:05.678Z', ARRAY['a', 'b']::text[], ARRAY[]::bigint[]",
    );
  });

  it('escapes quotes and backslashes, and never reads placeholders inside a value', () => {
    expect(inline('VALUES ($1, $2)', ["it's", 'C:\\path $2'])).toBe(
      "VALUES ('it''s',  E'C:\\\\path $2')",
    );
  });

  it('tells $10 from $1, and refuses a placeholder without a value or a value it cannot write', () => {
    const values = Array.from({ length: 10 }, (_, index) => index + 1);
    expect(inline('SELECT $1, $10', values)).toBe('SELECT 1, 10');
    expect(() => inline('SELECT $2', ['one'])).toThrow(RangeError);
    expect(() => inline('SELECT $1', [Number.NaN])).toThrow(TypeError);
  });
});
