/**
 * The agent console's entry: sign in with an agent's API key (kept in sessionStorage for this tab), then run the
 * console; sign out forgets the key.
 */
import { ApiClient, ApiError } from './api-client.js';
import { ConsoleApp } from './console-app.js';
import { byId } from './dom.js';
import { sessionStore } from './session-store.js';

/** @type {ConsoleApp | null} */
let running = null;

/**
 * Checks a key and starts the console with it; returns why not, or null.
 * @param {string} key
 * @returns {Promise<string | null>}
 */
async function signIn(key) {
  const api = new ApiClient(key);
  let me;
  try {
    me = await api.get('/me');
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return 'This API key is unknown or revoked.';
    return error instanceof Error ? error.message : String(error);
  }
  if (!me.agent) return "This is a platform key. Sign in with an agent's API key.";
  sessionStore.setKey(key);
  byId('sign-in-view').hidden = true;
  byId('console-view').hidden = false;
  const who = byId('whoami');
  who.hidden = false;
  who.textContent = `${me.agent.name} · ${me.contactCenter}`;
  byId('sign-out').hidden = false;
  document.title = `${me.agent.name} — Agent console`;
  running = new ConsoleApp(api, me.agent, { onSignedOut: (message) => signOut(message) });
  await running.start();
  byId('search').focus();
  return null;
}

/** @param {string} [message] */
function signOut(message = '') {
  running?.stop();
  running = null;
  sessionStore.clear();
  if (message) sessionStorage.setItem('ucc-console.notice', message);
  location.reload();
}

async function boot() {
  const form = /** @type {HTMLFormElement} */ (byId('sign-in-form'));
  const input = /** @type {HTMLInputElement} */ (byId('api-key'));
  const error = byId('sign-in-error');
  byId('sign-out').addEventListener('click', () => signOut());
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const key = input.value.trim();
    if (!key) {
      error.textContent = 'Enter your API key.';
      input.focus();
      return;
    }
    error.textContent = '';
    const problem = await signIn(key);
    if (problem) {
      error.textContent = problem;
      input.setAttribute('aria-invalid', 'true');
      input.focus();
    }
  });
  const notice = sessionStorage.getItem('ucc-console.notice');
  sessionStorage.removeItem('ucc-console.notice');
  if (notice) error.textContent = notice;
  const saved = sessionStore.key();
  if (saved) {
    const problem = await signIn(saved);
    if (!problem) return;
    sessionStore.clear();
    error.textContent = problem;
  }
  input.focus();
}

void boot();
