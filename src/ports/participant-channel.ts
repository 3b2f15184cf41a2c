/**
 * `ParticipantChannel`, the port through which effects reach the people in an interaction: knowledge workers (Teams),
 * agents (API events, webhooks, console) and customers (the contact-center platform), one channel per kind of
 * person. Each receives the person-facing effects with a stable id for idempotency. The in-memory
 * `RecordingChannel` is the default and doubles as a test fake. (This is the one name for the port: the Teams
 * implementation's own classes live in `src/adapters/teams/`.)
 */
import type { Deliver, Notify, ReplayTranscript, SendPreview, UpdatePreview } from '../domain/interaction/effects.js';

/** The effects addressed to a person. */
export type PersonEffect = SendPreview | UpdatePreview | Deliver | ReplayTranscript | Notify;

/** The port to one kind of person. `send` must be idempotent for the same `id`. */
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
