// @ts-check
/**
 * The operators' console: sign-in, then views chosen by the address's fragment —
 * `#/tenants` (by state, searchable), `#/tenants/<id>` (one tenant) and `#/dead-letters` — kept
 * up to date by reading the API every two seconds while the tab is visible.
 */
import { ApiError, api, loadCatalog } from './api.js';
import { byId, messageOf, say } from './dom.js';
import { call, session } from './session.js';
import { deadLettersView } from './view-dead-letters.js';
import { tenantView } from './view-tenant.js';
import { tenantsView } from './view-tenants.js';

/** @typedef {{ element: HTMLElement, refresh(): Promise<void> }} View */

const refreshMs = 2000;
const signIn = byId('sign-in', HTMLElement);
const signInForm = byId('sign-in-form', HTMLFormElement);
const tokenInput = byId('token', HTMLInputElement);
const tokenError = byId('token-error', HTMLElement);
const nav = byId('nav', HTMLElement);
const container = byId('view', HTMLElement);
const notice = byId('notice', HTMLElement);

const catalog = await loadCatalog().catch((error) => {
  say(notice, `The catalog cannot be loaded: ${messageOf(error)}`);
  throw error;
});
document.title = `Operator console · ${catalog.product.title}`;
byId('brand', HTMLElement).textContent = `${catalog.product.title} · operator console`;

/** @type {View | undefined} */
let current;

session.onRefused((reason) => showSignIn(reason));

signInForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  const token = tokenInput.value.trim();
  tokenError.textContent = '';
  tokenInput.removeAttribute('aria-invalid');
  if (!token) return refuseToken('Enter the operator token.');
  try {
    // Any operator route tells whether the token is an operator's.
    await api('/tenants/counts', { token });
  } catch (error) {
    if (error instanceof ApiError && error.status === 403)
      return refuseToken('This token is valid, but it is not an operator’s.');
    if (error instanceof ApiError && error.status === 401)
      return refuseToken(`This token is refused: ${error.message}.`);
    return refuseToken(messageOf(error));
  }
  session.start(token);
  tokenInput.value = '';
  say(notice, 'Signed in.');
  show();
});

byId('sign-out', HTMLButtonElement).addEventListener('click', () => {
  session.end();
  showSignIn('Signed out.');
});

/** @param {string} message */
function refuseToken(message) {
  tokenError.textContent = message;
  tokenInput.setAttribute('aria-invalid', 'true');
  tokenInput.focus();
}

/** @param {string} message */
function showSignIn(message) {
  current = undefined;
  container.hidden = true;
  container.replaceChildren();
  nav.hidden = true;
  signIn.hidden = false;
  say(notice, message);
  tokenInput.focus();
}

/** Shows the view the fragment names (the tenants when it names none). */
function show() {
  if (!session.token()) return showSignIn('');
  signIn.hidden = true;
  nav.hidden = false;
  container.hidden = false;
  const [path = '', query = ''] = location.hash.slice(1).split('?');
  const params = new URLSearchParams(query);
  const tenant = /^\/tenants\/([^/]+)$/.exec(path);
  current = tenant
    ? tenantView(catalog, decodeURIComponent(tenant[1] ?? ''))
    : path === '/dead-letters'
      ? deadLettersView(params)
      : tenantsView(catalog, params);
  for (const link of nav.querySelectorAll('a'))
    link.toggleAttribute('aria-current', path.startsWith(link.hash.slice(1)));
  container.replaceChildren(current.element);
  void refresh();
  // A new view: its heading is where a keyboard or screen reader user continues.
  container.querySelector('h1')?.focus();
}

/**
 * The view whose read is under way: a tick does not start a second read of it, but a new view
 * reads at once, even while the one it replaced still waits for its answer.
 * @type {View | undefined}
 */
let refreshing;
async function refresh() {
  const view = current;
  if (!view || refreshing === view) return;
  refreshing = view;
  try {
    await view.refresh();
  } catch (error) {
    // A refused token has already signed out; any other failure is the view's to show, while
    // it is still the one shown.
    if (view === current && !(error instanceof ApiError && error.status === 401))
      say(notice, messageOf(error));
  } finally {
    if (refreshing === view) refreshing = undefined;
  }
}

window.addEventListener('hashchange', show);
// Live, but only while someone can see it.
setInterval(() => {
  if (!document.hidden) void refresh();
}, refreshMs);
document.addEventListener('visibilitychange', () => {
  if (!document.hidden) void refresh();
});
show();
