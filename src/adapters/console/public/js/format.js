/** How the console words and formats things: statuses, agent states, times, origins, targets. */

/** @type {Record<string, string>} */
const statusLabels = {
  draft: 'Not Connected',
  waiting: 'Waiting',
  establishing: 'Establishing',
  connected: 'Connected',
  ended: 'Ended',
};

/**
 * The connection status as the interaction window shows it.
 * @param {string} status
 */
export function statusLabel(status) {
  return statusLabels[status] ?? status;
}

/** @type {Record<string, string>} */
const stateLabels = {
  Ready: 'Ready',
  NotReady: 'Not Ready',
  Busy: 'Busy',
  LoggedOut: 'Logged Out',
  Unknown: 'Unknown',
};

/**
 * An agent state ("Not Ready: Away").
 * @param {{ kind: string, reason?: string }} state
 */
export function stateLabel(state) {
  const label = stateLabels[state.kind] ?? state.kind;
  return state.reason ? `${label}: ${state.reason}` : label;
}

/**
 * A transcript time, as Workspace shows it ("7:26:45 PM").
 * @param {string} iso
 */
export function timeLabel(iso) {
  return new Date(iso).toLocaleTimeString('en-US', { hour: 'numeric', minute: '2-digit', second: '2-digit' });
}

/** @type {Record<string, string>} */
const kindLabels = { 'knowledge-worker': 'Expert', agent: 'Agent', 'routing-point': 'Routing point', queue: 'Queue' };

/**
 * A directory entry's kind.
 * @param {string} kind
 */
export function kindLabel(kind) {
  return kindLabels[kind] ?? kind;
}

/**
 * The origin line of an interaction or invitation ("Consultation instant messaging from Kate Lewis", "Call transfer
 * from Kate Lewis").
 * @param {{ kind: string, from?: { name: string } | null }} origin
 * @param {string} media
 */
export function originLabel(origin, media) {
  if (origin.kind === 'inbound-chat') return 'Inbound chat';
  if (origin.kind === 'voice-call') return origin.from ? `Call transfer from ${origin.from.name}` : 'Call transfer';
  const what = media === 'chat' ? 'chat' : 'instant messaging';
  const from = origin.from ? ` from ${origin.from.name}` : '';
  return origin.kind === 'consultation' ? `Consultation ${what}${from}` : `Internal ${what}${from}`;
}

/** @type {Record<string, string>} */
const invitationKinds = {
  route: 'Invitation',
  transfer: 'Chat transfer',
  conference: 'Chat conference',
  consult: 'Chat consultation',
};

/**
 * What an invitation asks ("Chat transfer").
 * @param {string} kind
 */
export function invitationLabel(kind) {
  return invitationKinds[kind] ?? kind;
}

/** @type {Record<string, string>} */
const requestVerbs = { route: 'Invitation', transfer: 'Transfer', conference: 'Conference', consult: 'Consultation' };

/**
 * A pending request as a sentence ("Transfer to Billing Experts is pending."), or, while it waits at a routing point,
 * "Waiting for an expert at Billing Experts (position 2)."
 * @param {{ kind: string, target: { kind: string, name?: string, person?: { name: string } },
 *   waiting?: { routingPoint: { name: string }, position: number | null } | null }} request
 */
export function requestLabel(request) {
  const waiting = request.waiting;
  if (waiting) {
    const place = waiting.position ? ` (position ${waiting.position})` : '';
    return `Waiting for an expert at ${waiting.routingPoint.name}${place}.`;
  }
  const t = request.target;
  const name = t.kind === 'person' ? t.person?.name : t.name;
  return `${requestVerbs[request.kind] ?? request.kind} to ${name ?? 'the target'} is pending.`;
}
