// @ts-check
/**
 * The operator's session: the token lives in `sessionStorage` (this tab only, gone when it
 * closes) and travels as `Authorization: Bearer`, never in an address and never as a cookie —
 * a browser attaches cookies to requests other sites make it send, a header it never does, so
 * the console needs no CSRF defence.
 */
import { ApiError, api } from './api.js';

const key = 'operatorToken';

/** @type {(reason: string) => void} */
let whenRefused = () => undefined;

export const session = {
  /** @returns {string | null} */
  token: () => sessionStorage.getItem(key),
  /** @param {string} token */
  start: (token) => sessionStorage.setItem(key, token),
  end: () => sessionStorage.removeItem(key),
  /** Called when the API refuses the token (it expired or was changed). @param {(reason: string) => void} handler */
  onRefused: (handler) => {
    whenRefused = handler;
  },
};

/**
 * An API call as the signed-in operator; a refused token ends the session.
 *
 * @param {string} path
 * @param {{ method?: string, body?: unknown }} [options]
 */
export async function call(path, options = {}) {
  try {
    return await api(path, { ...options, token: session.token() });
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      session.end();
      whenRefused(`Signed out: ${error.message}.`);
    }
    throw error;
  }
}
