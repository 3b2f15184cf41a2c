/**
 * What the console keeps in this browser tab (sessionStorage): the API key, the last event id (to resume the
 * stream after a reload) and the open interaction windows. Nothing outlives the tab.
 */

const prefix = 'ucc-console.';

/** @param {string} name */
function read(name) {
  return sessionStorage.getItem(prefix + name);
}

/**
 * @param {string} name
 * @param {string | null} value
 */
function write(name, value) {
  if (value === null) sessionStorage.removeItem(prefix + name);
  else sessionStorage.setItem(prefix + name, value);
}

/** The tab's console session. */
export const sessionStore = {
  key: () => read('key'),
  /** @param {string | null} key */
  setKey: (key) => write('key', key),
  lastEventId: () => read('last-event-id'),
  /** @param {string | null} id */
  setLastEventId: (id) => write('last-event-id', id),
  /** @returns {string[]} */
  openInteractions: () => {
    try {
      const ids = JSON.parse(read('open') ?? '[]');
      return Array.isArray(ids) ? ids.filter((x) => typeof x === 'string') : [];
    } catch {
      return [];
    }
  },
  /** @param {string[]} ids */
  setOpenInteractions: (ids) => write('open', JSON.stringify(ids)),
  /** Forgets everything (sign out). */
  clear: () => {
    for (const name of ['key', 'last-event-id', 'open']) write(name, null);
  },
};
