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

/** The trace id (32 hex digits) inside a W3C `traceparent`. */
export const traceIdOf = (traceparent: string): string | undefined =>
  /^00-([0-9a-f]{32})-/.exec(traceparent)?.[1];

/**
 * Fields every log line about a message carries: its tenant, correlation and trace. Takes any
 * value, since an invalid message (on its way to the dead letters) may lack any of them.
 */
export function messageFields(envelope: unknown): Record<string, string> {
  const { tenantId, correlationId, traceId } = (envelope ?? {}) as Partial<Record<string, unknown>>;
  const trace = typeof traceId === 'string' ? traceIdOf(traceId) : undefined;
  return {
    ...(typeof tenantId === 'string' ? { tenantId } : {}),
    ...(typeof correlationId === 'string' ? { correlationId } : {}),
    ...(trace ? { traceId: trace } : {}),
  };
}

/** `logger`, with `fields` on every line (a line's own detail wins). */
export const withFields = (logger: Logger, fields: object): Logger => ({
  info: (detail, message) => logger.info({ ...fields, ...detail }, message),
  warn: (detail, message) => logger.warn({ ...fields, ...detail }, message),
  error: (detail, message) => logger.error({ ...fields, ...detail }, message),
});
