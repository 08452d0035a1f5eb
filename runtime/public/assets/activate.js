// @ts-check
/**
 * The activation page: the invited owner's link carries the tenant and the code in its fragment
 * (`#tenant=…&code=…`), which the browser never sends to a server; `POST /activation` checks it.
 */
import { ApiError, api, loadCatalog } from './api.js';
import { byId, messageOf, say } from './dom.js';

const form = byId('activate', HTMLFormElement);
const tenant = byId('tenant', HTMLInputElement);
const code = byId('code', HTMLInputElement);
const result = byId('result', HTMLElement);

/** What each refusal of `POST /activation` means to the owner. */
const refusals = /** @type {Record<number, string>} */ ({
  400: 'This code is not right. Check that you copied the whole link or code from the e-mail.',
  409: 'This code has already been used: your account is active. You can sign in.',
  410: 'This code has expired. Ask your workspace’s operators for a new invitation.',
  429: 'Too many attempts from here. Wait a minute and try again.',
});

const fragment = new URLSearchParams(location.hash.slice(1));
tenant.value = fragment.get('tenant') ?? '';
code.value = fragment.get('code') ?? '';
// The code has been read: it need not stay in the address bar or the history.
if (location.hash) history.replaceState(null, '', location.pathname);

loadCatalog().then(
  (catalog) => {
    document.title = `Activate your account · ${catalog.product.title}`;
    byId('brand', HTMLElement).textContent = catalog.product.title;
  },
  () => undefined,
);

form.addEventListener('submit', (event) => {
  event.preventDefault();
  void activate();
});
if (tenant.value && code.value) void activate();

async function activate() {
  const tenantId = tenant.value.trim();
  const value = code.value.trim();
  if (!tenantId || !value) {
    say(result, 'Enter the workspace identifier and the code from the e-mail.');
    (tenantId ? code : tenant).focus();
    return;
  }
  const button = byId('submit', HTMLButtonElement);
  button.disabled = true;
  say(result, 'Activating…');
  try {
    await api('/activation', { method: 'POST', body: { tenantId, code: value } });
    say(result, 'Your account is active. Welcome aboard!');
    form.hidden = true;
  } catch (error) {
    const refusal = error instanceof ApiError ? refusals[error.status] : undefined;
    say(result, refusal ?? `The account could not be activated: ${messageOf(error)}`);
  } finally {
    button.disabled = false;
    result.focus();
  }
}
