/**
 * The signed-in console: the Team Communicator, the invitations and the interaction windows, kept current by
 * the agent's event stream. Every change goes through the agent API; the windows show what the API answers.
 */
import { byId } from './dom.js';
import { EventStream } from './event-stream.js';
import { InteractionWindow, messageOf } from './interaction-window.js';
import { Invitations } from './invitations.js';
import { sessionStore } from './session-store.js';
import { TeamCommunicator } from './team-communicator.js';

/**
 * @typedef {import('./interaction-window.js').InteractionView} InteractionView
 * @typedef {import('./team-communicator.js').Action} Action
 * @typedef {import('./team-communicator.js').Mode} Mode
 * @typedef {import('./event-stream.js').AgentEvent} AgentEvent
 */

const pathOf = (/** @type {string} */ id) => `/interactions/${encodeURIComponent(id)}`;

/** The console of one signed-in agent. */
export class ConsoleApp {
  /**
   * @param {import('./api-client.js').ApiClient} api
   * @param {{ id: string, name: string }} me
   * @param {{ onSignedOut: (message: string) => void }} options
   */
  constructor(api, me, options) {
    this.api = api;
    this.me = me;
    this.options = options;
    /** @type {Map<string, InteractionWindow>} */
    this.windows = new Map();
    this.windowsEl = byId('windows');
    this.communicator = new TeamCommunicator({
      api,
      me,
      onAction: (action, mode) => void this.onAction(action, mode),
      onError: (message) => this.announce(message),
    });
    this.invitations = new Invitations({ onAnswer: (offered, answer) => this.answer(offered, answer) });
    this.stream = new EventStream({
      headers: () => api.headers(),
      lastEventId: sessionStore.lastEventId(),
      onEvent: (event) => this.onEvent(event),
      onStatus: (status) => this.showLinkState(status),
      onUnauthorized: () => this.options.onSignedOut('The API key was revoked. Sign in again.'),
    });
  }

  /** Reopens the windows of this tab, runs the first search and starts the stream. */
  async start() {
    this.stream.start();
    await this.communicator.search();
    for (const id of sessionStore.openInteractions()) {
      try {
        this.openView(await this.api.get(pathOf(id)), false);
      } catch {
        // Gone or no longer visible: it is not reopened.
      }
    }
    this.persist();
  }

  stop() {
    this.stream.stop();
  }

  /** @param {'connecting' | 'live' | 'reconnecting'} status */
  showLinkState(status) {
    const el = byId('link-state');
    el.hidden = false;
    el.className = `link-state ${status}`;
    el.textContent = { connecting: 'Connecting…', live: 'Live', reconnecting: 'Reconnecting…' }[status];
  }

  /** @param {string} message */
  announce(message) {
    const el = byId('results-empty');
    el.hidden = false;
    el.textContent = message;
  }

  persist() {
    sessionStore.setOpenInteractions([...this.windows.keys()].filter((id) => !id.startsWith('draft-')));
    byId('workspace-empty').hidden = this.windows.size > 0;
  }

  /** @param {AgentEvent} event */
  onEvent(event) {
    sessionStore.setLastEventId(event.id);
    const win = event.interactionId ? this.windows.get(event.interactionId) : undefined;
    switch (event.type) {
      case 'knowledge-worker.state':
        this.communicator.applyState(event.data.knowledgeWorker.id, event.data.state);
        return;
      case 'invitation.offered':
        this.invitations.add(event.data);
        break;
      case 'invitation.closed':
        this.invitations.remove(event.data.invitationId);
        break;
      case 'invitation.rejected':
      case 'invitation.timed_out':
      case 'invitation.failed':
        win?.showError(event.data.message ?? 'The invitation failed.');
        break;
      case 'invitation.accepted':
        win?.showError('');
        win?.showInfo(`${event.data.by?.name ?? 'The invitee'} accepted.`);
        break;
      case 'interaction.removed':
        win?.showError('You were deleted from the conference.');
        break;
      default:
        break;
    }
    if (win) void this.refresh(win);
  }

  /**
   * Reloads a window's interaction and transcript.
   * @param {InteractionWindow} win
   */
  async refresh(win) {
    if (!win.view) return;
    const id = win.view.id;
    try {
      const [view, transcript] = await Promise.all([
        this.api.get(pathOf(id)),
        this.api.get(`${pathOf(id)}/transcript`),
      ]);
      if (!this.windows.has(id)) return;
      win.view = view;
      win.render(transcript.entries);
    } catch (error) {
      win.showError(messageOf(error));
    }
  }

