/**
 * Property test: random command sequences against the engine keep its invariants —
 * at most one owner (a connected party), every invitation ends once (a repeated "undeliverable" too), no transcript
 * entry lost or reordered, facts consistent with the parties, refusals change nothing, and no request is left
 * hanging: the router (the real routing decisions) answers every RouteRequest at once, and afterwards every open
 * request has a pending invitation (with its due time-out) or a waiting entry at a routing point (with its deadline).
 * Escalations go to queues the owner belongs to, so the owner is a candidate the router must skip. Calls at a voice
 * routing point come and go among them.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import type { Command } from '../../src/domain/interaction/commands.js';
import { reduce } from '../../src/domain/interaction/engine.js';
import type { EngineState, Interaction, PersonRef } from '../../src/domain/interaction/types.js';
import type { ResourceFact } from '../../src/domain/reporting/resource-fact.js';
import { agent, avrilMai, chatQueue, expert, expertsPoint } from '../support/engine-world.js';
import { answer, soloQueue, teamQueue, waitingPoint } from './engine-router.js';

const people: PersonRef[] = [
  agent('a1', 'Agent One'),
  agent('a2', 'Agent Two'),
  expert('k1', 'Expert One'),
  expert('k2', 'Expert Two'),
];
const everyone = [...people, avrilMai];

const person = fc.constantFrom(...people);

/** Escalation targets: a person, a routing point, or a queue of agents. */
const escalationTarget = fc.constantFrom('person', 'person', 'team', 'solo', 'routing-point');
const anyone = fc.constantFrom(...everyone);

/** Picks the n-th element (modulo), or undefined from an empty list. */
const pick = <T>(list: readonly T[], n: number): T | undefined =>
  list.length === 0 ? undefined : list[n % list.length];

const interactionsOf = (s: EngineState): Interaction[] => Object.values(s.interactions);
const liveIds = (s: EngineState): string[] =>
  interactionsOf(s)
    .filter((i) => i.endedAt === null)
    .map((i) => i.id);
/** An existing live interaction most of the time, else a fresh or unknown id. */
const someIx = (s: EngineState, n: number): Interaction | undefined => s.interactions[pick(liveIds(s), n) ?? ''];
const pendingOf = (s: EngineState) =>
  interactionsOf(s).flatMap((ix) => ix.invitations.filter((i) => i.state === 'pending').map((inv) => ({ ix, inv })));

const endedOf = (s: EngineState) =>
  interactionsOf(s).flatMap((ix) => ix.invitations.filter((i) => i.state !== 'pending').map((inv) => ({ ix, inv })));

/** Either the right actor (most of the time) or a random person, to exercise the checks. */
const actor = (right: string | undefined, wrong: PersonRef, useWrong: boolean): string =>
  useWrong || !right ? wrong.id : right;

type Maker = (s: EngineState) => Command;
const n = fc.nat(1_000);
const wrong = fc.integer({ min: 0, max: 9 }).map((x) => x < 2);

