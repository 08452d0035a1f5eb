// @ts-check
/**
 * The dead letters: the messages a consumer gave up on, filtered by tenant and type, each with
 * its envelope as it travelled; replay one or the selected ones (a dry run first says what would
 * happen), or delete one.
 */
import { ApiError } from './api.js';
import { h, messageOf, redraw, say, time } from './dom.js';
import { call } from './session.js';

/**
 * @typedef {{
 *   id: string, consumer: string, envelope: Record<string, unknown>, errorType: string,
 *   errorMessage: string, attempts: number, firstFailedAt: string, lastFailedAt: string,
 *   replayable: boolean,
 * }} DeadLetter
 * @typedef {'replayed' | 'wouldReplay' | 'notFound' | 'tooOld' | 'notAMessage'} Outcome
 */

/** What each replay outcome means, in words. @type {Record<string, string>} */
const outcomes = {
  replayed: 'sent to its consumer again',
  wouldReplay: 'would be sent to its consumer again',
  notFound: 'is no longer there',
  tooOld: 'is older than the inbox retention: its consumer may have handled it already',
  notAMessage: 'is not a message that can be sent again; delete it',
};

/**
 * @param {URLSearchParams} params `tenantId` and `type`
 * @returns {import('./console.js').View}
 */
export function deadLettersView(params) {
  const tenantId = params.get('tenantId') ?? '';
  const type = params.get('type') ?? '';
  /** The dead letters ticked for a batch, and the envelopes shown, kept across refreshes. */
  const selected = new Set();
  const open = new Set();
  const outcome = h('p', { id: 'dead-letter-outcome', role: 'status', 'aria-live': 'polite' });
  const list = h('div', {});
  const tenantInput = h('input', { id: 'filter-tenant', name: 'tenantId', value: tenantId });
  const typeInput = h('input', { id: 'filter-type', name: 'type', value: type });
  const batch = (/** @type {boolean} */ dryRun, /** @type {string} */ label) =>
    h(
      'button',
      { type: 'button', class: 'batch', onclick: () => void replaySelected(dryRun) },
      label,
    );

  const element = h(
    'div',
    {},
    h('h1', { tabindex: -1 }, 'Dead letters'),
    h(
      'form',
      {
        class: 'inline',
        'aria-label': 'Filter dead letters',
        onsubmit: (event) => {
          event.preventDefault();
          const query = new URLSearchParams();
          if (tenantInput.value.trim()) query.set('tenantId', tenantInput.value.trim());
          if (typeInput.value.trim()) query.set('type', typeInput.value.trim());
          location.hash = `#/dead-letters${query.size ? `?${query}` : ''}`;
        },
      },
      h('label', { for: 'filter-tenant' }, 'Tenant id'),
      tenantInput,
      h('label', { for: 'filter-type' }, 'Message type'),
      typeInput,
      h('button', { type: 'submit' }, 'Filter'),
    ),
    h(
      'div',
      { class: 'actions', role: 'group', 'aria-label': 'The selected dead letters' },
      batch(true, 'Dry run the selected'),
      batch(false, 'Replay the selected'),
    ),
    outcome,
    list,
  );

  async function refresh() {
    const query = new URLSearchParams();
    if (tenantId) query.set('tenantId', tenantId);
    if (type) query.set('type', type);
    /** @type {{ items: DeadLetter[] }} */
    const { items } = await call(`/dead-letters${query.size ? `?${query}` : ''}`);
    for (const id of selected) if (!items.some((d) => d.id === id)) selected.delete(id);
    redraw(list, items, (letters) =>
      letters.length === 0
        ? h('p', {}, 'No dead letters.')
        : h('ul', { class: 'dead-letters' }, letters.map(drawLetter)),
    );
  }

  /** @param {DeadLetter} d */
  function drawLetter(d) {
    const label = `${String(d.envelope.type ?? 'message')} ${d.id}`;
    const details = h(
      'details',
      { open: open.has(d.id), ontoggle: () => (details.open ? open.add(d.id) : open.delete(d.id)) },
      h('summary', {}, 'Envelope'),
      h('pre', {}, JSON.stringify(d.envelope, null, 2)),
    );
    return h(
      'li',
      { class: 'dead-letter', 'aria-labelledby': `dl-${d.id}` },
      h('input', {
        type: 'checkbox',
        class: 'select',
        checked: selected.has(d.id),
        'aria-label': `Select ${label}`,
        onchange: (event) => {
          const box = /** @type {HTMLInputElement} */ (event.target);
          if (box.checked) selected.add(d.id);
          else selected.delete(d.id);
        },
      }),
      h('h2', { id: `dl-${d.id}` }, String(d.envelope.type ?? 'message'), ' for ', d.consumer),
      h(
        'dl',
        { class: 'facts' },
        h('dt', {}, 'Error'),
        h('dd', {}, `${d.errorType}: ${d.errorMessage}`),
        h('dt', {}, 'Attempts'),
        h('dd', {}, d.attempts),
        h('dt', {}, 'Failed'),
        h('dd', {}, time(d.firstFailedAt), ' – ', time(d.lastFailedAt)),
        h('dt', {}, 'Tenant'),
        h('dd', {}, tenantLink(d.envelope.tenantId)),
        h('dt', {}, 'Dead letter id'),
        h('dd', {}, h('code', {}, d.id)),
      ),
      d.replayable ? null : h('p', {}, `Older than the inbox retention: ${outcomes.tooOld}.`),
      details,
      h(
        'div',
        { class: 'actions' },
        h(
          'button',
          {
            type: 'button',
            'aria-label': `Dry run ${label}`,
            onclick: () => void replay([d.id], true),
          },
          'Dry run',
        ),
        h(
          'button',
          {
            type: 'button',
            'aria-label': `Replay ${label}`,
            onclick: () => void replay([d.id], false),
          },
          'Replay',
        ),
        h(
          'button',
          {
            type: 'button',
            class: 'danger',
            'aria-label': `Delete ${label}`,
            onclick: () => void remove(d.id),
          },
          'Delete',
        ),
      ),
    );
  }

  /** @param {boolean} dryRun */
  async function replaySelected(dryRun) {
    if (selected.size === 0) return say(outcome, 'Select one or more dead letters first.');
    await replay([...selected], dryRun);
  }

  /** @param {string[]} ids @param {boolean} dryRun */
  async function replay(ids, dryRun) {
    try {
      /** @type {{ results: { id: string, outcome: Outcome }[] }} */
      const { results } = await call('/dead-letters/replay', {
        method: 'POST',
        body: { ids, dryRun },
      });
      say(
        outcome,
        `${dryRun ? 'Dry run' : 'Replay'}: ${results.map((r) => `${r.id} ${outcomes[r.outcome] ?? r.outcome}`).join('; ')}.`,
      );
      if (!dryRun) results.forEach((r) => selected.delete(r.id));
      await refresh();
    } catch (error) {
      say(outcome, `${dryRun ? 'Dry run' : 'Replay'} failed: ${messageOf(error)}`);
    }
  }

  /** @param {string} id */
  async function remove(id) {
    if (!confirm('Delete this dead letter? Its message will not be handled.')) return;
    try {
      await call(`/dead-letters/${id}`, { method: 'DELETE' });
      say(outcome, `Deleted dead letter ${id}.`);
      selected.delete(id);
      await refresh();
    } catch (error) {
      const gone = error instanceof ApiError && error.status === 404;
      say(
        outcome,
        gone ? `Dead letter ${id} was already gone.` : `Delete failed: ${messageOf(error)}`,
      );
    }
  }

  return { element, refresh };
}

/** The tenant a dead letter is about, as a link to its page (when the envelope names one). @param {unknown} tenantId */
function tenantLink(tenantId) {
  if (typeof tenantId !== 'string' || tenantId === '') return '—';
  return h('a', { href: `#/tenants/${encodeURIComponent(tenantId)}` }, h('code', {}, tenantId));
}
