/**
 * The write side of presence: what the connector shows in Teams for a person, through its own application presence
 * session in Graph (`setPresence` / `clearPresence`), and the one decision each write makes. Pure: time is passed in.
 *
 * The pairs are the ones `setPresence` documents; any other pair is refused by Graph, so the configuration refuses it
 * first.
 */

/** The availability/activity pairs Graph's `setPresence` accepts for an application's presence session. */
export const APP_SESSION_PAIRS: readonly (readonly [string, string])[] = [
  ['Available', 'Available'],
  ['Busy', 'InACall'],
  ['Busy', 'InAConferenceCall'],
  ['Away', 'Away'],
  ['DoNotDisturb', 'Presenting'],
];

/** Whether `setPresence` accepts this pair. */
export function isAppSessionPair(availability: string, activity: string): boolean {
  return APP_SESSION_PAIRS.some(([a, b]) => a === availability && b === activity);
}

/** What the connector shows in Teams for one person. */
export interface ShownPresence {
  readonly availability: string;
  readonly activity: string;
  /** The status message set with it, or null for none. */
  readonly statusMessage: string | null;
}

/** A presence the connector wrote and has not cleared: the durable record of it. */
export interface WrittenPresence extends ShownPresence {
  readonly userId: string;
  /** When the application session expires in Graph unless written again (epoch ms). */
  readonly expiresAt: number;
}

/** The one call a person's presence needs now. */
export type WriteAction =
  | { readonly kind: 'none' }
  | { readonly kind: 'set'; readonly presence: ShownPresence }
  | { readonly kind: 'clear'; readonly hadStatusMessage: boolean };

/** Whether two shown presences are the same. */
export function sameShown(a: ShownPresence, b: ShownPresence): boolean {
  return a.availability === b.availability && a.activity === b.activity && a.statusMessage === b.statusMessage;
}

/**
 * Decides the call for one person from what should show (null: leave Teams alone) and what was written (undefined:
 * nothing): set when it differs or the session expires within `renewBeforeMs` (keep-alive), clear when nothing should
 * show any more, else none.
 */
export function planWrite(
  wanted: ShownPresence | null,
  written: WrittenPresence | undefined,
  now: number,
  renewBeforeMs: number,
): WriteAction {
  if (!wanted) return written ? { kind: 'clear', hadStatusMessage: written.statusMessage !== null } : { kind: 'none' };
  if (written && sameShown(wanted, written) && written.expiresAt - now > renewBeforeMs) return { kind: 'none' };
  return { kind: 'set', presence: wanted };
}
