/**
 * One interaction window: the party and status (Not Connected, Establishing, Connected, Ended), the case
 * information, the parties, the actions (End, Done, Cancel, Consult, Transfer, Conference, Delete from
 * conference), the escalation target, the transcript and the message box (Send, or Enter).
 */
import { h } from './dom.js';
import { escalationTargetSection } from './escalation-target.js';
import { originLabel, requestLabel, statusLabel } from './format.js';
import { TranscriptView } from './transcript.js';

let windowCount = 0;

/**
 * @typedef {import('../../../agent-api/api-types.js').Party} Party
 * @typedef {import('../../../agent-api/api-types.js').InteractionView} InteractionView
 * @typedef {{ kind: string, id: string, name: string }} DraftTarget
 * @typedef {import('./console-app.js').ConsoleApp} ConsoleApp
 */

/** An interaction window (or a draft one, before the first message starts the session). */
export class InteractionWindow {
  /**
   * @param {ConsoleApp} app
   * @param {{ view?: InteractionView, draft?: { target: DraftTarget, parent: InteractionView | null } }} init
   */
  constructor(app, init) {
    this.app = app;
    /** @type {InteractionView | null} */
    this.view = init.view ?? null;
    this.draft = init.draft ?? null;
    this.id = this.view?.id ?? `draft-${++windowCount}`;
    /** @type {string | null} */
    this.voiceTargetFor = null;
    this.busy = false;
    const n = ++windowCount;
    this.titleEl = h('h2', { id: `window-title-${n}` });
    this.statusEl = h('span', { class: 'status' });
    this.caseEl = h('section', { class: 'case-info', 'aria-label': 'Case information' });
    this.partiesEl = h('ul', { class: 'parties', 'aria-label': 'Parties' });
    this.actionsEl = h('div', { class: 'actions', role: 'group', 'aria-label': 'Actions' });
    this.infoEl = h('p', { class: 'notice info', role: 'status' });
    this.errorEl = h('p', { class: 'notice', role: 'alert' });
    this.escalationEl = h('div', {});
    const list = /** @type {HTMLOListElement} */ (h('ol', {}));
    this.transcript = new TranscriptView(list, app.me.id);
    this.transcriptEl = h('div', { class: 'transcript', role: 'log', 'aria-label': 'Transcript' }, list);
    this.input = /** @type {HTMLTextAreaElement} */ (
      h('textarea', {
        id: `message-${n}`,
        rows: '2',
        placeholder: 'Type a message; Enter sends, Shift+Enter adds a line',
      })
    );
    this.internal = /** @type {HTMLInputElement} */ (h('input', { type: 'checkbox', id: `internal-${n}` }));
    this.internalEl = h(
      'label',
      { class: 'hint check', for: `internal-${n}` },
      this.internal,
      ' Internal (not shown to the customer)',
    );
    this.sendButton = h('button', { type: 'submit', class: 'primary', text: 'Send' });
    const form = h(
      'form',
      {
        class: 'composer',
        onsubmit: (/** @type {Event} */ e) => {
          e.preventDefault();
          void this.send();
        },
      },
      h('div', { class: 'field' }, h('label', { for: `message-${n}`, text: 'Message' }), this.input, this.internalEl),
      this.sendButton,
    );
    this.input.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        void this.send();
      }
    });
    this.element = h(
      'section',
      { class: 'window', 'aria-labelledby': this.titleEl.id },
      h('div', { class: 'window-head' }, this.titleEl, this.statusEl),
      h(
        'div',
        { class: 'window-body' },
        this.caseEl,
        this.partiesEl,
        this.actionsEl,
        this.infoEl,
        this.errorEl,
        this.escalationEl,
      ),
      this.transcriptEl,
      form,
    );
    if (this.view) this.render([]);
    else this.renderDraft();
  }

  /** Puts the keyboard focus in the message box. */
  focus() {
    this.input.focus();
  }

  /** @param {string} text */
  showInfo(text) {
    this.infoEl.textContent = text;
  }

  /** @param {string} text */
  showError(text) {
    this.errorEl.textContent = text;
  }

  /** The signed-in agent's latest party. */
  myParty() {
    return this.view?.parties.findLast((p) => p.person.id === this.app.me.id);
  }

  /** The name the window is about: the customer, the other party, or the target being reached. */
  counterpartName() {
    const view = this.view;
    if (!view) return this.draft?.target.name ?? '';
    if (view.media === 'chat') return view.parties.find((p) => p.role === 'Customer')?.person.name ?? 'Customer';
    const others = view.parties.filter((p) => p.person.id !== this.app.me.id);
    const other =
      others.findLast((p) => p.status === 'connected') ??
      others.findLast((p) => p.status === 'establishing') ??
      others.at(-1);
    if (other) return other.person.name;
    const t = view.request?.target;
    return t ? (t.kind === 'person' ? t.person.name : t.name) : '';
  }

  /** "Chat: Pat Customer", "Consultation: Ann Billing", "Instant message: Leo Legal". */
  title() {
    const name = this.counterpartName();
    if (this.view?.media === 'chat') return `Chat: ${name}`;
    const consultation = this.view ? this.view.origin.kind === 'consultation' : Boolean(this.draft?.parent);
    return `${consultation ? 'Consultation' : 'Instant message'}: ${name}`;
  }

  renderDraft() {
    const draft = this.draft;
    if (!draft) return;
    this.element.className = `window im${draft.parent ? ' consultation' : ''}`;
    this.titleEl.textContent = this.title();
    this.statusEl.className = 'status draft';
    this.statusEl.textContent = statusLabel('draft');
    this.renderCase(draft.parent ? consultationOrigin(this.app.me) : null, draft.parent?.attachedData);
    this.partiesEl.replaceChildren(partyItem(draft.target.name, 'Not Connected', 'draft'));
    this.actionsEl.replaceChildren(this.button('Done', () => this.app.closeWindow(this)));
    this.internalEl.hidden = true;
    this.transcript.showWelcome('Welcome to Instant Messaging. Send a message to start the session.');
  }

  /**
   * @param {{ kind: string, text: string } | null} origin
   * @param {Record<string, string> | undefined} data
   */
  renderCase(origin, data) {
    const rows = [];
    if (origin) rows.push(['Origin', origin.text]);
    for (const [k, v] of Object.entries(data ?? {})) rows.push([k, v]);
    this.caseEl.hidden = rows.length === 0;
    this.caseEl.replaceChildren(
      h('h3', { text: 'Case information' }),
      h('dl', {}, ...rows.flatMap(([k, v]) => [h('dt', { text: k }), h('dd', { text: v })])),
    );
  }

  /**
   * Shows the interaction as it now is.
   * @param {import('./transcript.js').Entry[]} entries
   */
  render(entries) {
    const view = this.view;
    if (!view) return;
    const mine = this.myParty();
    const connected = mine?.status === 'connected' && view.endedAt === null;
    const owner = connected && view.ownerPartyId === mine?.id;
    const ended = view.status === 'ended';
    const consultation = view.origin.kind === 'consultation';
    this.element.className = `window ${view.media}${consultation ? ' consultation' : ''}`;
    this.titleEl.textContent = this.title();
    this.statusEl.className = `status ${view.status}`;
    this.statusEl.textContent = statusLabel(view.status);
    this.renderCase({ kind: view.origin.kind, text: originLabel(view.origin, view.media) }, view.attachedData);

    const shown = view.parties.filter((p) => p.connectedAt !== null || p.status === 'establishing');
    this.partiesEl.replaceChildren(
      ...shown.map((p) => {
        const you = p.person.id === this.app.me.id;
        const canDelete = owner && view.media === 'chat' && !you && p.role !== 'Customer' && p.status === 'connected';
        return partyItem(
          `${p.person.name}${you ? ' (you)' : ''}`,
          statusLabel(p.status),
          p.status,
          canDelete
            ? this.button(`Delete ${p.person.name} from conference`, () => void this.deleteParty(p), 'Delete')
            : null,
        );
      }),
    );

    const actions = [];
    if (!ended && mine && mine.status !== 'ended')
      actions.push(this.button(view.media === 'chat' ? 'End chat' : 'End IM', () => void this.end(), null, 'danger'));
    if (view.request && !ended) actions.push(this.button('Cancel request', () => void this.cancel()));
    if (connected && (view.media === 'im' || owner)) {
      const pending = Boolean(view.request);
      actions.push(this.button('Consult', () => void this.app.startMode(this, 'consult'), null, '', pending));
    }
    if (owner && view.media === 'chat') {
      const pending = Boolean(view.request);
      actions.push(this.button('Transfer', () => void this.app.startMode(this, 'transfer'), null, '', pending));
      actions.push(this.button('Conference', () => void this.app.startMode(this, 'conference'), null, '', pending));
    }
    if (ended || !mine || mine.status === 'ended') actions.push(this.button('Done', () => this.app.closeWindow(this)));
    this.actionsEl.replaceChildren(...actions);
    this.showInfo(view.request && !ended ? requestLabel(view.request) : (this.infoEl.textContent ?? ''));
    const requestShown = /is pending\.$|^Waiting for an expert/.test(this.infoEl.textContent ?? '');
    if (!view.request && requestShown) this.showInfo('');

    this.internalEl.hidden = view.media !== 'chat';
    this.input.disabled = ended || mine?.status === 'ended';
    this.sendButton.toggleAttribute('disabled', this.input.disabled);
    this.transcript.update(entries, view.parties);
    this.transcriptEl.setAttribute('aria-label', `Transcript: ${this.title()}`);
    this.transcriptEl.scrollTop = this.transcriptEl.scrollHeight;
    void this.updateEscalationTarget();
  }

  /** Shows the accepted expert's voice target (IMs), fetched once per accepted expert. */
  async updateEscalationTarget() {
    const view = this.view;
    const expert =
      view?.media === 'im'
        ? view.parties.findLast((p) => p.person.kind === 'knowledge-worker' && p.status === 'connected')
        : undefined;
    if (!view || !expert) {
      this.voiceTargetFor = null;
      this.escalationEl.replaceChildren();
      return;
    }
    if (this.voiceTargetFor === expert.id) return;
    this.voiceTargetFor = expert.id;
    try {
      const target = await this.app.api.get(`/interactions/${encodeURIComponent(view.id)}/voice-target`);
      this.escalationEl.replaceChildren(escalationTargetSection(target, (m) => this.showInfo(m)));
    } catch (error) {
      this.voiceTargetFor = null;
      this.showError(messageOf(error));
    }
  }

  /**
   * A button; `label` is its accessible name when the visible text is shorter.
   * @param {string} label
   * @param {() => void} onclick
   * @param {string | null} [text]
   * @param {string} [cls]
   * @param {boolean} [disabled]
   */
  button(label, onclick, text = null, cls = '', disabled = false) {
    return h('button', {
      type: 'button',
      class: cls || undefined,
      text: text ?? label,
      'aria-label': text ? label : undefined,
      disabled,
      onclick,
    });
  }

  /** Sends the message box (the first message of a draft starts the session). */
  async send() {
    const text = this.input.value;
    if (!text.trim() || this.busy) return;
    this.busy = true;
    this.showError('');
    try {
      if (this.draft && !this.view) await this.app.startIm(this, text);
      else if (this.view)
        await this.app.act(this, 'POST', `/interactions/${encodeURIComponent(this.view.id)}/messages`, {
          text,
          ...(this.view.media === 'chat' && this.internal.checked ? { internal: true } : {}),
        });
      this.input.value = '';
      this.internal.checked = false;
    } catch (error) {
      this.showError(messageOf(error));
    } finally {
      this.busy = false;
      this.input.focus();
    }
  }

  async end() {
    if (!this.view) return;
    await this.app.act(this, 'POST', `/interactions/${encodeURIComponent(this.view.id)}/end`);
  }

  async cancel() {
    if (!this.view) return;
    await this.app.act(this, 'POST', `/interactions/${encodeURIComponent(this.view.id)}/cancel`);
  }

  /** @param {Party} party */
  async deleteParty(party) {
    if (!this.view) return;
    const path = `/interactions/${encodeURIComponent(this.view.id)}/parties/${encodeURIComponent(party.id)}`;
    await this.app.act(this, 'DELETE', path);
  }
}

/**
 * @param {string} name
 * @param {string} status
 * @param {string} statusClass
 * @param {HTMLElement | null} [action]
 */
function partyItem(name, status, statusClass, action = null) {
  return h(
    'li',
    {},
    h('span', { class: `dot ${statusClass}`, 'aria-hidden': 'true' }),
    h('span', { text: name }),
    h('span', { class: 'party-status', text: status }),
    action,
  );
}

/**
 * @param {{ name: string }} me
 */
function consultationOrigin(me) {
  return { kind: 'consultation', text: originLabel({ kind: 'consultation', from: me }, 'im') };
}

/** @param {unknown} error */
export function messageOf(error) {
  return error instanceof Error ? error.message : String(error);
}
