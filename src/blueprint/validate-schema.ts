/** Stage 2: check the parsed data against the JSON Schema and turn ajv's errors into diagnostics. */
import { Ajv } from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { closest, didYouMean, pathOf, pointerOf } from './diagnostics.js';
import type { Diagnostic } from './diagnostics.js';
import { blueprintSchema } from './schema.js';

let compiled: ValidateFunction | undefined;

function validator(): ValidateFunction {
  if (compiled) return compiled;
  const ajv = new Ajv({ allErrors: true, strict: true, verbose: true });
  // Editor-only annotations (yaml-language-server, json-schema-to-typescript).
  ajv.addVocabulary(['markdownDescription', 'defaultSnippets', 'tsType']);
  compiled = ajv.compile(blueprintSchema);
  return compiled;
}

export function validateSchema(data: unknown): Diagnostic[] {
  const validate = validator();
  if (validate(data)) return [];
  const errors = validate.errors ?? [];
  const diagnostics = errors.flatMap((error) => toDiagnostic(error));
  const seen = new Set<string>();
  return diagnostics.filter((d) => {
    const key = `${d.code}\0${d.pointer}\0${d.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** `/workflows/onboarding/steps/owner` → `workflows.onboarding.steps.owner`. */
export function describePointer(pointer: string): string {
  const path = pathOf(pointer);
  return path.length === 0 ? 'the blueprint' : `\`${path.join('.')}\``;
}

const patternDiagnostics: Record<string, { code: string; expected: string }> = {
  duration: {
    code: 'invalid-duration',
    expected: 'a duration: a whole number and a unit (ms, s, m, h, d), e.g. `250ms`, `30s`, `10m`',
  },
  identifier: {
    code: 'invalid-name',
    expected: 'an id in camelCase or kebab-case, e.g. `newDashboard` or `data-export`',
  },
  serviceName: {
    code: 'invalid-name',
    expected: 'a service name in kebab-case, e.g. `billing` or `data-warehouse`',
  },
  messageName: {
    code: 'invalid-name',
    expected: 'a message name in PascalCase, e.g. `WorkspaceSeeded`',
  },
  fieldType: {
    code: 'invalid-field-type',
    expected:
      'a field type: uuid, string, text, integer, number, boolean, email, url, datetime or date, with `[]` for a list and `?` for optional, e.g. `uuid` or `string?`',
  },
  name: {
    code: 'invalid-name',
    expected: 'an npm package name in kebab-case, e.g. `acme-analytics`',
  },
  currency: { code: 'invalid-value', expected: 'an ISO 4217 currency code, e.g. `USD`' },
};

function toDiagnostic(error: ErrorObject): Diagnostic[] {
  // Alternatives of an `anyOf` are summarised by the `anyOf` error itself.
  if (/\/anyOf\/\d+\//.test(error.schemaPath)) return [];
  // A bad mapping key is reported by the inner error, which carries `propertyName`.
  if (error.keyword === 'propertyNames') return [];

  const propertyName = (error as ErrorObject & { propertyName?: string }).propertyName;
  const pointer =
    propertyName === undefined
      ? error.instancePath
      : `${error.instancePath}${pointerOf([propertyName])}`;
  const where = describePointer(pointer);
  const value = propertyName ?? error.data;
  const error_ = (code: string, message: string, extra: Partial<Diagnostic> = {}): Diagnostic[] => [
    { code, severity: 'error', message, pointer, ...extra },
  ];

  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String(error.params.additionalProperty);
      const allowed = Object.keys(
        (error.parentSchema as { properties?: object } | undefined)?.properties ?? {},
      ).filter((name) => name !== '$schema');
      const suggestion = didYouMean(key, allowed);
      return [
        {
          code: 'unknown-key',
          severity: 'error',
          message: `unknown key \`${key}\` in ${describePointer(error.instancePath)}${suggestion}`,
          pointer: `${error.instancePath}${pointerOf([key])}`,
          target: 'key',
          ...(suggestion === '' ? { hint: `allowed keys: ${allowed.join(', ')}` } : {}),
        },
      ];
    }
    case 'required': {
      const key = String(error.params.missingProperty);
      // In a map of ids (`workflows`) a misspelt required key is no unknown key: say it here.
      const near = closest(key, Object.keys(error.data ?? {}));
      const misspelt = near === undefined ? '' : ` (is \`${near}\` a misspelling of it?)`;
      // The pointer names the absent key (printed at its parent), so that the parent's other
      // values are still checked by the rules.
      return error_('missing-key', `${where} is missing the required key \`${key}\`${misspelt}`, {
        pointer: `${pointer}${pointerOf([key])}`,
        hint:
          near === undefined ? `add \`${key}:\` to ${where}` : `rename \`${near}\` to \`${key}\``,
      });
    }
    case 'type': {
      const expected = String(error.params.type).replace(/,/g, ' or ');
      return error_(
        'invalid-type',
        `${where} must be ${article(expected)} ${expected}, not ${describeValue(error.data)}`,
      );
    }
    case 'const':
      return error_(
        'invalid-value',
        `${where} must be ${JSON.stringify(error.params.allowedValue)}, not ${describeValue(error.data)}`,
      );
    case 'enum': {
      const allowed = (error.params.allowedValues as unknown[]).map(String);
      return error_(
        'invalid-value',
        `${where} must be one of ${allowed.map((v) => `\`${v}\``).join(', ')}, not ${describeValue(error.data)}${didYouMean(String(error.data), allowed)}`,
      );
    }
    case 'pattern': {
      const definition = /\/(\w+)\/pattern$/.exec(error.schemaPath)?.[1] ?? '';
      const known = patternDiagnostics[definition];
      const expected = known?.expected ?? `text matching ${String(error.params.pattern)}`;
      return error_(
        known?.code ?? 'invalid-value',
        `${propertyName === undefined ? where : `key ${where}`} must be ${expected}; \`${String(value)}\` is not`,
        propertyName === undefined ? {} : { target: 'key' },
      );
    }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return error_(
        'out-of-range',
        `${where} must be ${String(error.params.comparison)} ${String(error.params.limit)}, not ${describeValue(error.data)}`,
      );
    case 'minProperties':
      return error_(
        'out-of-range',
        `${where} needs at least ${String(error.params.limit)} ${Number(error.params.limit) === 1 ? 'entry' : 'entries'}`,
      );
    case 'minLength':
      return error_('out-of-range', `${where} must not be empty`);
    case 'maxLength':
      return error_(
        'out-of-range',
        `${where} must be at most ${String(error.params.limit)} characters long`,
      );
    case 'uniqueItems': {
      const first = Number(error.params.j);
      const second = Number(error.params.i);
      return [
        {
          code: 'duplicate-item',
          severity: 'error',
          message: `${where} lists ${describeValue((error.data as unknown[])[second])} twice`,
          pointer: `${pointer}/${second}`,
          related: [{ pointer: `${pointer}/${first}`, message: 'first listed here' }],
        },
      ];
    }
    case 'anyOf': {
      const description = (error.parentSchema as { description?: string } | undefined)?.description;
      return error_(
        'invalid-value',
        `${where} is not valid: ${describeValue(error.data)}${description ? ` (expected ${lowerFirst(description).replace(/\.$/, '')})` : ''}`,
      );
    }
    default:
      return error_('invalid-value', `${where} ${error.message ?? 'is not valid'}`);
  }
}

function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'empty';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `the string \`${value}\``;
  if (typeof value === 'number' && Number.isInteger(value)) return `the integer \`${value}\``;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return `the ${typeof value} \`${value}\``;
  // Parsed YAML holds nothing else.
  return `the ${typeof value}`;
}

const article = (word: string): string => (/^[aeiou]/.test(word) ? 'an' : 'a');
const lowerFirst = (text: string): string => text.charAt(0).toLowerCase() + text.slice(1);
