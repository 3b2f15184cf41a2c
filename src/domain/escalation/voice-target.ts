/**
 * The direct voice target of a knowledge worker who accepted (seed 000 step 9): the configured extension or
 * number, else Graph `businessPhones` then `mobilePhone` as E.164, plus their Teams identity and SIP URI.
 * "No voice target configured" is a value, with the numbers that were refused and why.
 */
import { z } from 'zod';
import type { KnowledgeWorker } from '../routing/knowledge-worker.js';
import { countryCodeSchema, type E164Number, type E164Refusal, normalizeToE164 } from './e164.js';
import { voiceRoutingPointsSchema } from './voice-routing-points.js';

/** Escalation options (composed into the config file's schema by the lead). */
export const escalationOptionsSchema = z.object({
  /** Country calling code of phone numbers written in national format. Default "1". */
  defaultCountryCode: countryCodeSchema.default('1'),
  /** The voice routing points calls arrive at, each with its business rule (preview or direct) and default route. */
  voiceRoutingPoints: voiceRoutingPointsSchema.default([]),
});

/** Escalation options, as validated. */
export type Escalation = z.infer<typeof escalationOptionsSchema>;

/** Escalation options, as written in config. */
export type EscalationOptions = z.input<typeof escalationOptionsSchema>;

/** Where a phone number came from, in precedence order. */
export type NumberSource = 'configured' | 'businessPhones' | 'mobilePhone';

/** A number that could not be used, and why. */
export interface RefusedNumber {
  readonly source: NumberSource;
  readonly value: string;
  readonly refusal: E164Refusal;
}

/** The direct target: an internal extension, an E.164 number, or none. */
export type DirectVoiceTarget =
  | { readonly kind: 'extension'; readonly extension: string; readonly source: 'configured' }
  | { readonly kind: 'number'; readonly number: E164Number; readonly source: NumberSource }
  | {
      readonly kind: 'none';
      readonly reason: 'no-voice-target-configured';
      readonly refused: readonly RefusedNumber[];
    };

/** The knowledge worker in Teams: Entra object id, UPN and SIP URI (`sip:<upn>`); null when no UPN is known. */
export interface TeamsIdentity {
  readonly aadObjectId: string;
  readonly upn: string | null;
  readonly sipUri: string | null;
}

/** Fresh Graph user fields, when the caller has them; they take the place of the directory's copies. */
export interface GraphUserPhones {
  readonly userPrincipalName?: string | null | undefined;
  readonly businessPhones?: readonly string[] | undefined;
  readonly mobilePhone?: string | null | undefined;
}

/** The direct voice target and the Teams identity of one knowledge worker. */
export interface DirectVoiceTargetResult {
  readonly direct: DirectVoiceTarget;
  readonly teams: TeamsIdentity;
}

/** The Teams identity of a knowledge worker: the UPN from Graph, else the directory's UPN, else its email. */
export function teamsIdentityOf(kw: KnowledgeWorker, graph?: GraphUserPhones): TeamsIdentity {
  const upn = graph?.userPrincipalName ?? kw.upn ?? kw.email ?? null;
  return { aadObjectId: kw.id, upn, sipUri: upn ? `sip:${upn.toLowerCase()}` : null };
}

/**
 * Resolves the direct voice target. Precedence: configured extension; configured number; each of
 * `businessPhones` in order; `mobilePhone`. Numbers that fail E.164 normalisation are skipped and reported.
 */
export function resolveDirectVoiceTarget(
  kw: KnowledgeWorker,
  options: Escalation,
  graph?: GraphUserPhones,
): DirectVoiceTargetResult {
  const teams = teamsIdentityOf(kw, graph);
  if (kw.voice.extension) {
    return { direct: { kind: 'extension', extension: kw.voice.extension, source: 'configured' }, teams };
  }
  const candidates: { source: NumberSource; value: string }[] = [];
  if (kw.voice.number) candidates.push({ source: 'configured', value: kw.voice.number });
  for (const value of graph?.businessPhones ?? kw.businessPhones) candidates.push({ source: 'businessPhones', value });
  const mobile = graph?.mobilePhone !== undefined ? graph.mobilePhone : kw.mobilePhone;
  if (mobile) candidates.push({ source: 'mobilePhone', value: mobile });
  const refused: RefusedNumber[] = [];
  for (const c of candidates) {
    const result = normalizeToE164(c.value, options);
    if (result.ok) return { direct: { kind: 'number', number: result.number, source: c.source }, teams };
    refused.push({ source: c.source, value: c.value, refusal: result.refusal });
  }
  return { direct: { kind: 'none', reason: 'no-voice-target-configured', refused }, teams };
}

/** The dialable string of a direct target (extension, or E.164 with no extension), or null. */
export function dialStringOf(direct: DirectVoiceTarget): string | null {
  if (direct.kind === 'extension') return direct.extension;
  if (direct.kind === 'number') return direct.number.e164;
  return null;
}
