/**
 * A test harness around the pure engine: keeps the whole state, a fake clock, every effect and every fact.
 * It calls the real reducer; nothing of ours is faked.
 */
import type { Command } from '../../src/domain/interaction/commands.js';
import type { Effect, Notify, RouteRequest, SendPreview } from '../../src/domain/interaction/effects.js';
import { reduce } from '../../src/domain/interaction/engine.js';
import type { Refusal } from '../../src/domain/interaction/refusals.js';
import type { EngineState, Interaction, MediationRef, PersonRef } from '../../src/domain/interaction/types.js';
import { describeFact, type ResourceFact } from '../../src/domain/reporting/resource-fact.js';

export const agent = (id: string, name: string): PersonRef => ({ id, name, kind: 'agent' });
export const expert = (id: string, name: string): PersonRef => ({ id, name, kind: 'knowledge-worker' });
export const customer = (id: string, name: string): PersonRef => ({ id, name, kind: 'customer' });

export const johnDavis = agent('agent-john', 'John Davis');
export const kateLewis = agent('agent-kate', 'Kate Lewis');
export const jimMiller = agent('agent-jim', 'Jim Miller');
export const avrilMai = customer('cust-avril', 'Avril Mai');
export const billingExpert = expert('kw-0001', 'Ann Billing');
export const legalExpert = expert('kw-0002', 'Leo Legal');
export const chatQueue: MediationRef = { kind: 'queue', id: 'q-chat', name: 'Inbound Chat' };
export const expertsPoint: MediationRef = { kind: 'routing-point', id: 'rp-billing', name: 'Billing Experts' };

export class EngineWorld {
  state: EngineState = { interactions: {} };
  /** 7:26:45 PM, as in the 001 lesson. */
  now = Date.UTC(2026, 0, 15, 19, 26, 45);
  readonly effects: Effect[] = [];
  readonly facts: ResourceFact[] = [];

  /** Runs a command that must succeed; returns its effects. */
  run(command: Command): Effect[] {
    const result = reduce(this.state, command, this.now);
    if (!result.ok) throw new Error(`refused ${command.type}: ${result.refusal.code} — ${result.refusal.message}`);
    this.state = result.state;
    this.effects.push(...result.effects);
    for (const e of result.effects) if (e.type === 'RecordFact') this.facts.push(e.fact);
    return [...result.effects];
  }

  /** Runs a command that must be refused; returns the refusal and checks nothing changed. */
  refuse(command: Command): Refusal {
    const before = this.state;
    const result = reduce(this.state, command, this.now);
    if (result.ok) throw new Error(`expected ${command.type} to be refused`);
    if (this.state !== before) throw new Error('state changed on refusal');
    return result.refusal;
  }

  advance(ms: number): this {
    this.now += ms;
    return this;
  }

  at(hours: number, minutes: number, seconds: number): this {
    this.now = Date.UTC(2026, 0, 15, hours, minutes, seconds);
    return this;
  }

  ix(id: string): Interaction {
    const found = this.state.interactions[id];
    if (!found) throw new Error(`no interaction ${id}`);
    return found;
  }

  lastRouteRequest(interactionId: string): RouteRequest {
    const found = this.effects.findLast(
      (e): e is RouteRequest => e.type === 'RouteRequest' && e.interactionId === interactionId,
    );
    if (!found) throw new Error(`no RouteRequest for ${interactionId}`);
    return found;
  }

  /** Offers the open request to the given people (what the router does). */
  offer(
    interactionId: string,
    targets: PersonRef[],
    via: MediationRef | null = null,
    timeoutMs = 30_000,
  ): SendPreview[] {
    const requestId = this.lastRouteRequest(interactionId).requestId;
    return this.run({ type: 'Offer', interactionId, requestId, targets, via, timeoutMs }).filter(
      (e): e is SendPreview => e.type === 'SendPreview',
    );
  }

  /** The pending invitation id of a person. */
  invitationOf(interactionId: string, personId: string): string {
    const inv = this.ix(interactionId).invitations.findLast((i) => i.target.id === personId && i.state === 'pending');
    if (!inv) throw new Error(`no pending invitation for ${personId} in ${interactionId}`);
    return inv.id;
  }

  accept(interactionId: string, person: PersonRef): Effect[] {
    return this.run({
      type: 'Accept',
      interactionId,
      invitationId: this.invitationOf(interactionId, person.id),
      by: person.id,
    });
  }

  reject(interactionId: string, person: PersonRef): Effect[] {
    return this.run({
      type: 'Reject',
      interactionId,
      invitationId: this.invitationOf(interactionId, person.id),
      by: person.id,
    });
  }

  say(interactionId: string, person: PersonRef, text: string, internal?: boolean): Effect[] {
    return this.run({ type: 'SendMessage', interactionId, from: person.id, text, internal });
  }

  end(interactionId: string, person: PersonRef): Effect[] {
    return this.run({ type: 'End', interactionId, by: person.id });
  }

  /** "Name Role/Result [Reason]" for every fact of an interaction, sorted. */
  descriptors(interactionId?: string): string[] {
    return this.facts
      .filter((f) => interactionId === undefined || f.interactionId === interactionId)
      .map((f) => `${f.resource.name} ${describeFact(f)}`)
      .sort();
  }

  /** "[h:mm:ss] Name: text" or "text" lines of the transcript. */
  transcript(interactionId: string): string[] {
    return this.ix(interactionId).transcript.map((e) => (e.kind === 'message' ? `${e.name}: ${e.text}` : e.text));
  }

  notices(personId: string): Notify['notice'][] {
    return this.effects.filter((e): e is Notify => e.type === 'Notify' && e.to.id === personId).map((e) => e.notice);
  }

  /** Texts delivered to a person (relay), in order. */
  delivered(personId: string, interactionId?: string): string[] {
    return this.effects
      .filter(
        (e) => e.type === 'Deliver' && e.to.id === personId && (!interactionId || e.interactionId === interactionId),
      )
      .map((e) =>
        e.type === 'Deliver' ? (e.entry.kind === 'message' ? `${e.entry.name}: ${e.entry.text}` : e.entry.text) : '',
      );
  }
}

/** A customer chat routed through the billing routing point and accepted by `first` (flow 1 up to the chat). */
export function chatAcceptedBy(w: EngineWorld, id: string, first: PersonRef): void {
  w.run({
    type: 'ReceiveChat',
    interactionId: id,
    customer: avrilMai,
    queue: chatQueue,
    text: 'Help with on line purchase',
  });
  w.run({ type: 'PullFromQueue', interactionId: id, routingPoint: expertsPoint });
  w.offer(id, [first], expertsPoint);
  w.advance(3_000);
  w.accept(id, first);
  w.advance(5_000);
  w.say(id, first, 'Hello, how can I help you today?');
  w.say(id, avrilMai, 'I am having an issue making an on line purchase.');
}
