// @ts-check
/** Small helpers to build the pages' DOM without markup in strings (nothing is ever parsed). */

/**
 * @typedef {Node | string | number | null | undefined | false} Child
 * @typedef {Child | Child[] | (Child | Child[])[]} Content what may go in an element: nested lists are flattened
 * @typedef {Record<string, string | number | boolean | null | undefined | ((event: Event) => void)>} Attributes
 */

/**
 * An element with attributes (`on…` functions become listeners; `true` is an empty attribute;
 * `false`, `null` and `undefined` are left out) and children (strings become text).
 *
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Attributes} [attributes]
 * @param {...Content} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (typeof value === 'function') element.addEventListener(name.slice(2), value);
    else if (value === true) element.setAttribute(name, '');
    else if (value !== false && value !== null && value !== undefined)
      element.setAttribute(name, String(value));
  }
  element.append(...nodes(children));
  return element;
}

/** @param {Content[]} children @returns {(Node | string)[]} */
function nodes(children) {
  return children
    .flat(2)
    .filter((child) => child !== null && child !== undefined && child !== false)
    .map((child) =>
      typeof child === 'number' ? String(child) : /** @type {Node|string} */ (child),
    );
}

/**
 * Replaces what `parent` holds.
 *
 * @param {Element} parent
 * @param {...Content} children
 */
export function replace(parent, ...children) {
  parent.replaceChildren(...nodes(children));
}

/**
 * The element with this id, of the expected kind; a page without it is a broken page.
 *
 * @template {HTMLElement} T
 * @param {string} id
 * @param {new () => T} kind
 * @returns {T}
 */
export function byId(id, kind) {
  const element = document.getElementById(id);
  if (!(element instanceof kind)) throw new Error(`the page has no ${kind.name} #${id}`);
  return element;
}

/** @param {string} iso a date and time, shown in the reader's locale */
export function when(iso) {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}

/** A `<time>` element for an ISO date and time. @param {string} iso */
export function time(iso) {
  return h('time', { datetime: iso }, when(iso));
}

/**
 * Puts a message in a live region, only when it changes: screen readers announce every change.
 *
 * @param {HTMLElement} region
 * @param {string} message
 */
export function say(region, message) {
  if (region.textContent !== message) region.textContent = message;
}

/** `activationEmail` → `Activation email`: an identifier, in words. @param {string} id */
export function words(id) {
  const spaced = id.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/[-_]/g, ' ');
  return spaced.charAt(0).toUpperCase() + spaced.slice(1).toLowerCase();
}

/** @param {unknown} error */
export function messageOf(error) {
  return error instanceof Error ? error.message : String(error);
}

/** @type {WeakMap<Element, string>} */
const drawn = new WeakMap();

/**
 * Draws `data` into `element`, unless it is what is drawn there already: a refresh that changes
 * nothing leaves focus, selection and open details where they are.
 *
 * @template T
 * @param {Element} element
 * @param {T} data
 * @param {(data: T) => Content} draw
 */
export function redraw(element, data, draw) {
  const json = JSON.stringify(data);
  if (drawn.get(element) === json) return;
  drawn.set(element, json);
  replace(element, draw(data));
}

/**
 * A titled section of a view, and the element its content goes in.
 *
 * @param {string} id
 * @param {string} title
 */
export function section(id, title) {
  const body = h('div', { id: `${id}-body` });
  const element = h(
    'section',
    { 'aria-labelledby': `${id}-title` },
    h('h2', { id: `${id}-title` }, title),
    body,
  );
  return { element, body };
}

/**
 * Draws what a request answered into its section, or says why it could not be read.
 *
 * @template T
 * @param {Element} element
 * @param {PromiseSettledResult<T>} result
 * @param {(data: T) => Content} draw
 */
export function settle(element, result, draw) {
  if (result.status === 'fulfilled') redraw(element, result.value, draw);
  else
    redraw(element, messageOf(result.reason), (m) =>
      h('p', { class: 'error' }, `Cannot be read: ${m}`),
    );
}