  /**
   * Runs an action of a window; shows its refusal in the window. Returns whether it succeeded.
   * @param {InteractionWindow} win
   * @param {'POST' | 'DELETE'} method
   * @param {string} path
   * @param {unknown} [body]
   */
  async act(win, method, path, body) {
    try {
      win.showError('');
      const view = await this.api.request(method, path, body);
      if (view && win.view && view.id === win.view.id) win.view = view;
      await this.refresh(win);
      return true;
    } catch (error) {
      win.showError(messageOf(error));
      return false;
    }
  }

  /**
   * Opens a window for an interaction (or focuses the one open).
   * @param {InteractionView} view
   * @param {boolean} [focus]
   */
  openView(view, focus = true) {
    let win = this.windows.get(view.id);
    if (!win) {
      win = new InteractionWindow(this, { view });
      this.windows.set(view.id, win);
      this.windowsEl.append(win.element);
      this.persist();
    }
    void this.refresh(win);
    if (focus) win.focus();
    return win;
  }

  /**
   * Opens a window to a target that starts with the first message ("Not Connected").
   * @param {{ kind: string, id: string, name: string }} target
   * @param {InteractionView | null} parent
   */
  openDraft(target, parent) {
    const win = new InteractionWindow(this, { draft: { target, parent } });
    this.windows.set(win.id, win);
    this.windowsEl.append(win.element);
    this.persist();
    win.focus();
  }

  /**
   * Sends the first message of a draft window: the IM (or consultation IM) starts.
   * @param {InteractionWindow} win
   * @param {string} text
   */
  async startIm(win, text) {
    const draft = win.draft;
    if (!draft) return;
    const view = await this.api.post('/interactions', {
      target: { kind: draft.target.kind, id: draft.target.id },
      text,
      ...(draft.parent ? { parentInteractionId: draft.parent.id } : {}),
    });
    this.windows.delete(win.id);
    win.view = view;
    win.id = view.id;
    this.windows.set(view.id, win);
    this.persist();
    await this.refresh(win);
  }

  /** @param {InteractionWindow} win */
  closeWindow(win) {
    win.element.remove();
    this.windows.delete(win.id);
    if (this.modeWindow === win) this.communicator.setMode(null);
    this.persist();
    byId('search').focus();
  }

  /**
   * Turns the Team Communicator to a consultation, transfer or conference of a window's interaction.
   * @param {InteractionWindow} win
   * @param {'consult' | 'transfer' | 'conference'} kind
   */
  async startMode(win, kind) {
    if (!win.view) return;
    /** @type {InteractionView} */
    let view;
    try {
      view = await this.api.get(pathOf(win.view.id));
      win.view = view;
    } catch (error) {
      win.showError(messageOf(error));
      return;
    }
    const consultations = [];
    if (kind !== 'consult') {
      for (const id of view.consultationIds) {
        try {
          /** @type {InteractionView} */
          const c = this.windows.get(id)?.view ?? (await this.api.get(pathOf(id)));
          const other = c.parties.find((p) => p.status === 'connected' && p.person.id !== this.me.id);
          if (c.endedAt === null && other) consultations.push({ id, name: other.person.name });
        } catch {
          // A consultation that cannot be read is not offered.
        }
      }
    }
    this.modeWindow = win;
    this.communicator.setMode({ kind, interactionId: view.id, media: view.media, title: win.title(), consultations });
  }

  /**
   * @param {Action} action
   * @param {Mode | null} mode
   */
  async onAction(action, mode) {
    if (action.type === 'im' && action.entry) {
      this.openDraft(action.entry, null);
      return;
    }
    const win = mode ? this.windows.get(mode.interactionId) : undefined;
    if (!win?.view) return;
    if (action.type === 'im-consultation' && action.entry) {
      this.communicator.setMode(null);
      this.openDraft(action.entry, win.view);
      return;
    }
    if (action.type === 'escalate' && action.kind) {
      const body = action.consultationId
        ? { kind: action.kind, consultationId: action.consultationId }
        : { kind: action.kind, target: { kind: action.entry?.kind, id: action.entry?.id } };
      const ok = await this.act(win, 'POST', `${pathOf(win.view.id)}/escalations`, body);
      if (ok) {
        this.communicator.setMode(null);
        win.focus();
      }
    }
  }

  /**
   * Accepts or rejects an invitation; an accepted one opens its window.
   * @param {import('./invitations.js').Offered} offered
   * @param {'accept' | 'reject'} answer
   */
  async answer(offered, answer) {
    const path = `${pathOf(offered.interactionId)}/invitations/${encodeURIComponent(offered.invitationId)}/${answer}`;
    const view = await this.api.post(path);
    if (answer === 'accept') this.openView(view);
  }
}
