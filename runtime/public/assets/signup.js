// @ts-check
/**
 * The sign-up page: the plans from the catalog, a form checked as `POST /tenants` checks it, and
 * the onboarding's progress, read with the sign-up's progress token until the workspace is
 * active or its set-up has failed.
 */
import { ApiError, api, loadCatalog } from './api.js';
import { byId, h, messageOf, replace, say, words } from './dom.js';

/** @typedef {import('./api.js').Catalog} Catalog @typedef {import('./api.js').Tenant} Tenant */

/** How often the progress is read while the workspace is being set up. */
const pollMs = 1000;

/** The form's fields, by the path the API names them with in its problem details. */
const fields = {
  '/slug': byId('slug', HTMLInputElement),
  '/name': byId('name', HTMLInputElement),
  '/edition': byId('edition', HTMLSelectElement),
  '/owner/email': byId('owner-email', HTMLInputElement),
  '/owner/name': byId('owner-name', HTMLInputElement),
};
const form = byId('signup', HTMLFormElement);
const formError = byId('form-error', HTMLElement);
const loadStatus = byId('load-status', HTMLElement);

/** The last attempt: the same body sent again (after a lost answer) reuses its key. */
let attempt = { body: '', key: '' };

try {
  const catalog = await loadCatalog();
  showCatalog(catalog);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void submit(catalog);
  });
  loadStatus.textContent = '';
} catch (error) {
  say(loadStatus, `The plans cannot be loaded: ${messageOf(error)}`);
  form.hidden = true;
}

/** @param {Catalog} catalog */
function showCatalog(catalog) {
  document.title = `Sign up · ${catalog.product.title}`;
  byId('brand', HTMLElement).textContent = catalog.product.title;
  byId('slug-hint', HTMLElement).textContent =
    `The short name in your workspace’s address, matching ${catalog.slugPattern}; it cannot be changed later.`;
  const edition = fields['/edition'];
  replace(
    edition,
    catalog.editions.map((e) =>
      h('option', { value: e.id, selected: e.id === catalog.defaultEdition }, e.title),
    ),
  );
  replace(
    byId('plans', HTMLElement),
    catalog.editions.map((e) => {
      const title = `plan-${e.id}`;
      return h(
        'li',
        { class: 'plan', 'aria-labelledby': title },
        h('h3', { id: title }, e.title),
        h('p', { class: 'price' }, price(e.price)),
        e.trialDays > 0 ? h('p', {}, `${e.trialDays}-day free trial`) : null,
        h(
          'ul',
          {},
          e.features.map((f) => h('li', {}, f.title)),
        ),
        h(
          'dl',
          { class: 'limits' },
          Object.entries(e.limits).flatMap(([name, max]) => [
            h('dt', {}, name),
            // The catalog says `null` for a limit without a cap.
            h('dd', {}, max === null ? 'Unlimited' : max),
          ]),
        ),
        h(
          'button',
          {
            type: 'button',
            class: 'secondary',
            'aria-describedby': title,
            onclick: () => {
              edition.value = e.id;
              edition.focus();
            },
          },
          `Choose ${e.title}`,
        ),
      );
    }),
  );
}

/** @param {import('./api.js').Price} p */
function price(p) {
  if (p.amount === 0) return 'Free';
  const amount = new Intl.NumberFormat(undefined, {
    style: 'currency',
    currency: p.currency,
  }).format(p.amount);
  return `${amount} a ${p.interval}`;
}

/** @param {Catalog} catalog */
async function submit(catalog) {
  clearErrors();
  const problems = check(catalog);
  if (problems.length > 0) {
    problems.forEach(([path, message]) => showError(path, message));
    focusFirstError();
    return;
  }
  const body = {
    slug: fields['/slug'].value.trim(),
    name: fields['/name'].value.trim(),
    edition: fields['/edition'].value,
    owner: { email: fields['/owner/email'].value.trim(), name: fields['/owner/name'].value.trim() },
  };
  const text = JSON.stringify(body);
  if (attempt.body !== text) attempt = { body: text, key: crypto.randomUUID() };
  const button = byId('submit', HTMLButtonElement);
  button.disabled = true;
  try {
    /** @type {{ tenantId: string, progressToken: string }} */
    const accepted = await api('/tenants', {
      method: 'POST',
      body,
      headers: { 'idempotency-key': attempt.key },
    });
    form.hidden = true;
    void follow(catalog, accepted.tenantId, accepted.progressToken);
  } catch (error) {
    showProblem(error);
  } finally {
    button.disabled = false;
  }
}

/**
 * What the form's own checks find wrong, as `POST /tenants` would: required fields, the slug's
 * pattern, an e-mail address.
 *
 * @param {Catalog} catalog
 * @returns {[keyof typeof fields, string][]}
 */
