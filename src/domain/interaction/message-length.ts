/**
 * The longest message a session carries, one cap for every side: agents and the contact-center platform through the
 * agent API, knowledge workers through Teams. Each entry point refuses a longer message before anything is stored.
 */

/**
 * The most characters one message may hold: 10,000, counted as JavaScript counts a string's length (UTF-16 code
 * units: most characters count one, an emoji two).
 */
export const MAX_MESSAGE_LENGTH = 10_000;

/** Whether `text` is longer than {@link MAX_MESSAGE_LENGTH}. */
export function isMessageTooLong(text: string): boolean {
  return text.length > MAX_MESSAGE_LENGTH;
}