/** Commands built from the current state, so sequences go deep: offers get answered, chats get escalated. */
const command: fc.Arbitrary<Maker> = fc.oneof(
  {
    weight: 2,
    arbitrary: fc.record({ k: n, a: person, t: person, rp: fc.boolean(), parent: n }).map(
      ({ k, a, t, rp, parent }): Maker =>
        (s) => {
          const p = someIx(s, parent);
          const mine = p?.parties.find((x) => x.status === 'connected' && x.person.kind !== 'customer');
          return {
            type: 'StartIm',
            interactionId: `im${k % 50}`,
            initiator: mine && k % 3 === 0 ? mine.person : a,
            target: rp
              ? k % 2 === 0
                ? { kind: 'routing-point', id: expertsPoint.id, name: expertsPoint.name }
                : waitingPoint
              : { kind: 'person', person: t },
            text: 'hello',
            parentInteractionId: mine && k % 3 === 0 ? p?.id : undefined,
          };
        },
    ),
  },
  {
    weight: 2,
    arbitrary: n.map(
      (k): Maker =>
        () => ({
          type: 'ReceiveChat',
          interactionId: `c${k % 50}`,
          customer: avrilMai,
          queue: chatQueue,
          text: 'help',
        }),
    ),
  },
  {
    weight: 1,
    arbitrary: fc.record({ k: n, kw: person, from: fc.option(person), direct: fc.boolean() }).map(
      ({ k, kw, from, direct }): Maker =>
        () => ({
          type: 'ReceiveCall',
          interactionId: `call${k % 20}`,
          routingPoint: { kind: 'routing-point', id: '5001', name: 'Expert transfer' },
          knowledgeWorker: kw,
          from,
          attachedData: { UCC_KnowledgeWorkerId: kw.id },
          rule: direct ? 'direct' : 'preview',
          timeoutMs: 4_000,
        }),
    ),
  },
  {
    weight: 2,
    arbitrary: n.map(
      (k): Maker =>
        (s) => {
          const previewing = interactionsOf(s).filter((ix) => ix.media === 'voice' && ix.endedAt === null);
          return { type: 'AbandonCall', interactionId: pick(previewing, k)?.id ?? `call${k % 20}` };
        },
    ),
  },
  {
    weight: 1,
    arbitrary: n.map(
      (k): Maker =>
        (s) => ({
          type: 'PullFromQueue',
          interactionId: someIx(s, k)?.id ?? 'none',
          routingPoint: k % 2 === 0 ? expertsPoint : waitingPoint,
        }),
    ),
  },
  {
    weight: 2,
    arbitrary: n.map(
      (k): Maker =>
        (s) => {
          // Mostly a waiting request (due or not yet), now and then one that does not wait: refused, no change.
          const waiting = interactionsOf(s).filter((i) => i.request?.waiting);
          const ix = pick(k % 5 === 0 ? interactionsOf(s) : waiting, k);
          return { type: 'WaitExpired', interactionId: ix?.id ?? 'none', requestId: ix?.request?.id ?? 'r0' };
        },
    ),
  },
  {
    weight: 3,
    arbitrary: fc
      .record({ k: n, targets: fc.uniqueArray(person, { minLength: 1, maxLength: 2, selector: (p) => p.id }) })
      .map(
        ({ k, targets }): Maker =>
          (s) => {
            const withRequest = interactionsOf(s).filter((i) => i.request !== null);
            const ix = pick(withRequest, k);
            return {
              type: 'Offer',
              interactionId: ix?.id ?? 'none',
              requestId: ix?.request?.id ?? 'r0',
              targets,
              via: null,
              timeoutMs: 5_000,
            };
          },
      ),
  },
  {
    weight: 1,
    arbitrary: n.map(
      (k): Maker =>
        (s) => {
          const ix = pick(
            interactionsOf(s).filter((i) => i.request !== null),
            k,
          );
          return {
            type: 'RoutingFailed',
            interactionId: ix?.id ?? 'none',
            requestId: ix?.request?.id ?? 'r0',
            reasons: ['busy'],
          };
        },
    ),
  },
  {
    weight: 5,
    arbitrary: fc
      .record({
        k: n,
        w: wrong,
        other: person,
        kind: fc.constantFrom('Accept', 'Accept', 'Reject', 'Timeout', 'Undeliverable'),
      })
      .map(
        ({ k, w, other, kind }): Maker =>
          (s) => {
            // Undeliverable also reaches ended invitations now and then (a repeat after a crash): refused, no change.
            const found = pick(kind === 'Undeliverable' && k % 5 === 0 ? endedOf(s) : pendingOf(s), k);
            const interactionId = found?.ix.id ?? 'none';
            const invitationId = found?.inv.id ?? 'v1';
            if (kind === 'Timeout') return { type: 'Timeout', interactionId, invitationId };
            if (kind === 'Undeliverable')
              return { type: 'Undeliverable', interactionId, invitationId, reason: 'they blocked the bot' };
            return {
              type: kind as 'Accept' | 'Reject',
              interactionId,
              invitationId,
              by: actor(found?.inv.target.id, other, w),
            };
          },
      ),
  },
  {
    weight: 1,
    arbitrary: fc.record({ k: n, w: wrong, other: person }).map(
      ({ k, w, other }): Maker =>
        (s) => {
          const ix = pick(
            interactionsOf(s).filter((i) => i.request !== null),
            k,
          );
          const by = ix?.parties.find((p) => p.id === ix.request?.byPartyId)?.person.id;
          return { type: 'Cancel', interactionId: ix?.id ?? 'none', by: actor(by, other, w) };
        },
    ),
  },
  {
    weight: 2,
    arbitrary: fc.record({ k: n, j: n, internal: fc.boolean(), w: wrong, other: anyone }).map(
      ({ k, j, internal, w, other }): Maker =>
        (s) => {
          const ix = someIx(s, k);
          const by = pick(ix?.parties ?? [], j)?.person.id;
          return {
            type: 'SendMessage',
            interactionId: ix?.id ?? 'none',
            from: actor(by, other, w),
            text: 'msg',
            internal,
          };
        },
    ),
  },
  {
    weight: 1,
    arbitrary: fc.record({ k: n, j: n, w: wrong, other: anyone }).map(
      ({ k, j, w, other }): Maker =>
        (s) => {
          const ix = someIx(s, k);
          const by = pick(ix?.parties.filter((p) => p.status === 'connected') ?? [], j)?.person.id;
          return { type: 'End', interactionId: ix?.id ?? 'none', by: actor(by, other, w) };
        },
    ),
  },
  {
    weight: 3,
    arbitrary: fc
      .record({
        k: n,
        t: person,
        w: wrong,
        other: person,
        kind: fc.constantFrom('transfer', 'conference', 'consult' as const),
        viaConsult: fc.boolean(),
        to: escalationTarget,
      })
      .map(
        ({ k, t, w, other, kind, viaConsult, to }): Maker =>
          (s) => {
            const ix = pick(
              interactionsOf(s).filter((i) => i.media === 'chat' && i.ownerPartyId !== null),
              k,
            );
            const owner = ix?.parties.find((p) => p.id === ix.ownerPartyId)?.person.id;
            const consultationId = viaConsult && kind !== 'consult' ? ix?.consultationIds.at(-1) : undefined;
            const outsider =
              people.find((p) => !ix?.parties.some((x) => x.status !== 'ended' && x.person.id === p.id)) ?? t;
            return {
              type: 'Escalate',
              interactionId: ix?.id ?? 'none',
              kind,
              by: actor(owner, other, w),
              target: consultationId
                ? undefined
                : to === 'team' || to === 'solo'
                  ? { kind: 'queue', id: `q-${to}`, name: to }
                  : to === 'routing-point'
                    ? k % 2 === 0
                      ? { kind: 'routing-point', id: expertsPoint.id, name: expertsPoint.name }
                      : waitingPoint
                    : { kind: 'person', person: k % 4 === 0 ? t : outsider },
              consultationId,
            };
          },
      ),
  },
  {
    weight: 2,
    arbitrary: fc.record({ k: n, j: n, w: wrong, other: person }).map(
      ({ k, j, w, other }): Maker =>
        (s) => {
          const ix = pick(
            interactionsOf(s).filter((i) => i.media === 'chat' && i.ownerPartyId !== null),
            k,
          );
          const owner = ix?.parties.find((p) => p.id === ix.ownerPartyId)?.person.id;
          const party = pick(ix?.parties ?? [], j)?.id ?? 'p1';
          return {
            type: 'DeleteFromConference',
            interactionId: ix?.id ?? 'none',
            by: actor(owner, other, w),
            partyId: party,
          };
        },
    ),
  },
);

