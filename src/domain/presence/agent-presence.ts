/**
 * Agents' contact-center states shown in Teams: the states the contact center reports (Ready, NotReady with a
 * reason, Busy on a call or a chat, after-call work), and the mapping that turns each into an availability/activity
 * pair the connector writes in its own presence session, or into "leave Teams alone". First match wins; no match
 * leaves Teams alone. The mapping file is YAML, checked with zod and refused with the line at fault (a reload keeps
 * the current mapping then).
 *
 * @example
 * ```yaml
 * agentStates:
 *   - state: Busy
 *     show: { availability: Busy, activity: InACall }
 *   - state: NotReady
 *     reason: Lunch
 *     show: { availability: Away, activity: Away }
 *   - state: AfterCallWork
 *     show: leave
 * ```
 */
import { z } from 'zod';
import { APP_SESSION_PAIRS, isAppSessionPair } from './presence-write.js';
import { readYamlFile } from './yaml-file.js';

/** The states an agent can be reported in. */
export const AGENT_CONTACT_STATES = ['Ready', 'NotReady', 'Busy', 'AfterCallWork'] as const;

/** What the contact center reports for an agent. */
export interface AgentContactState {
  readonly state: (typeof AGENT_CONTACT_STATES)[number];
  /** NotReady's reason code (e.g. `Lunch`). */
  readonly reason?: string | undefined;
  /** Busy on what. */
  readonly media?: 'call' | 'chat' | undefined;
}

/** An availability/activity pair to show. */
export interface ShownPair {
  readonly availability: string;
  readonly activity: string;
}

/** One mapping rule: which reports it matches, and what Teams shows (null: leave Teams alone). */
export interface AgentPresenceRule {
  readonly state: AgentContactState['state'];
  readonly reason?: string | undefined;
  readonly media?: 'call' | 'chat' | undefined;
  readonly show: ShownPair | null;
}

/** The shipped mapping: busy on a call or a chat shows Busy / In a call; every other state leaves Teams alone. */
export const DEFAULT_AGENT_PRESENCE_RULES: readonly AgentPresenceRule[] = [
  { state: 'Busy', show: { availability: 'Busy', activity: 'InACall' } },
];

/** What Teams should show for a reported state (null: leave Teams alone). */
export function mapAgentState(rules: readonly AgentPresenceRule[], s: AgentContactState): ShownPair | null {
  for (const r of rules) {
    if (r.state !== s.state) continue;
    if (r.reason !== undefined && r.reason.toLowerCase() !== (s.reason ?? '').toLowerCase()) continue;
    if (r.media !== undefined && r.media !== s.media) continue;
    return r.show;
  }
  return null;
}

const pairs = APP_SESSION_PAIRS.map(([a, b]) => `${a}/${b}`).join(', ');
const ruleSchema = z.strictObject({
  state: z.enum(AGENT_CONTACT_STATES),
  reason: z.string().min(1).max(64).optional(),
  media: z.enum(['call', 'chat']).optional(),
  show: z.union([
    z.literal('leave'),
    z
      .strictObject({ availability: z.string().min(1), activity: z.string().min(1) })
      .refine((p) => isAppSessionPair(p.availability, p.activity), {
        message: `Graph's setPresence accepts only these pairs: ${pairs}`,
      }),
  ]),
});
const fileSchema = z.strictObject({ agentStates: z.array(ruleSchema) });

/** An agent presence mapping file parsed: its rules, or why and where it was refused. */
export type AgentPresenceFileResult =
  | { readonly ok: true; readonly rules: readonly AgentPresenceRule[] }
  | { readonly ok: false; readonly line: number; readonly message: string };

/** Parses and checks a mapping file's text. Never throws. */
export function parseAgentPresenceFile(text: string): AgentPresenceFileResult {
  const read = readYamlFile(text, fileSchema, 'mapping file');
  if (!read.ok) return read;
  return {
    ok: true,
    rules: read.value.agentStates.map((r) => ({
      state: r.state,
      reason: r.reason,
      media: r.media,
      show: r.show === 'leave' ? null : { availability: r.show.availability, activity: r.show.activity },
    })),
  };
}
