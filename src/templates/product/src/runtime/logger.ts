/**
 * The little the runtime needs from a logger. pino (and so Fastify's `app.log`) fits it as it is.
 */
export interface Logger {
  info(detail: object, message: string): void;
  warn(detail: object, message: string): void;
  error(detail: object, message: string): void;
}

/** Errors as their type and message (JSON.stringify would write `{}`). */
const errors = (_key: string, value: unknown): unknown =>
  value instanceof Error ? { type: value.name, message: value.message, stack: value.stack } : value;

const line = (level: string, message: string, detail: object): string =>
  JSON.stringify({ level, message, ...detail }, errors);

/** One JSON line per entry, on stdout (info) or stderr (warn, error). */
export const consoleLogger: Logger = {
  info: (detail, message) => console.log(line('info', message, detail)),
  warn: (detail, message) => console.warn(line('warn', message, detail)),
  error: (detail, message) => console.error(line('error', message, detail)),
};

export const silentLogger: Logger = { info: () => {}, warn: () => {}, error: () => {} };
