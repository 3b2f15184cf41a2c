/**
 * The commands a knowledge worker types to the bot: one list, which the bot answers and the Teams app manifest's
 * command menu shows (`uc-connector manifest` writes it into `bots[].commandLists`). A message is a command only when
 * it is exactly a command word (any case, surrounding spaces ignored); any other text goes to the agent as typed.
 * Pure.
 */

/** One command: its word (the manifest's `title`, at most 32 characters) and what it does (at most 128). */
export interface BotCommand {
  readonly title: string;
  readonly description: string;
}

/** The bot's commands, in the order the Teams command menu lists them. */
export const BOT_COMMANDS = [
  { title: 'end', description: 'End your current session with the agent' },
  { title: 'help', description: 'What this app does, its commands, and how sessions work' },
] as const satisfies readonly BotCommand[];

/** A command word. */
export type BotCommandWord = (typeof BOT_COMMANDS)[number]['title'];

/** The command a message is, or null when it is a message for the agent. */
export function commandOf(text: string): BotCommandWord | null {
  const word = text.trim().toLowerCase();
  return BOT_COMMANDS.find((c) => c.title === word)?.title ?? null;
}

/** The answer to `help`: what the expert can do, and whether a session is open now. */
export function helpText(inSession: boolean): string {
  return [
    'This app connects you with contact-center agents who need your expertise.',
    '',
    '- **Requests**: when an agent asks for you, a card shows who asks and their question. **Accept** opens a ' +
      'session with the agent; **Decline** passes the request on. Unanswered, it moves on by itself.',
    '- **Sessions**: while a session is open, everything you write here goes to the agent, and their messages ' +
      'appear here. The session ends when you or the agent ends it.',
    `- **Commands**: ${BOT_COMMANDS.map((c) => `**${c.title}**: ${c.description.toLowerCase()}`).join('; ')}.`,
    '- To send a command word itself to the agent, write more than the bare word (for example "help?" or ' +
      '"end of month"): only a message that is exactly a command word is a command.',
    '',
    inSession
      ? 'You are in a session now: your messages go to the agent.'
      : 'You have no open session now. When an agent asks for you, a request card will appear here.',
  ].join('\n');
}
