/**
 * A known data set for the report summaries: 14 resource facts (one outside the range) and a presence history,
 * with the figures they must give worked out by hand in the tests.
 */
import type { StateHistoryRecord } from '../../src/domain/presence/state-change.js';
import type { ResourceFact } from '../../src/domain/reporting/resource-fact.js';

/** 2026-01-15 at h:m UTC. */
export const at = (h: number, m = 0) => Date.UTC(2026, 0, 15, h, m, 0);

/** The report range: 09:30 to 12:00. */
export const range = { from: at(9, 30), to: at(12, 0) };

const ann = { kind: 'knowledge-worker' as const, id: 'kw-ann', name: 'Ann Billing' };
const leo = { kind: 'knowledge-worker' as const, id: 'kw-leo', name: 'Leo Legal' };

let n = 0;
function fact(
  resource: ResourceFact['resource'],
  descriptor: Pick<ResourceFact, 'role' | 'result' | 'reason' | 'outcome'>,
  routingPointId: string | null,
  startedAt: number,
  alertMs: number,
  engageMs = 0,
  mediationMs = 0,
): ResourceFact {
  n++;
  return {
    interactionId: `ix-${n}`,
    partyId: resource.kind === 'queue' || resource.kind === 'routing-point' ? null : `p-${n}`,
    media: 'chat',
    resource,
    ...descriptor,
    routingPointId,
    startedAt,
    endedAt: startedAt + alertMs + engageMs,
    alertMs,
    engageMs,
    mediationMs,
  };
}

const completed = { role: 'RoutedTo', result: 'Completed', reason: null, outcome: 'ended' } as const;
const revoked = (outcome: ResourceFact['outcome']) =>
  ({ role: 'RoutedTo', result: 'Redirected', reason: 'Revoked', outcome }) as const;

/** The facts, in the order they are recorded. */
export const knownFacts: ResourceFact[] = [
  // Waited 30 s at the routing point before this offer.
  fact(ann, completed, 'billing', at(10, 0), 2_000, 60_000, 30_000),
  fact(ann, revoked('declined'), 'billing', at(10, 5), 3_000),
  fact(leo, completed, 'billing', at(11, 0), 8_000, 120_000),
  fact(leo, revoked('timed_out'), 'billing', at(10, 10), 30_000),
  fact(
    leo,
    { role: 'ReceivedTransfer', result: 'Completed', reason: null, outcome: 'ended' },
    'billing',
    at(11, 5),
    4_000,
    30_000,
  ),
  fact(
    ann,
    { role: 'RoutedTo', result: 'Transferred', reason: null, outcome: 'transferred_away' },
    'billing',
    at(11, 1),
    12_000,
    45_000,
  ),
  fact(
    ann,
    { role: 'RoutedTo', result: 'CustomerAbandoned', reason: 'AbandonedWhileRinging', outcome: 'customer_left' },
    'billing',
    at(10, 20),
    5_000,
  ),
  fact(
    { kind: 'routing-point', id: 'billing', name: 'Billing Experts' },
    { role: 'Puller', result: 'CustomerAbandoned', reason: null, outcome: 'customer_left' },
    'billing',
    at(10, 25),
    0,
    0,
    90_000,
  ),
  fact(
    { kind: 'queue', id: 'inbound-chat', name: 'Inbound Chat' },
    { role: 'Received', result: 'CustomerAbandoned', reason: 'AbandonedWhileQueued', outcome: 'customer_left' },
    'inbound-chat',
    at(10, 30),
    0,
    0,
    15_000,
  ),
  fact(
    leo,
    { role: 'InConference', result: 'Completed', reason: null, outcome: 'ended' },
    null,
    at(11, 10),
    1_000,
    10_000,
  ),
  fact(ann, revoked('withdrawn'), 'billing', at(11, 20), 6_000),
  fact(leo, revoked('taken_by_other'), 'billing', at(11, 21), 7_000),
  fact(
    { kind: 'agent', id: 'agent-kate', name: 'Kate Lewis' },
    { role: 'Initiated', result: 'Completed', reason: null, outcome: 'ended' },
    null,
    at(10, 0),
    0,
    90_000,
  ),
  // Outside the range (ended before 09:30).
  fact(ann, completed, 'billing', at(8, 0), 1_000, 1_000),
];

const period = (userId: string, state: StateHistoryRecord['state'], from: number, to: number) => ({
  userId,
  state,
  startedAt: from,
  endedAt: to,
  durationMs: to - from,
});

/** Ann's closed periods: Ready 08:00–10:00, in a meeting 10:00–10:30, Busy 10:30–11:00, Ready 11:00–13:00. */
export const knownHistory: StateHistoryRecord[] = [
  period('kw-ann', { kind: 'ready' }, at(8), at(10)),
  period('kw-ann', { kind: 'not-ready', reasonCode: 'InAMeeting' }, at(10), at(10, 30)),
  period('kw-ann', { kind: 'busy' }, at(10, 30), at(11)),
  period('kw-ann', { kind: 'ready' }, at(11), at(13)),
  period('kw-leo', { kind: 'logged-out' }, at(6), at(9)),
];