function checkInteraction(
  ix: Interaction,
  before: Interaction | undefined,
  facts: ResourceFact[],
  routed: boolean,
): void {
  // At most one owner, and the owner is connected.
  if (ix.ownerPartyId !== null) {
    expect(ix.parties.find((p) => p.id === ix.ownerPartyId)?.status).toBe('connected');
  }
  // A person has at most one live party.
  const live = ix.parties.filter((p) => p.status !== 'ended').map((p) => p.person.id);
  expect(new Set(live).size).toBe(live.length);
  // Transcript: contiguous sequence numbers, never rewritten.
  expect(ix.transcript.map((e) => e.seq)).toEqual(ix.transcript.map((_e, n) => n + 1));
  if (before) expect(ix.transcript.slice(0, before.transcript.length)).toEqual(before.transcript);
  // Every invitation ends once: an ended one never changes again; a pending one has an establishing party.
  for (const inv of ix.invitations) {
    const old = before?.invitations.find((i) => i.id === inv.id);
    if (old && old.state !== 'pending') expect(inv).toEqual(old);
    const party = ix.parties.find((p) => p.id === inv.partyId);
    if (inv.state === 'pending') expect(party?.status).toBe('establishing');
    if (inv.state === 'accepted') expect(party?.connectedAt).not.toBeNull();
  }
  // An ended interaction has nothing left open.
  if (ix.endedAt !== null) {
    expect(ix.parties.every((p) => p.status === 'ended')).toBe(true);
    expect(ix.invitations.every((i) => i.state !== 'pending')).toBe(true);
    expect(ix.request).toBeNull();
  }
  // No request hangs (once the router has answered): every open request has a pending invitation (due to time out)
  // or a waiting entry at a routing point (due to run out), never both.
  if (ix.request && routed) {
    const requestId = ix.request.id;
    const pending = ix.invitations.filter((i) => i.state === 'pending' && i.requestId === requestId);
    const waiting = ix.request.waiting;
    expect(pending.length > 0 || Boolean(waiting), `request ${requestId} of ${ix.id} hangs`).toBe(true);
    expect(pending.length > 0 && Boolean(waiting), `request ${requestId} of ${ix.id} waits while offered`).toBe(false);
    for (const inv of pending) expect(inv.dueAt).toBeGreaterThan(inv.createdAt);
    if (waiting) expect(waiting.until).toBeGreaterThan(waiting.since);
  }
  // A waiting chat routed by a routing point stays with the routing point that pulled it (flow 10's Puller).
  if (ix.request?.waiting && ix.request.kind === 'route' && ix.media === 'chat')
    expect(ix.mediation?.kind).toBe('routing-point');
  // Facts: exactly one per ended resource party, none for live parties.
  const mine = facts.filter((f) => f.interactionId === ix.id && f.partyId !== null);
  for (const p of ix.parties) {
    const count = mine.filter((f) => f.partyId === p.id).length;
    expect(count).toBe(p.role !== 'Customer' && p.status === 'ended' ? 1 : 0);
  }
  // Queue and routing point facts only when the customer left before anyone was connected.
  const mediationFacts = facts.filter((f) => f.interactionId === ix.id && f.partyId === null);
  expect(mediationFacts.length).toBeLessThanOrEqual(1);
  if (mediationFacts.length === 1)
    expect(ix.parties.some((p) => p.role !== 'Customer' && p.connectedAt !== null)).toBe(false);
}

