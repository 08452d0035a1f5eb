/**
 * Values as TypeScript literals, written the way a person would: bare keys where they can be,
 * digit groups in large numbers. Prettier lays them out afterwards.
 */

const identifier = /^[A-Za-z_$][\w$]*$/;

/** A property key: bare when it is an identifier, else quoted. */
export const propertyKey = (key: string): string =>
  identifier.test(key) ? key : `'${key.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/** `30000` as `30_000`; other numbers as JSON writes them. */
export function numberLiteral(value: number): string {
  if (!Number.isSafeInteger(value) || Math.abs(value) < 10_000) return JSON.stringify(value);
  return String(value).replace(/\B(?=(\d{3})+$)/g, '_');
}

/** A literal of `value` (plain data: objects, arrays, strings, numbers, booleans, null). */
export function literal(value: unknown): string {
  if (typeof value === 'number') return numberLiteral(value);
  if (Array.isArray(value)) return `[${value.map(literal).join(', ')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).filter(([, inner]) => inner !== undefined);
    if (entries.length === 0) return '{}';
    return `{ ${entries.map(([key, inner]) => `${propertyKey(key)}: ${literal(inner)}`).join(', ')} }`;
  }
  return JSON.stringify(value);
}
