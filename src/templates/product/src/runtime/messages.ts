/**
 * The product's messages as the runtime knows them. The runtime imports no generated code: the
 * product declares its payload types by adding them to `MessagePayloads` (contracts/messages.ts
 * does, by module augmentation), and hands the catalog of their versions and JSON Schemas to the
 * `Runtime` it creates.
 */
import type { Envelope } from '../contracts/envelope.js';

/**
 * Payload type by message type, as the product declares them:
 *
 *     declare module '../runtime/messages.js' {
 *       interface MessagePayloads extends PayloadOf {}
 *     }
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled in by the product
export interface MessagePayloads {}

export type MessageType = keyof MessagePayloads & string;

/** Any message of the product, as a union the message's `type` narrows. */
export type KnownMessage = {
  [Type in MessageType]: Envelope<Type, MessagePayloads[Type]>;
}[MessageType];

/** What the runtime checks every message against, published or consumed. */
export interface MessageCatalog {
  /** The version each message type is at; a message of another version is refused. */
  readonly versions: Readonly<Record<MessageType, number>>;
  /** The JSON Schema of each message type's payload. */
  readonly payloadSchemas: Readonly<Record<MessageType, object>>;
}
