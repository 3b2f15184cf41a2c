/**
 * The transcript of an interaction window: messages in the order sent and received, each with its author's name
 * (the agent's own in one color, every other party in another) and a timestamp; system lines in between. New
 * lines are appended, so a screen reader's log region announces only what is new.
 */
import { h } from './dom.js';
import { timeLabel } from './format.js';

/**
 * @typedef {import('../../../agent-api/api-types.js').TranscriptEntry} Entry
 * @typedef {{ id: string, person: { id: string, name: string, kind: string } }} PartyRef
 */

/** One transcript, rendered into a list. */
export class TranscriptView {
  /**
   * @param {HTMLOListElement} list
   * @param {string} meId the signed-in agent's id
   */
  constructor(list, meId) {
    this.list = list;
    this.meId = meId;
    this.lastSeq = -1;
    /** @type {Map<string, string>} person id → color class */
    this.colors = new Map();
  }

  /**
   * Shows the welcome line of a window whose session has not started.
   * @param {string} text
   */
  showWelcome(text) {
    this.list.replaceChildren(h('li', { class: 'line system' }, h('span', { class: 'line-text', text })));
  }

  /**
   * Appends the entries not shown yet.
   * @param {Entry[]} entries
   * @param {PartyRef[]} parties
   */
  update(entries, parties) {
    if (this.lastSeq < 0) this.list.replaceChildren();
    const personOf = new Map(parties.map((p) => [p.id, p.person]));
    for (const entry of entries) {
      if (entry.seq <= this.lastSeq) continue;
      this.lastSeq = entry.seq;
      this.list.append(this.line(entry, personOf.get(entry.partyId ?? '')));
    }
  }

  /**
   * @param {string} personId
   * @returns {string}
   */
  colorOf(personId) {
    if (personId === this.meId) return 'name-me';
    let color = this.colors.get(personId);
    if (!color) {
      color = `name-c${this.colors.size % 5}`;
      this.colors.set(personId, color);
    }
    return color;
  }

  /**
   * @param {Entry} entry
   * @param {{ id: string, name: string } | undefined} person
   */
  line(entry, person) {
    const time = h('time', { class: 'line-time', datetime: entry.at, text: timeLabel(entry.at) });
    if (entry.kind === 'system') {
      return h('li', { class: 'line system' }, time, ' ', h('span', { class: 'line-text', text: entry.text }));
    }
    const name = entry.name ?? person?.name ?? 'Unknown';
    const classes = ['line', 'message'];
    if (entry.audience === 'internal') classes.push('internal');
    return h(
      'li',
      { class: classes.join(' ') },
      h(
        'div',
        { class: 'line-head' },
        h('span', { class: `line-name ${this.colorOf(person?.id ?? name)}`, text: name }),
        time,
      ),
      h('div', { class: 'line-text', text: entry.text }),
    );
  }
}
