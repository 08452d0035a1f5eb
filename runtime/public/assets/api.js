// @ts-check
/**
 * The one way the pages talk to the product: JSON over `fetch`, to the same origin, with the
 * API's problem details (RFC 9457) turned into an `ApiError` the pages can show.
 */

/**
 * @typedef {{ in: string, path: string, message: string }} Issue
 * @typedef {{ type?: string, title: string, status: number, detail?: string, errors?: Issue[] }} Problem
 * @typedef {{ from: string, to: string, on: string }} Transition
 * @typedef {{ states: string[], initial: string, transitions: Transition[] }} Machine
 * @typedef {{ id: string, service: string, on: string, emits: string, compensate: string | null }} Step
 * @typedef {{ id: string, title: string }} Feature
 * @typedef {{ amount: number, currency: string, interval: string }} Price
 * @typedef {{ id: string, title: string, trialDays: number, price: Price, features: Feature[], limits: Record<string, number | null> }} Edition
 * @typedef {{ id: string, steps: Step[], timeoutMs: number }} WorkflowDefinition
 * @typedef {{
 *   product: { name: string, title: string },
 *   slugPattern: string,
 *   defaultEdition: string,
 *   editions: Edition[],
 *   onboarding: WorkflowDefinition,
 *   tenantMachine: Machine,
 *   workflowMachine: Machine,
 *   workflows: (WorkflowDefinition & { startedBy: string })[],
 * }} Catalog
 * @typedef {{
 *   tenantId: string, slug: string, name: string, edition: string, state: string,
 *   steps: Record<string, string>, correlationId: string,
 *   failure: { reason: string, step?: string } | null,
 *   billing?: Billing | null,
 *   pendingEdition?: { edition: string, requestedAt: string, expiresAt: string, checkoutUrl?: string } | null,
 * }} Tenant
 * @typedef {{
 *   status: 'trialing' | 'awaiting_payment' | 'active' | 'past_due' | 'canceled',
 *   edition: string, trialEndsAt: string | null, paidAt: string | null, checkoutUrl?: string,
 * }} Billing
 */

/** A refusal or failure the API explained with a problem document. */
export class ApiError extends Error {
  /** @param {Problem} problem */
  constructor(problem) {
    super(problem.detail ?? problem.title);
    this.name = 'ApiError';
    this.problem = problem;
    this.status = problem.status;
  }
}

/**
 * Calls the API and answers its JSON (`undefined` for an empty answer); throws `ApiError` when it
 * answers with an error, and a plain `Error` when it cannot be reached.
 *
 * @param {string} path
 * @param {{ method?: string, body?: unknown, token?: string | null, headers?: Record<string, string> }} [options]
 * @returns {Promise<any>}
 */
export async function api(path, { method = 'GET', body, token, headers = {} } = {}) {
  /** @type {Record<string, string>} */
  const sent = { accept: 'application/json, application/problem+json', ...headers };
  if (body !== undefined) sent['content-type'] = 'application/json';
  // A bearer header, never a cookie: no request the browser makes on its own carries it.
  if (token) sent.authorization = `Bearer ${token}`;
  /** @type {Response} */
  let response;
  try {
    response = await fetch(path, {
      method,
      headers: sent,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch {
    throw new Error('The service cannot be reached. Check your connection and try again.');
  }
  const text = await response.text();
  const json = text ? parseJson(text) : undefined;
  if (response.ok) return json;
  const problem =
    json && typeof json === 'object' && 'status' in json
      ? /** @type {Problem} */ (json)
      : { title: response.statusText || 'Error', status: response.status };
  throw new ApiError(problem);
}

/** @param {string} text */
function parseJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    throw new Error('The service answered something that is not JSON.');
  }
}

/**
 * An edition as people name it: its title in the catalog (its id only if the catalog has no such
 * edition, as for a tenant of an edition a newer blueprint dropped).
 *
 * @param {Catalog} catalog
 * @param {string} id
 */
export function editionTitle(catalog, id) {
  return catalog.editions.find((edition) => edition.id === id)?.title ?? id;
}

/** @type {Promise<Catalog> | undefined} */
let catalog;

/**
 * What the product sells and how its onboarding runs: everything blueprint-specific the pages
 * show comes from here.
 *
 * @returns {Promise<Catalog>}
 */
export function loadCatalog() {
  return (catalog ??= api('/catalog'));
}
