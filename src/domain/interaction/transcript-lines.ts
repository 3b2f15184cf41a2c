/** The system lines of the transcript, worded as Workspace shows them (001, 003). */
import type { Media } from './types.js';

/** "John Davis initiated an Instant Messaging invitation." */
export const initiatedLine = (name: string): string => `${name} initiated an Instant Messaging invitation.`;

/** "Kate Lewis accepted the Instant Messaging invitation." */
export const acceptedLine = (name: string): string => `${name} accepted the Instant Messaging invitation.`;

/** "Kate Lewis rejected the Instant Messaging invitation." */
export const rejectedLine = (name: string): string => `${name} rejected the Instant Messaging invitation.`;

/** "The Instant Messaging invitation to Kate Lewis timed out." */
export const timedOutLine = (name: string): string => `The Instant Messaging invitation to ${name} timed out.`;

/**
 * "The Instant Messaging invitation to Kate Lewis could not be delivered: they blocked the bot in Teams (…)."
 * Workspace has no such line (its invitations always reach the desktop); it is worded like the time-out's.
 */
export const undeliverableLine = (name: string, why: string): string =>
  `The Instant Messaging invitation to ${name} could not be delivered: ${why}.`;

/** "John Davis withdrew the Instant Messaging invitation." */
export const withdrawnLine = (name: string): string => `${name} withdrew the Instant Messaging invitation.`;

/** "New party 'Jim Miller' has joined the session" */
export const joinedLine = (name: string): string => `New party '${name}' has joined the session`;

/** "Party 'Jim Miller' has left the session" */
export const leftLine = (name: string): string => `Party '${name}' has left the session`;

/** The origin as the preview shows it: "Consultation instant messaging from Kate Lewis", "Call transfer from Kate Lewis". */
export function originLine(
  origin:
    | { kind: 'internal' | 'consultation'; from: { name: string } }
    | { kind: 'inbound-chat' }
    | { kind: 'voice-call'; from: { name: string } | null },
  media: Media,
): string {
  if (origin.kind === 'inbound-chat') return 'Inbound chat';
  if (origin.kind === 'voice-call') return origin.from ? `Call transfer from ${origin.from.name}` : 'Call transfer';
  const what = media === 'im' ? 'instant messaging' : 'chat';
  return origin.kind === 'consultation'
    ? `Consultation ${what} from ${origin.from.name}`
    : `Internal ${what} from ${origin.from.name}`;
}
