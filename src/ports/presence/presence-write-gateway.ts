/**
 * The presence write gateway port: the calls that change what Teams shows for a person through the connector's own
 * application presence session (Graph `setPresence`, `clearPresence`, `setStatusMessage`). A call either succeeds
 * or throws; the writer retries with the value current at that time.
 */

/** Writes presence in Graph. */
export interface PresenceWriteGateway {
  /** Sets the application's presence session for a person, expiring after `expirationMinutes` unless set again. */
  setPresence(userId: string, availability: string, activity: string, expirationMinutes: number): Promise<void>;
  /** Clears the application's presence session; a session already gone counts as cleared. */
  clearPresence(userId: string): Promise<void>;
  /** Sets (or, with null, clears) the person's status message, expiring at `expiresAt` (epoch ms). */
  setStatusMessage(userId: string, message: string | null, expiresAt: number): Promise<void>;
}
