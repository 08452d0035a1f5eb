// @ts-check
/**
 * A tenant's messages as their causation tree: each message under the one that caused it. A
 * root is a message that caused itself (it started a conversation) or whose cause the store no
 * longer holds.
 */
import { h, time } from './dom.js';

/**
 * @typedef {{ eventId: string, type: string, occurredAt: string, correlationId: string, causationId: string, tenantId?: string }} Message
 */

/** @param {Message[]} messages in the order they were committed */
export function causationTree(messages) {
  const ids = new Set(messages.map((m) => m.eventId));
  /** @type {Map<string, Message[]>} */
  const children = new Map();
  /** @type {Message[]} */
  const roots = [];
  for (const message of messages) {
    if (message.causationId === message.eventId || !ids.has(message.causationId))
      roots.push(message);
    else children.set(message.causationId, [...(children.get(message.causationId) ?? []), message]);
  }
  /** Each message once, even if the causations loop. */
  const drawn = new Set();
  /** @param {Message[]} level @returns {HTMLUListElement | null} */
  const list = (level) => {
    const fresh = level.filter((m) => !drawn.has(m.eventId));
    if (fresh.length === 0) return null;
    fresh.forEach((m) => drawn.add(m.eventId));
    return h(
      'ul',
      {},
      fresh.map((m) =>
        h(
          'li',
          {},
          h('span', { class: 'message-type' }, m.type),
          ' ',
          time(m.occurredAt),
          h(
            'span',
            { class: 'ids' },
            ' event ',
            h('code', {}, m.eventId),
            ', correlation ',
            h('code', {}, m.correlationId),
          ),
          list(children.get(m.eventId) ?? []),
        ),
      ),
    );
  };
  return h(
    'div',
    { class: 'tree', role: 'group', 'aria-label': 'Messages by causation' },
    list(roots),
  );
}
