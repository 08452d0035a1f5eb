// @ts-check
/**
 * One tenant: its state on the tenant machine, the lifecycle actions (those the machine does not
 * allow from the tenant's state stay in place, unavailable, saying from which states they are;
 * one the API still refuses is explained by the machine's own reason), its onboarding steps,
 * timeline, entitlements, messages (as their causation tree) and domain workflow runs.
 */
import { ApiError, editionTitle } from './api.js';
import { h, messageOf, redraw, say, section, settle, time, words } from './dom.js';
import { machineDiagram, refusal } from './machine.js';
import { call } from './session.js';
import { causationTree } from './tree.js';

/** @typedef {import('./api.js').Tenant} Tenant @typedef {import('./api.js').Catalog} Catalog */

/**
 * The lifecycle actions: what the button says, the command's path under the tenant, and the
 * tenant machine's trigger the command asks for.
 *
 * @typedef {{ label: string, path: string, trigger: string }} Action
 * @type {Action[]}
 */
const actions = [
  { label: 'Suspend', path: 'suspend', trigger: 'suspend' },
  { label: 'Reinstate', path: 'reinstate', trigger: 'reinstate' },
  { label: 'Retry provisioning', path: 'provisioning/retry', trigger: 'retry' },
  { label: 'Decommission', path: 'decommission', trigger: 'decommission' },
];

/**
 * @param {Catalog} catalog
 * @param {string} tenantId
 * @returns {import('./console.js').View}
 */
export function tenantView(catalog, tenantId) {
  const base = `/tenants/${encodeURIComponent(tenantId)}`;
  const title = h('h1', { tabindex: -1 }, 'Tenant');
  const summary = h('div', {});
  const state = section('state', 'State');
  const outcome = h('p', { id: 'action-outcome', role: 'status', 'aria-live': 'polite' });
  const steps = section('steps', 'Onboarding steps');
  const timeline = section('timeline', 'Timeline');
  const entitlements = section('entitlements', 'Entitlements and usage');
  const messages = section('messages', 'Messages');
  const workflows = section('workflows', 'Workflows');
  // Drawn once and updated in place: a button keeps its place and its focus as the state moves,
  // and one the state does not allow stays where it was, unavailable (but focusable, so that a
  // keyboard reaches the reason it is described by).
  const controls = actions.map((action) => {
    const why = h('p', { class: 'hint', id: `why-${action.trigger}`, hidden: true });
    const button = h(
      'button',
      { type: 'button', 'aria-disabled': 'true', onclick: () => void act(action, button, why) },
      action.label,
    );
    return { action, button, why, element: h('div', { class: 'action' }, button, why) };
  });
  const actionsSection = h(
    'section',
    { 'aria-labelledby': 'actions-title' },
    h('h2', { id: 'actions-title' }, 'Actions'),
    h(
      'div',
      { class: 'actions' },
      controls.map((control) => control.element),
    ),
    outcome,
  );

  /**
   * Offers the moves the tenant machine allows from `current`, and says why not the others.
   *
   * @param {string} current
   */
  function showActions(current) {
    for (const { action, button, why } of controls) {
      const refused = refusal(catalog.tenantMachine, current, action.trigger);
      if (refused) {
        button.setAttribute('aria-disabled', 'true');
        button.setAttribute('aria-describedby', why.id);
      } else {
        button.removeAttribute('aria-disabled');
        button.removeAttribute('aria-describedby');
      }
      why.textContent = refused ?? '';
      why.hidden = !refused;
    }
  }

  const element = h(
    'div',
    {},
    h('p', {}, h('a', { href: '#/tenants' }, '← All tenants')),
    title,
    summary,
    state.element,
    actionsSection,
    steps.element,
    timeline.element,
    entitlements.element,
    messages.element,
    workflows.element,
  );

  async function refresh() {
    const [tenant, timelineResult, entitlementsResult, messagesResult, workflowsResult] =
      await Promise.allSettled([
        call(base),
        call(`${base}/timeline`),
        call(`${base}/entitlements`),
        call(`${base}/messages`),
        call(`${base}/workflows`),
      ]);
    if (tenant.status === 'rejected') {
      redraw(summary, messageOf(tenant.reason), (m) => h('p', { class: 'error' }, m));
      return;
    }
    /** @type {Tenant} */
    const t = tenant.value;
    title.textContent = `Tenant ${t.slug}`;
    showActions(t.state);
    redraw(summary, t, (data) => drawSummary(catalog, data));
    redraw(state.body, t.state, (s) => machineDiagram(catalog.tenantMachine, s, 'Tenant'));
    redraw(steps.body, t.steps, (s) => drawSteps(catalog, s));
    settle(timeline.body, timelineResult, drawTimeline);
    settle(entitlements.body, entitlementsResult, (e) => drawEntitlements(catalog, e));
    settle(messages.body, messagesResult, (m) =>
      m.items.length === 0
        ? h('p', {}, 'The store holds no message of this tenant.')
        : causationTree(m.items),
    );
    settle(workflows.body, workflowsResult, drawWorkflows);
  }

  /** @param {Action} action @param {HTMLButtonElement} button @param {HTMLElement} why */
  async function act(action, button, why) {
    if (button.getAttribute('aria-disabled') === 'true') {
      say(outcome, `${action.label} is not possible now. ${why.textContent ?? ''}`.trim());
      return;
    }
    if (
      action.path === 'decommission' &&
      !confirm(`Decommission this tenant? This cannot be undone.`)
    )
      return;
    say(outcome, `${action.label}: sending…`);
    try {
      await call(`${base}/${action.path}`, { method: 'POST', body: {} });
      say(outcome, `${action.label}: accepted. The tenant moves once its onboarding handles it.`);
      await refresh();
    } catch (error) {
      if (error instanceof ApiError && error.status === 409)
        say(outcome, `${action.label} refused by the tenant state machine: ${error.message}`);
      else say(outcome, `${action.label} failed: ${messageOf(error)}`);
    }
  }

  return { element, refresh };
}

