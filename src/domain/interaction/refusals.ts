/**
 * Refusals: the engine's answer to a command it will not carry out. State is unchanged.
 * Expected outcomes are values, not exceptions; each code maps to one HTTP status at the API.
 */

/** Why a command was refused. */
export type RefusalCode =
  | 'invalid-command'
  | 'unknown-interaction'
  | 'duplicate-interaction'
  | 'unknown-party'
  | 'unknown-invitation'
  | 'unknown-request'
  | 'not-invitee'
  | 'not-owner'
  | 'not-requester'
  | 'invitation-ended'
  | 'not-due'
  | 'party-not-connected'
  | 'party-left'
  | 'interaction-ended'
  | 'request-pending'
  | 'no-pending-request'
  | 'already-a-party'
  | 'no-active-consultation'
  | 'wrong-media';

/** A typed refusal with a message a person can act on. */
export interface Refusal {
  readonly code: RefusalCode;
  readonly message: string;
  /** For `invitation-ended`: how it ended, so a repeated Accept can be answered idempotently. */
  readonly outcome?: string | undefined;
}

/** Builds a refusal. */
export function refuse(code: RefusalCode, message: string, outcome?: string): Refusal {
  return outcome === undefined ? { code, message } : { code, message, outcome };
}
