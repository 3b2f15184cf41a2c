/**
 * Interactive notifications: an invitation offered to the agent (a routed customer chat, a chat transfer,
 * conference or consultation, an instant message) with its origin, case information and first words, and
 * Accept / Reject. The list is a live region, so a screen reader announces a new invitation.
 */
import { byId, h } from './dom.js';
import { invitationLabel, originLabel } from './format.js';

/**
 * @typedef {import('../../../agent-api/api-types.js').Offered} Offered
 */

/** The heading of an invitation: "Inbound chat", "Chat transfer from Kate Lewis", "Internal instant messaging from …". */
export function invitationHeading(/** @type {Offered} */ offered) {
  if (offered.kind === 'route')
    return originLabel(offered.origin, offered.origin.kind === 'inbound-chat' ? 'chat' : 'im');
  return `${invitationLabel(offered.kind)}${offered.from ? ` from ${offered.from.name}` : ''}`;
}

/** The invitation list. */
export class Invitations {
  /**
   * @param {{ onAnswer: (offered: Offered, answer: 'accept' | 'reject') => Promise<void> }} options
   */
  constructor(options) {
    this.options = options;
    this.list = byId('invitation-list');
    /** @type {Map<string, HTMLElement>} */
    this.cards = new Map();
  }

  /** @param {Offered} offered */
  add(offered) {
    if (this.cards.has(offered.invitationId)) return;
    const heading = invitationHeading(offered);
    const headingId = `invitation-${offered.invitationId}`;
    const rows = [
      [
        'Origin',
        originLabel(offered.origin, offered.kind === 'route' && offered.origin.kind !== 'inbound-chat' ? 'im' : 'chat'),
      ],
    ];
    if (offered.via) rows.push(['Via', offered.via.name]);
    for (const [k, v] of Object.entries(offered.attachedData ?? {})) rows.push([k, v]);
    const error = h('p', { class: 'error', role: 'alert' });
    const answer = async (/** @type {'accept' | 'reject'} */ what, /** @type {HTMLButtonElement} */ button) => {
      button.disabled = true;
      try {
        await this.options.onAnswer(offered, what);
        this.remove(offered.invitationId);
      } catch (e) {
        error.textContent = e instanceof Error ? e.message : String(e);
        button.disabled = false;
      }
    };
    const accept = /** @type {HTMLButtonElement} */ (h('button', { type: 'button', class: 'primary', text: 'Accept' }));
    const reject = /** @type {HTMLButtonElement} */ (h('button', { type: 'button', text: 'Reject' }));
    accept.addEventListener('click', () => void answer('accept', accept));
    reject.addEventListener('click', () => void answer('reject', reject));
    const card = h(
      'article',
      { class: 'invitation', 'aria-labelledby': headingId },
      h('h3', { id: headingId, text: heading }),
      h(
        'div',
        { class: 'case-info' },
        h('dl', {}, ...rows.flatMap(([k, v]) => [h('dt', { text: k }), h('dd', { text: v })])),
      ),
      offered.previewText ? h('p', { class: 'preview', text: offered.previewText }) : null,
      error,
      h('div', { class: 'buttons' }, accept, reject),
    );
    this.cards.set(offered.invitationId, card);
    this.list.append(card);
  }

  /**
   * Removes an invitation (answered, timed out, withdrawn, taken by another).
   * @param {string} invitationId
   */
  remove(invitationId) {
    const card = this.cards.get(invitationId);
    if (!card) return;
    const hadFocus = card.contains(document.activeElement);
    card.remove();
    this.cards.delete(invitationId);
    if (hadFocus) byId('interactions').focus();
  }
}
