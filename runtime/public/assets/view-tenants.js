// @ts-check
/**
 * The tenants: how many are in each state of the tenant machine, and a page of them, by state
 * and by a search on slug or name, paged by the API's cursor.
 */
import { editionTitle } from './api.js';
import { byId, h, redraw } from './dom.js';
import { call } from './session.js';

/** @typedef {import('./api.js').Tenant} Tenant */

const pageSize = 20;

/**
 * @param {import('./api.js').Catalog} catalog
 * @param {URLSearchParams} params `state` and `q`
 * @returns {import('./console.js').View}
 */
export function tenantsView(catalog, params) {
  const state = params.get('state') ?? '';
  const q = params.get('q') ?? '';
  /** The cursors of the pages before this one, and this one's (`''`: the first page). */
  const cursors = [''];
  const counts = h('ul', { class: 'counts', 'aria-label': 'Tenants by state' });
  const table = h('div', { class: 'table' });
  const paging = h('div', { class: 'paging' });
  const search = h('input', { id: 'q', name: 'q', type: 'search', value: q, maxlength: 200 });

  const element = h(
    'div',
    {},
    h('h1', { tabindex: -1 }, 'Tenants'),
    h('nav', { 'aria-label': 'Tenants by state' }, counts),
    h(
      'form',
      {
        role: 'search',
        class: 'inline',
        onsubmit: (event) => {
          event.preventDefault();
          location.hash = link(state, search.value.trim());
        },
      },
      h('label', { for: 'q' }, 'Search by slug or name'),
      search,
      h('button', { type: 'submit' }, 'Search'),
    ),
    table,
    paging,
  );

  async function refresh() {
    const cursor = cursors[cursors.length - 1] ?? '';
    const query = new URLSearchParams({ limit: String(pageSize) });
    if (state) query.set('state', state);
    if (q) query.set('q', q);
    if (cursor) query.set('cursor', cursor);
    const [countsResult, page] = await Promise.all([
      /** @type {Promise<Record<string, number>>} */ (call('/tenants/counts')),
      /** @type {Promise<{ items: Tenant[], nextCursor?: string }>} */ (call(`/tenants?${query}`)),
    ]);
    redraw(counts, countsResult, (all) => [
      h(
        'li',
        {},
        h('a', { href: link('', q), 'aria-current': state === '' ? 'page' : null }, 'All'),
      ),
      catalog.tenantMachine.states.map((s) =>
        h(
          'li',
          {},
          h(
            'a',
            { href: link(s, q), 'aria-current': state === s ? 'page' : null },
            s,
            ' ',
            h('span', { class: 'count' }, all[s] ?? 0),
          ),
        ),
      ),
    ]);
    redraw(table, page.items, (items) => tenantTable(catalog, items, state, q));
    redraw(paging, { next: page.nextCursor, first: cursors.length === 1 }, ({ next, first }) => [
      first
        ? null
        : h(
            'button',
            { type: 'button', class: 'secondary', onclick: () => turn(-1) },
            'Previous page',
          ),
      next
        ? h(
            'button',
            { type: 'button', class: 'secondary', onclick: () => turn(1, next) },
            'Next page',
          )
        : null,
    ]);
  }

  /** @param {1 | -1} direction @param {string} [cursor] */
  function turn(direction, cursor) {
    if (direction === 1 && cursor) cursors.push(cursor);
    else if (direction === -1 && cursors.length > 1) cursors.pop();
    void refresh().then(() => byId('tenants-caption', HTMLElement).focus());
  }

  return { element, refresh };
}

/** @param {string} state @param {string} q */
function link(state, q) {
  const params = new URLSearchParams();
  if (state) params.set('state', state);
  if (q) params.set('q', q);
  const query = params.toString();
  return `#/tenants${query ? `?${query}` : ''}`;
}

/**
 * @param {import('./api.js').Catalog} catalog
 * @param {Tenant[]} items
 * @param {string} state
 * @param {string} q
 */
function tenantTable(catalog, items, state, q) {
  const what = [state ? `in state ${state}` : '', q ? `matching “${q}”` : ''].filter(Boolean);
  const caption = h(
    'caption',
    { id: 'tenants-caption', tabindex: -1 },
    `Tenants${what.length ? ` ${what.join(', ')}` : ''}: ${items.length} on this page`,
  );
  if (items.length === 0)
    return h('p', { id: 'tenants-caption', tabindex: -1 }, `No tenants ${what.join(', ')}.`);
  return h(
    'table',
    {},
    caption,
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ['Slug', 'Name', 'Edition', 'State'].map((c) => h('th', { scope: 'col' }, c)),
      ),
    ),
    h(
      'tbody',
      {},
      items.map((t) =>
        h(
          'tr',
          {},
          h('td', {}, h('a', { href: `#/tenants/${encodeURIComponent(t.tenantId)}` }, t.slug)),
          h('td', {}, t.name),
          h('td', {}, editionTitle(catalog, t.edition)),
          h('td', {}, h('span', { class: `badge state-${t.state.toLowerCase()}` }, t.state)),
        ),
      ),
    ),
  );
}
