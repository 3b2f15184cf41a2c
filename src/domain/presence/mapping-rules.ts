/**
 * Presence → agent-state mapping rules: ordered, first match wins, most specific first, per routing point overrides.
 *
 * The shipped default is the Genesys UC Connector's: Available → Ready, Offline → LoggedOut, anything else →
 * NotReady with the activity as reason code. Graph values are open enums, so matching is case-insensitive.
 */
import { type AgentState, BUSY, LOGGED_OUT, notReady, READY } from './agent-state.js';

/** The state a rule maps to, as written in a rules file. */
export type RuleTarget = 'Ready' | 'NotReady' | 'Busy' | 'LoggedOut';

/** One mapping rule as configured. Omitted `availability`/`activity` match anything. */
export interface MappingRule {
  /** Graph availability value(s) to match (case-insensitive); omitted = any. */
  readonly availability?: string | readonly string[] | undefined;
  /** Graph activity value(s) to match (case-insensitive); omitted = any. */
  readonly activity?: string | readonly string[] | undefined;
  /** The agent state to map to. */
  readonly state: RuleTarget;
  /** Reason code for NotReady; defaults to the observed activity. */
  readonly reasonCode?: string | undefined;
}

/** A compiled rule: lowercase match sets, precomputed specificity. */
interface CompiledRule {
  readonly availability: ReadonlySet<string> | undefined;
  readonly activity: ReadonlySet<string> | undefined;
  readonly state: RuleTarget;
  readonly reasonCode: string | undefined;
  readonly specificity: number;
}

/** A compiled set of rules: the default list plus per-routing-point lists consulted first. */
export interface MappingRuleSet {
  readonly rules: readonly CompiledRule[];
  readonly routingPoints: ReadonlyMap<string, readonly CompiledRule[]>;
}

/** The rules as configured (the shape of a rules file). */
export interface MappingRulesConfig {
  readonly rules: readonly MappingRule[];
  /** Overrides per routing point id, consulted before the default rules. */
  readonly routingPoints?: Readonly<Record<string, readonly MappingRule[]>> | undefined;
}

/** The UC Connector's default: Available → Ready, Offline → LoggedOut, anything else → NotReady(activity). */
export const DEFAULT_MAPPING_RULES: MappingRulesConfig = {
  rules: [
    { availability: 'Available', state: 'Ready' },
    { availability: 'Offline', state: 'LoggedOut' },
    { state: 'NotReady' },
  ],
};

function toSet(v: string | readonly string[] | undefined): ReadonlySet<string> | undefined {
  if (v === undefined) return undefined;
  const list = typeof v === 'string' ? [v] : v;
  return new Set(list.map((x) => x.toLowerCase()));
}

function compileList(list: readonly MappingRule[]): CompiledRule[] {
  const compiled = list.map((r, index) => {
    const availability = toSet(r.availability);
    const activity = toSet(r.activity);
    const specificity = (availability ? 1 : 0) + (activity ? 1 : 0);
    return { rule: { availability, activity, state: r.state, reasonCode: r.reasonCode, specificity }, index };
  });
  // Most specific first; among equals, file order (a stable sort keeps it, the index makes it explicit).
  compiled.sort((a, b) => b.rule.specificity - a.rule.specificity || a.index - b.index);
  return compiled.map((c) => c.rule);
}

/** Compiles configured rules into a rule set. The default rules always end with the shipped fallback. */
export function compileMappingRules(config: MappingRulesConfig): MappingRuleSet {
  const routingPoints = new Map<string, CompiledRule[]>();
  for (const [id, list] of Object.entries(config.routingPoints ?? {})) routingPoints.set(id, compileList(list));
  return { rules: compileList(config.rules), routingPoints };
}

function targetState(rule: CompiledRule, activity: string): AgentState {
  switch (rule.state) {
    case 'Ready':
      return READY;
    case 'Busy':
      return BUSY;
    case 'LoggedOut':
      return LOGGED_OUT;
    case 'NotReady':
      return notReady(rule.reasonCode ?? activity);
  }
}

function firstMatch(list: readonly CompiledRule[], av: string, ac: string): CompiledRule | undefined {
  for (const r of list) {
    if (r.availability && !r.availability.has(av)) continue;
    if (r.activity && !r.activity.has(ac)) continue;
    return r;
  }
  return undefined;
}

/**
 * Maps a Graph presence to an agent state: the routing point's rules first (when given and configured), then the
 * default rules, then the shipped fallback (Available → Ready, Offline → LoggedOut, else NotReady(activity)).
 */
export function mapPresence(
  set: MappingRuleSet,
  availability: string,
  activity: string,
  routingPointId?: string,
): AgentState {
  const av = availability.toLowerCase();
  const ac = activity.toLowerCase();
  const rp = routingPointId === undefined ? undefined : set.routingPoints.get(routingPointId);
  const rule = (rp && firstMatch(rp, av, ac)) ?? firstMatch(set.rules, av, ac);
  if (rule) return targetState(rule, activity);
  if (av === 'available') return READY;
  if (av === 'offline') return LOGGED_OUT;
  return notReady(activity);
}
