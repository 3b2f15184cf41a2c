/**
 * Channels to the people in an interaction: knowledge workers (Teams), agents (API events, webhooks, console) and
 * customers (the contact-center platform). Each receives the person-facing effects with a stable id for
 * idempotency. The in-memory recording channel is the default and doubles as a test fake.
 */
import type { Deliver, Notify, ReplayTranscript, SendPreview, UpdatePreview } from '../domain/interaction/effects.js';

/** The effects addressed to a person. */
export type PersonEffect = SendPreview | UpdatePreview | Deliver | ReplayTranscript | Notify;

/** A channel to one kind of person. `send` must be idempotent for the same `id`. */
export interface ParticipantChannel {
  send(id: string, effect: PersonEffect): Promise<void>;
}

/** Keeps what it was sent, once per id, in order. */
export class RecordingChannel implements ParticipantChannel {
  readonly sent: { id: string; effect: PersonEffect }[] = [];
  private readonly seen = new Set<string>();

  async send(id: string, effect: PersonEffect): Promise<void> {
    if (this.seen.has(id)) return;
    this.seen.add(id);
    this.sent.push({ id, effect });
  }

  /** The effects sent to one person. */
  to(personId: string): PersonEffect[] {
    return this.sent.filter((s) => s.effect.to.id === personId).map((s) => s.effect);
  }
}
