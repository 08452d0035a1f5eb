/**
 * The little the runtime needs from a logger. pino (and so Fastify's `app.log`) fits it as it is.
 */
export interface Logger {
  info(detail: object, message: string): void;
  warn(detail: object, message: string): void;
  error(detail: object, message: string): void;
}

/** One JSON line per entry, on stdout (info) or stderr (warn, error). */
export const consoleLogger: Logger = {
  info: (detail, message) => console.log(JSON.stringify({ level: 'info', message, ...detail })),
  warn: (detail, message) => console.warn(JSON.stringify({ level: 'warn', message, ...detail })),
  error: (detail, message) => console.error(JSON.stringify({ level: 'error', message, ...detail })),
};

export const silentLogger: Logger = { info: () => {}, warn: () => {}, error: () => {} };
