/**
 * The product's messages as the runtime knows them. The runtime imports no product code: it
 * knows the messages every product has (contracts/builtins.ts), the product adds its own payload
 * types to `MessagePayloads` (its generated contracts/messages.ts does, by module augmentation),
 * and hands the catalog of their versions and JSON Schemas to the `Runtime` it creates.
 */
import type { BuiltinPayloads } from '../contracts/builtins.js';
import type { Envelope } from '../contracts/envelope.js';

/**
 * Payload type by message type: the built-in ones, and those the product declares:
 *
 *     declare module '@saas-gen/runtime' {
 *       interface MessagePayloads extends DomainPayloads {}
 *     }
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled in by the product
export interface MessagePayloads extends BuiltinPayloads {}

export type MessageType = keyof MessagePayloads & string;

/** Any message of the product, as a union the message's `type` narrows. */
export type KnownMessage = {
  [Type in MessageType]: Envelope<Type, MessagePayloads[Type]>;
}[MessageType];

/** What the runtime checks every message against, published or consumed. */
export interface MessageCatalog {
  /** The version each message type is at; a message of another version is refused. */
  readonly versions: Readonly<Record<string, number>>;
  /** The JSON Schema of each message type's payload. */
  readonly payloadSchemas: Readonly<Record<string, object>>;
}
