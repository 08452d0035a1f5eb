// @ts-check
/**
 * A state machine drawn in HTML: one box per state, in the machine's order, each listing the
 * moves out of it; the current state is marked for the eye and for screen readers alike.
 */
import { h } from './dom.js';

/**
 * Why the machine has no `trigger` move out of `state`, in a short sentence naming the states it
 * has one from; `null` when it has. The sentence speaks of a tenant: the console asks it of the
 * tenant machine only.
 *
 * @param {import('./api.js').Machine} machine
 * @param {string} state
 * @param {string} trigger
 * @returns {string | null}
 */
export function refusal(machine, state, trigger) {
  const from = machine.transitions.filter((t) => t.on === trigger).map((t) => t.from);
  if (from.includes(state)) return null;
  const states = [...new Set(from)];
  const list =
    states.length > 1 ? `${states.slice(0, -1).join(', ')} or ${states.at(-1)}` : states[0];
  return list ? `Only when the tenant is ${list}.` : 'The tenant state machine has no such move.';
}

/**
 * @param {import('./api.js').Machine} machine
 * @param {string} current
 * @param {string} name what the machine is about, e.g. "Tenant"
 */
export function machineDiagram(machine, current, name) {
  const caption = `${name} state machine: ${machine.states.length} states, from ${machine.initial}; the current state is ${current}.`;
  return h(
    'figure',
    { class: 'machine' },
    h('figcaption', {}, caption),
    h(
      'ol',
      { class: 'machine-states' },
      machine.states.map((state) => {
        const moves = machine.transitions.filter((t) => t.from === state);
        const isCurrent = state === current;
        return h(
          'li',
          {
            class: isCurrent ? 'state current' : 'state',
            'aria-current': isCurrent ? 'step' : null,
          },
          h('span', { class: 'state-name' }, state),
          isCurrent ? h('span', { class: 'tag' }, ' current') : null,
          state === machine.initial ? h('span', { class: 'tag' }, ' initial') : null,
          moves.length === 0
            ? h('p', { class: 'moves' }, 'final: no move out')
            : h(
                'ul',
                { class: 'moves', 'aria-label': `Moves from ${state}` },
                moves.map((t) => h('li', {}, `${t.on} → ${t.to}`)),
              ),
        );
      }),
    ),
  );
}