/** Every run starts from a chat with a conference in progress, so random steps begin in a deep state. */
const conferencePrefix: Maker[] = [
  () => ({ type: 'ReceiveChat', interactionId: 'c0', customer: avrilMai, queue: chatQueue, text: 'help' }),
  () => ({ type: 'PullFromQueue', interactionId: 'c0', routingPoint: expertsPoint }),
  () => ({
    type: 'Offer',
    interactionId: 'c0',
    requestId: 'r1',
    targets: [people[0] as PersonRef],
    via: expertsPoint,
    timeoutMs: 5_000,
  }),
  () => ({ type: 'Accept', interactionId: 'c0', invitationId: 'v1', by: 'a1' }),
  () => ({
    type: 'Escalate',
    interactionId: 'c0',
    kind: 'conference',
    by: 'a1',
    target: { kind: 'person', person: people[2] as PersonRef },
  }),
  () => ({
    type: 'Offer',
    interactionId: 'c0',
    requestId: 'r2',
    targets: [people[2] as PersonRef],
    via: null,
    timeoutMs: 5_000,
  }),
  () => ({ type: 'Accept', interactionId: 'c0', invitationId: 'v2', by: 'k1' }),
];

describe('engine invariants', () => {
  test('hold for random command sequences', () => {
    const applied = new Map<string, number>();
    fc.assert(
      fc.property(
        fc.array(fc.tuple(command, fc.integer({ min: 0, max: 8_000 })), { minLength: 30, maxLength: 120, size: 'max' }),
        (steps) => {
          let state: EngineState = { interactions: {} };
          let now = 1_700_000_000_000;
          const facts: ResourceFact[] = [];
          const prefix = conferencePrefix.map((m) => [m, 0, true] as const);
          for (const [make, wait, scripted = false] of [...prefix, ...steps]) {
            now += wait;
            const cmd = make(state);
            const frozen = JSON.stringify(state);
            const result = reduce(state, cmd, now);
            expect(JSON.stringify(state)).toBe(frozen); // the input state is never changed
            if (!result.ok) continue;
            applied.set(cmd.type, (applied.get(cmd.type) ?? 0) + 1);
            const before = state;
            state = result.state;
            // The router answers every RouteRequest (and those its answers raise) before the next command; the
            // scripted opening gives its own answers.
            const effects = [...result.effects];
            for (let e = effects.shift(); e; e = effects.shift()) {
              if (e.type === 'RecordFact') facts.push(e.fact);
              if (e.type !== 'RouteRequest' || scripted) continue;
              const target = e.target;
              const members = [teamQueue, soloQueue].find(
                (q) => target.kind === 'queue' && q.id === target.id,
              )?.members;
              const inIt = state.interactions[e.interactionId]?.parties.some(
                (p) => p.status !== 'ended' && members?.includes(p.person.id),
              );
              if (inIt) applied.set('queue member present', (applied.get('queue member present') ?? 0) + 1);
              const reply = answer(e, now);
              const routed = reduce(state, reply, now);
              // The router never offers someone the engine refuses (a person already in the interaction).
              expect(routed.ok, JSON.stringify(routed.ok ? reply : routed.refusal)).toBe(true);
              if (!routed.ok) continue;
              applied.set(`routed ${reply.type}`, (applied.get(`routed ${reply.type}`) ?? 0) + 1);
              effects.push(...routed.effects);
              state = routed.state;
            }
            for (const [id, ix] of Object.entries(state.interactions))
              checkInteraction(ix, before.interactions[id], facts, !scripted);
          }
        },
      ),
      { numRuns: 200 },
    );
    // The sequences reach deep states: every kind of command was carried out many times.
    for (const type of [
      'StartIm',
      'ReceiveChat',
      'ReceiveCall',
      'AbandonCall',
      'Offer',
      'Accept',
      'Reject',
      'Timeout',
      'Undeliverable',
      'SendMessage',
      'End',
      'Escalate',
      'DeleteFromConference',
      'Cancel',
      'routed Offer',
      'routed RoutingFailed',
      'routed Wait',
      'WaitExpired',
      'queue member present',
    ]) {
      expect(applied.get(type) ?? 0, type).toBeGreaterThan(20);
    }
    // 200 long random runs: CPU-bound, so allow for a busy shared machine.
  }, 180_000);
});
