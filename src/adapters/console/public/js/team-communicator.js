/**
 * The Team Communicator: searches experts, agents, routing points and queues with their live state dots, and
 * offers the actions of the moment: Send instant message; or, started from an interaction, consultation,
 * transfer or conference (including to an active consultation).
 */
import { byId, fill, h } from './dom.js';
import { kindLabel, stateLabel } from './format.js';

/**
 * @typedef {import('../../../agent-api/api-types.js').DirectoryEntry} DirectoryEntry
 * @typedef {'consult' | 'transfer' | 'conference'} EscalationKind
 * @typedef {{ kind: EscalationKind, interactionId: string, media: string, title: string, consultations: { id: string, name: string }[] }} Mode
 * @typedef {{ type: 'im' | 'im-consultation' | 'escalate', entry?: DirectoryEntry, kind?: EscalationKind, consultationId?: string, consultationName?: string }} Action
 */

/** The Team Communicator panel. */
export class TeamCommunicator {
  /**
   * @param {{ api: import('./api-client.js').ApiClient, me: { id: string }, onAction: (action: Action, mode: Mode | null) => void, onError: (message: string) => void }} options
   */
  constructor(options) {
    this.options = options;
    /** @type {Mode | null} */
    this.mode = null;
    /** @type {DirectoryEntry[]} */
    this.entries = [];
    this.searchSeq = 0;
    this.input = /** @type {HTMLInputElement} */ (byId('search'));
    this.list = byId('results');
    this.timer = 0;
    this.input.addEventListener('input', () => {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => void this.search(), 150);
    });
    byId('search-form').addEventListener('submit', (event) => {
      event.preventDefault();
      void this.search();
    });
    byId('communicator-mode-cancel').addEventListener('click', () => this.setMode(null));
    this.input.addEventListener('keydown', (event) => {
      if (event.key === 'Escape' && this.mode) this.setMode(null);
    });
  }

  /** Runs the search for the text in the box and shows the results. */
  async search() {
    const seq = ++this.searchSeq;
    const q = this.input.value.trim();
    try {
      const { entries } = await this.options.api.get(`/directory?limit=50${q ? `&q=${encodeURIComponent(q)}` : ''}`);
      if (seq !== this.searchSeq) return;
      this.entries = entries.filter(
        (/** @type {DirectoryEntry} */ e) => !(e.kind === 'agent' && e.id === this.options.me.id),
      );
      this.render();
    } catch (error) {
      this.options.onError(error instanceof Error ? error.message : String(error));
    }
  }

  /**
   * Switches to an action of an interaction (or back to instant messages with null); focuses the search box.
   * @param {Mode | null} mode
   */
  setMode(mode) {
    this.mode = mode;
    const box = byId('communicator-mode');
    box.hidden = mode === null;
    if (mode) {
      const verb = { consult: 'Consult about', transfer: 'Transfer', conference: 'Conference' }[mode.kind];
      byId('communicator-mode-text').textContent = `${verb}: ${mode.title}`;
    }
    this.renderConsultations();
    this.render();
    if (mode) this.input.focus();
  }

  /**
   * A knowledge worker's new state (live): updates the dot in place, then the routing points' states.
   * @param {string} id
   * @param {{ kind: string, reason?: string }} state
   */
  applyState(id, state) {
    const entry = this.entries.find((e) => e.kind === 'knowledge-worker' && e.id === id);
    if (entry) {
      entry.state = state;
      this.updateState(entry);
    }
    void this.refreshRoutingPoints();
  }

  async refreshRoutingPoints() {
    try {
      const { entries } = await this.options.api.get('/directory?kind=routing-point&limit=500');
      for (const fresh of entries) {
        const entry = this.entries.find((e) => e.kind === 'routing-point' && e.id === fresh.id);
        if (!entry) continue;
        entry.state = fresh.state;
        this.updateState(entry);
      }
    } catch (error) {
      this.options.onError(error instanceof Error ? error.message : String(error));
    }
  }

  /** @param {DirectoryEntry} entry */
  updateState(entry) {
    const row = this.list.querySelector(`[data-key="${CSS.escape(`${entry.kind}/${entry.id}`)}"]`);
    if (!row) return;
    const dot = row.querySelector('.dot');
    const label = row.querySelector('.entry-state');
    if (dot) dot.className = `dot ${entry.state.kind}`;
    if (label) label.textContent = stateLabel(entry.state);
  }

  render() {
    byId('results-empty').hidden = this.entries.length > 0;
    fill(this.list, ...this.entries.map((e) => this.row(e)));
  }

  /** @param {DirectoryEntry} entry */
  row(entry) {
    const state = stateLabel(entry.state);
    return h(
      'li',
      { 'data-key': `${entry.kind}/${entry.id}` },
      h(
        'div',
        { class: 'entry-head' },
        h('span', { class: `dot ${entry.state.kind}`, 'aria-hidden': 'true' }),
        h('span', { class: 'entry-name', text: entry.name }),
        h('span', { class: 'entry-kind', text: kindLabel(entry.kind) }),
      ),
      h('div', { class: 'entry-state', text: state }),
      h('div', { class: 'entry-actions' }, ...this.actionsFor(entry)),
    );
  }

  /** @param {DirectoryEntry} entry */
  actionsFor(entry) {
    const button = (/** @type {string} */ text, /** @type {string} */ label, /** @type {Action} */ action) =>
      h('button', {
        type: 'button',
        text,
        'aria-label': label,
        onclick: () => this.options.onAction(action, this.mode),
      });
    const mode = this.mode;
    if (!mode) return [button('Send IM', `Send instant message to ${entry.name}`, { type: 'im', entry })];
    if (mode.kind === 'consult') {
      const im = button('IM consultation', `Start instant message consultation with ${entry.name}`, {
        type: 'im-consultation',
        entry,
      });
      if (mode.media !== 'chat') return [im];
      return [
        im,
        button('Chat consultation', `Start chat consultation with ${entry.name}`, {
          type: 'escalate',
          kind: 'consult',
          entry,
        }),
      ];
    }
    if (mode.kind === 'transfer')
      return [
        button('Transfer', `Instant chat transfer to ${entry.name}`, { type: 'escalate', kind: 'transfer', entry }),
      ];
    return [
      button('Conference', `Instant chat conference with ${entry.name}`, {
        type: 'escalate',
        kind: 'conference',
        entry,
      }),
    ];
  }

  /** The active consultations of the interaction, for a transfer or a conference to one of them. */
  renderConsultations() {
    const section = byId('active-consultations');
    const mode = this.mode;
    const list = mode && mode.kind !== 'consult' ? mode.consultations : [];
    section.hidden = list.length === 0;
    if (!mode || list.length === 0) return;
    const verb = mode.kind === 'transfer' ? 'Instant chat transfer to' : 'Instant chat conference with';
    fill(
      byId('active-consultation-list'),
      ...list.map((c) =>
        h(
          'li',
          {},
          h('div', { class: 'entry-head' }, h('span', { class: 'entry-name', text: c.name })),
          h('div', { class: 'entry-state', text: 'In consultation with you' }),
          h(
            'div',
            { class: 'entry-actions' },
            h('button', {
              type: 'button',
              class: 'primary',
              text: mode.kind === 'transfer' ? 'Transfer' : 'Conference',
              'aria-label': `${verb} ${c.name} (active consultation)`,
              onclick: () =>
                this.options.onAction(
                  { type: 'escalate', kind: mode.kind, consultationId: c.id, consultationName: c.name },
                  mode,
                ),
            }),
          ),
        ),
      ),
    );
  }
}