/**
 * The subscription in words: awaiting payment, a trial and when it ends, past due; and an edition
 * change that waits for its payment.
 *
 * @param {Catalog} catalog
 * @param {Tenant} t
 */
function billingText(catalog, t) {
  const b = t.billing;
  const statuses = {
    trialing: 'trial',
    awaiting_payment: 'awaiting payment',
    active: 'paid up',
    past_due: 'past due',
    canceled: 'cancelled',
  };
  const parts = [
    b ? `${editionTitle(catalog, b.edition)}: ${statuses[b.status]}` : 'no subscription yet',
  ];
  if (b?.status === 'trialing' && b.trialEndsAt)
    parts.push(`trial ends ${new Date(b.trialEndsAt).toLocaleString()}`);
  if (t.pendingEdition)
    parts.push(
      `change to ${editionTitle(catalog, t.pendingEdition.edition)} awaits payment until ${new Date(t.pendingEdition.expiresAt).toLocaleString()}`,
    );
  return parts.join('; ');
}

/** @param {Catalog} catalog @param {Tenant} t */
function drawSummary(catalog, t) {
  return [
    h(
      'dl',
      { class: 'facts' },
      h('dt', {}, 'Name'),
      h('dd', {}, t.name),
      h('dt', {}, 'Edition'),
      h('dd', {}, editionTitle(catalog, t.edition)),
      h('dt', {}, 'State'),
      h('dd', {}, h('span', { class: `badge state-${t.state.toLowerCase()}` }, t.state)),
      h('dt', {}, 'Billing'),
      h('dd', {}, billingText(catalog, t)),
      h('dt', {}, 'Tenant id'),
      h('dd', {}, h('code', {}, t.tenantId)),
      h('dt', {}, 'Correlation id'),
      h('dd', {}, h('code', {}, t.correlationId)),
    ),
    t.failure
      ? h(
          'p',
          { class: 'error' },
          `The last onboarding attempt failed${t.failure.step ? ` at ${t.failure.step}` : ''}: ${t.failure.reason}`,
        )
      : null,
  ];
}

/** @param {Catalog} catalog @param {Record<string, string>} status */
function drawSteps(catalog, status) {
  return table(
    'The onboarding’s steps, in order',
    ['Step', 'Service', 'Status'],
    catalog.onboarding.steps.map((step) => [
      words(step.id),
      step.service,
      h(
        'span',
        { class: `badge ${(status[step.id] ?? 'Pending').toLowerCase()}` },
        status[step.id] ?? 'Pending',
      ),
    ]),
  );
}

/**
 * @param {{ entries: { id: string, action: string, at: string, fromState?: string | null, toState?: string | null }[] }} timeline
 */
function drawTimeline({ entries }) {
  if (entries.length === 0) return h('p', {}, 'Nothing has happened yet.');
  return table(
    'What happened to the tenant, oldest first',
    ['When', 'What', 'Move'],
    entries.map((e) => [
      time(e.at),
      e.action,
      e.fromState || e.toState ? `${e.fromState ?? '—'} → ${e.toState ?? '—'}` : '',
    ]),
  );
}

/**
 * @param {Catalog} catalog
 * @param {{ edition: string, status: string, features: string[], flags: Record<string, boolean>,
 *   limits: Record<string, { max: number | null, used: number, remaining: number | null }> }} e
 */
function drawEntitlements(catalog, e) {
  return [
    h('p', {}, `Edition ${editionTitle(catalog, e.edition)}, ${e.status}.`),
    h('p', {}, `Features: ${e.features.length ? e.features.join(', ') : 'none'}.`),
    table(
      'Limits and usage',
      ['Limit', 'Used', 'Allowed', 'Remaining'],
      Object.entries(e.limits).map(([name, l]) => [
        name,
        l.used,
        l.max ?? 'unlimited',
        l.remaining ?? 'unlimited',
      ]),
    ),
    h(
      'p',
      {},
      `Flags: ${
        Object.entries(e.flags)
          .map(([flag, on]) => `${flag} ${on ? 'on' : 'off'}`)
          .join(', ') || 'none'
      }.`,
    ),
  ];
}

/**
 * @param {{ items: { workflowId: string, workflow: string, state: string, steps: Record<string, string>, startedAt?: string }[] }} runs
 */
function drawWorkflows({ items }) {
  if (items.length === 0) return h('p', {}, 'No workflow has run for this tenant.');
  return table(
    'The tenant’s workflow runs',
    ['Workflow', 'Run', 'State', 'Steps', 'Started'],
    items.map((run) => [
      run.workflow,
      h('code', {}, run.workflowId),
      run.state,
      Object.entries(run.steps)
        .map(([step, status]) => `${words(step)}: ${status}`)
        .join(', '),
      run.startedAt ? time(run.startedAt) : '',
    ]),
  );
}

/**
 * @param {string} caption
 * @param {string[]} columns
 * @param {import('./dom.js').Child[][]} rows
 */
function table(caption, columns, rows) {
  return h(
    'table',
    {},
    h('caption', {}, caption),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        columns.map((c) => h('th', { scope: 'col' }, c)),
      ),
    ),
    h(
      'tbody',
      {},
      rows.map((cells) =>
        h(
          'tr',
          {},
          cells.map((cell) => h('td', {}, cell)),
        ),
      ),
    ),
  );
}