function check(catalog) {
  /** @type {[keyof typeof fields, string][]} */
  const problems = [];
  for (const [path, field] of Object.entries(fields))
    if (field.value.trim() === '')
      problems.push([/** @type {keyof typeof fields} */ (path), 'This is required.']);
  const slug = fields['/slug'].value.trim();
  if (slug !== '' && !new RegExp(catalog.slugPattern, 'u').test(slug))
    problems.push(['/slug', `This does not match ${catalog.slugPattern}.`]);
  const email = fields['/owner/email'];
  if (email.value.trim() !== '' && email.validity.typeMismatch)
    problems.push(['/owner/email', 'Enter an e-mail address, like name@example.com.']);
  return problems;
}

/** The API's refusal, on the fields it names, or for the whole form. @param {unknown} error */
function showProblem(error) {
  if (error instanceof ApiError) {
    const issues = (error.problem.errors ?? []).filter((issue) => issue.path in fields);
    issues.forEach((issue) =>
      showError(/** @type {keyof typeof fields} */ (issue.path), issue.message),
    );
    if (error.status === 409) showError('/slug', error.message);
    else if (issues.length === 0) formError.textContent = error.message;
  } else formError.textContent = messageOf(error);
  focusFirstError();
}

/** @param {keyof typeof fields} path @param {string} message */
function showError(path, message) {
  const field = fields[path];
  field.setAttribute('aria-invalid', 'true');
  const error = byId(`${field.id}-error`, HTMLElement);
  error.textContent = error.textContent ? `${error.textContent} ${message}` : message;
}

function clearErrors() {
  formError.textContent = '';
  for (const field of Object.values(fields)) {
    field.removeAttribute('aria-invalid');
    byId(`${field.id}-error`, HTMLElement).textContent = '';
  }
}

function focusFirstError() {
  const invalid = Object.values(fields).find((f) => f.getAttribute('aria-invalid') === 'true');
  (invalid ?? formError).focus();
}

/**
 * Reads the tenant until it is active or its set-up failed, drawing each step's status. The
 * progress token stays in this function: never stored, never in the address.
 *
 * @param {Catalog} catalog
 * @param {string} tenantId
 * @param {string} token
 */
async function follow(catalog, tenantId, token) {
  const section = byId('progress', HTMLElement);
  const status = byId('progress-status', HTMLElement);
  section.hidden = false;
  say(status, 'Your workspace is being set up…');
  byId('progress-title', HTMLElement).focus();
  for (;;) {
    /** @type {Tenant} */
    let tenant;
    try {
      tenant = await api(`/tenants/${tenantId}`, { token });
    } catch (error) {
      say(status, `The progress cannot be read: ${messageOf(error)}`);
      return;
    }
    showSteps(catalog, tenant);
    if (tenant.state === 'Active') {
      const trial =
        tenant.billing?.status === 'trialing' && tenant.billing.trialEndsAt
          ? ` Your trial ends on ${new Date(tenant.billing.trialEndsAt).toLocaleDateString()}: pay before then to keep it.`
          : '';
      say(
        status,
        `${tenant.name} is ready. We have e-mailed ${fields['/owner/email'].value.trim()} a link to activate your account.${trial}`,
      );
      showPayment(tenant.billing?.status === 'trialing' ? tenant.billing.checkoutUrl : undefined);
      return;
    }
    if (tenant.failure) {
      showPayment(undefined);
      say(
        status,
        `Setting up ${tenant.name} failed: ${tenant.failure.reason}. Our operators have been told; there is nothing you need to do.`,
      );
      return;
    }
    if (tenant.billing?.status === 'awaiting_payment') {
      say(
        status,
        tenant.billing.checkoutUrl
          ? `${tenant.name} waits for your payment: set-up finishes as soon as it is settled.`
          : `${tenant.name} waits for your payment: set-up finishes as soon as it is settled. Payment cannot be made on this site yet: please contact us to complete it.`,
      );
      showPayment(tenant.billing.checkoutUrl);
    } else say(status, `Your workspace is being set up (${tenant.state})…`);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

/**
 * The payment link, when there is one to follow (a paid edition waiting, a trial running).
 *
 * @param {string | undefined} url
 */
function showPayment(url) {
  const link = byId('payment', HTMLAnchorElement);
  link.hidden = url === undefined;
  if (url !== undefined) link.href = url;
}

/** @param {Catalog} catalog @param {Tenant} tenant */
function showSteps(catalog, tenant) {
  replace(
    byId('steps', HTMLElement),
    catalog.onboarding.steps.map((step) => {
      const state = tenant.steps[step.id] ?? 'Pending';
      return h(
        'li',
        { class: `step ${state.toLowerCase()}` },
        h('span', { class: 'step-name' }, words(step.id)),
        ' ',
        h('span', { class: 'badge' }, state),
      );
    }),
  );
}
