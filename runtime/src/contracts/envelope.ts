/**
 * The envelope every message travels in, on every transport. Plain data: this module imports
 * nothing but node:crypto, for ids.
 */
import { randomFillSync } from 'node:crypto';

declare const brand: unique symbol;
/** A string that the type system keeps apart from other strings. */
export type Brand<T, Name extends string> = T & { readonly [brand]: Name };

export type EventId = Brand<string, 'EventId'>;
export type TenantId = Brand<string, 'TenantId'>;
export type CorrelationId = Brand<string, 'CorrelationId'>;
/** W3C trace context `traceparent`: `00-<32 hex trace id>-<16 hex span id>-<2 hex flags>`. */
export type TraceParent = Brand<string, 'TraceParent'>;

export interface Envelope<Type extends string = string, Payload = unknown> {
  readonly eventId: EventId;
  readonly type: Type;
  readonly version: number;
  /** ISO 8601. */
  readonly occurredAt: string;
  readonly tenantId: TenantId;
  /** Shared by every message of one onboarding (or one workflow run). */
  readonly correlationId: CorrelationId;
  /** The `eventId` of the message that caused this one; its own `eventId` for the first. */
  readonly causationId: EventId;
  readonly traceId: TraceParent;
  readonly payload: Payload;
}

/** Random bytes drawn from a pool refilled a few kilobytes at a time: one system call per 512 ids. */
const pool = Buffer.alloc(4096);
let poolOffset = pool.length;

function randomHex(bytes: number): string {
  if (poolOffset + bytes > pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  poolOffset += bytes;
  return pool.toString('hex', poolOffset - bytes, poolOffset);
}

/**
 * A new UUID of version 7 (RFC 9562): 48 bits of Unix milliseconds, then 74 random bits. Ids made
 * later sort later, so the store's indexes on them (inbox, sagas, audit, outbox) grow at their
 * right-hand end: a commit writes a few pages instead of one random page per insert.
 */
export function newId(): string {
  const time = Date.now().toString(16).padStart(12, '0');
  const random = randomHex(10);
  const variant = ((parseInt(random[3]!, 16) & 0x3) | 0x8).toString(16);
  return `${time.slice(0, 8)}-${time.slice(8)}-7${random.slice(0, 3)}-${variant}${random.slice(4, 7)}-${random.slice(8, 20)}`;
}

export const newEventId = (): EventId => newId() as EventId;
export const newTenantId = (): TenantId => newId() as TenantId;

const traceParentPattern = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

export const isTraceParent = (value: string): value is TraceParent =>
  traceParentPattern.test(value) && !/^00-0{32}-/.test(value) && !/-0{16}-/.test(value);

/** A new trace: a random trace id and span id, sampled. */
export function newTraceParent(): TraceParent {
  return `00-${randomHex(16)}-${randomHex(8)}-01` as TraceParent;
}

/** The same trace, a new span: what a message caused by another one carries. */
export function childTraceParent(parent: TraceParent): TraceParent {
  const match = traceParentPattern.exec(parent);
  if (!match) return newTraceParent();
  return `00-${match[1]}-${randomHex(8)}-${match[3]}` as TraceParent;
}

export interface EnvelopeInit<Type extends string, Payload> {
  readonly type: Type;
  readonly version?: number;
  readonly payload: Payload;
  readonly tenantId: TenantId;
  readonly occurredAt: Date;
}

/** The first message of a conversation: it is its own cause and starts a correlation and a trace. */
export function startEnvelope<Type extends string, Payload>(
  init: EnvelopeInit<Type, Payload> & {
    readonly correlationId?: CorrelationId;
    readonly traceId?: TraceParent;
  },
): Envelope<Type, Payload> {
  const eventId = newEventId();
  return {
    eventId,
    type: init.type,
    version: init.version ?? 1,
    occurredAt: init.occurredAt.toISOString(),
    tenantId: init.tenantId,
    correlationId: init.correlationId ?? (newId() as CorrelationId),
    causationId: eventId,
    traceId: init.traceId ?? newTraceParent(),
    payload: init.payload,
  };
}

/** A message caused by `cause`: same tenant, correlation and trace; `causationId` is the cause. */
export function causedBy<Type extends string, Payload>(
  cause: Envelope,
  init: Omit<EnvelopeInit<Type, Payload>, 'tenantId'> & { readonly tenantId?: TenantId },
): Envelope<Type, Payload> {
  return {
    eventId: newEventId(),
    type: init.type,
    version: init.version ?? 1,
    occurredAt: init.occurredAt.toISOString(),
    tenantId: init.tenantId ?? cause.tenantId,
    correlationId: cause.correlationId,
    causationId: cause.eventId,
    traceId: childTraceParent(cause.traceId),
    payload: init.payload,
  };
}
