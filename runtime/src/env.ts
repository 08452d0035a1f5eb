/**
 * The team's own environment variables, declared next to the runtime's: a schema of named
 * variables, checked once at start with the runtime's messages (`configuration error: VAR …`).
 * A message names the variable and what is wrong with it, never its value, so a secret pasted
 * into the wrong variable is not printed.
 *
 *   export const teamEnv = {
 *     INDEX_URL: env.url({ description: 'the search index service' }),
 *     INDEX_TOKEN: env.string({ secret: true, optional: true }),
 *   };
 *   const team = loadEnv(teamEnv); // { INDEX_URL: URL; INDEX_TOKEN: string | undefined }
 */
import { ConfigError } from './config.js';

/** How one variable is read: `parse` gets its raw value, or undefined when unset or empty. */
export interface EnvVariable<T> {
  readonly description?: string;
  /** Reads the raw value; throws `ConfigError` with a message that starts after the name. */
  parse(raw: string | undefined): T;
}

interface Common {
  readonly description?: string;
}

type Value<Optional extends boolean | undefined, T> = Optional extends true ? T | undefined : T;

const missing = (): never => {
  throw new ConfigError('must be set');
};

export const env = {
  /** Any text; `secret` only documents it (no value is ever printed). */
  string<Optional extends boolean | undefined = false>(
    options: Common & {
      readonly optional?: Optional;
      readonly default?: string;
      readonly secret?: boolean;
    } = {},
  ): EnvVariable<Value<Optional, string>> {
    return {
      ...(options.description ? { description: options.description } : {}),
      parse: (raw) =>
        (raw ?? options.default ?? (options.optional ? undefined : missing())) as Value<
          Optional,
          string
        >,
    };
  },
  /** A URL, parsed with the WHATWG URL parser; `protocols` limits its scheme. */
  url<Optional extends boolean | undefined = false>(
    options: Common & {
      readonly optional?: Optional;
      readonly default?: string;
      readonly protocols?: readonly string[];
    } = {},
  ): EnvVariable<Value<Optional, URL>> {
    const protocols = options.protocols ?? ['http:', 'https:'];
    return {
      ...(options.description ? { description: options.description } : {}),
      parse: (raw) => {
        const text = raw ?? options.default;
        if (text === undefined) return (options.optional ? undefined : missing()) as never;
        let url: URL;
        try {
          url = new URL(text);
        } catch {
          throw new ConfigError(`is not a URL: set it to ${protocols.join(' or ')}//…`);
        }
        if (!protocols.includes(url.protocol))
          // Not even the scheme is shown: it may be the start of a password pasted alone.
          throw new ConfigError(`must be a ${protocols.join(' or ')} URL`);
        return url as Value<Optional, URL>;
      },
    };
  },
  /** A whole number within `min`…`max`. */
  integer<Optional extends boolean | undefined = false>(
    options: Common & {
      readonly optional?: Optional;
      readonly default?: number;
      readonly min?: number;
      readonly max?: number;
    } = {},
  ): EnvVariable<Value<Optional, number>> {
    const { min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER } = options;
    return {
      ...(options.description ? { description: options.description } : {}),
      parse: (raw) => {
        if (raw === undefined)
          return (options.default ?? (options.optional ? undefined : missing())) as never;
        const value = Number(raw);
        if (!Number.isInteger(value) || value < min || value > max)
          throw new ConfigError(`must be a whole number from ${min} to ${max}`);
        return value as Value<Optional, number>;
      },
    };
  },
  /** `true`/`false` (also `1`/`0`, `yes`/`no`). */
  boolean(options: Common & { readonly default?: boolean } = {}): EnvVariable<boolean> {
    return {
      ...(options.description ? { description: options.description } : {}),
      parse: (raw) => {
        if (raw === undefined) return options.default ?? false;
        const value = raw.toLowerCase();
        if (['true', '1', 'yes'].includes(value)) return true;
        if (['false', '0', 'no'].includes(value)) return false;
        throw new ConfigError('must be true or false');
      },
    };
  },
} as const;

export type EnvSchema = Readonly<Record<string, EnvVariable<unknown>>>;

export type EnvOf<Schema extends EnvSchema> = {
  readonly [Name in keyof Schema]: Schema[Name] extends EnvVariable<infer T> ? T : never;
};

/**
 * Reads every variable of `schema` from `source`. All problems are found before one error names
 * them all (`INDEX_URL must be set; RETRIES must be a whole number …`).
 */
export function loadEnv<Schema extends EnvSchema>(
  schema: Schema,
  source: NodeJS.ProcessEnv = process.env,
): EnvOf<Schema> {
  const values: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [name, variable] of Object.entries(schema)) {
    const raw = source[name];
    try {
      values[name] = variable.parse(raw === undefined || raw === '' ? undefined : raw);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push(`${name} ${error.message}`);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems.join('; '));
  return values as EnvOf<Schema>;
}
