/**
 * The emulator's presence model, as Microsoft documents it (presence: setPresence, clearPresence,
 * setUserPreferredPresence, setStatusMessage; "Manage presence state using the Microsoft Graph API"):
 *
 * - A user has presence sessions: their Teams client's (what scripting sets) and one per application that called
 *   `setPresence` (the `sessionId` is the application's id). Their presence is the aggregate.
 * - User-preferred presence overrides every session, but only while at least one session exists; without any the
 *   user is Offline.
 * - Among sessions: DoNotDisturb > Busy > Available > Away (BeRightBack ranks with Away); Offline is no session.
 * - An application session expires after its `expirationDuration` (5 to 240 minutes, default 5) and is then gone.
 *   An Available application session times out: Available/AvailableInactive after 5 minutes without a call, then
 *   Away/Away after another 5.
 * - Only the documented availability/activity pairs are accepted (400 otherwise).
 *
 * Pure bookkeeping over an injected clock; the emulator routes the calls, counts the quota and notifies.
 */
import type { EmulatorReply } from './emulator-reply.js';
import { graphError } from './emulator-reply.js';

/** The pairs `setPresence` accepts. */
export const SESSION_PAIRS: readonly (readonly [string, string])[] = [
  ['Available', 'Available'],
  ['Busy', 'InACall'],
  ['Busy', 'InAConferenceCall'],
  ['Away', 'Away'],
  ['DoNotDisturb', 'Presenting'],
];
/** The pairs `setUserPreferredPresence` accepts. */
export const PREFERRED_PAIRS: readonly (readonly [string, string])[] = [
  ['Available', 'Available'],
  ['Busy', 'Busy'],
  ['DoNotDisturb', 'DoNotDisturb'],
  ['BeRightBack', 'BeRightBack'],
  ['Away', 'Away'],
  ['Offline', 'OffWork'],
];

const MINUTE = 60_000;
/** Shortest and longest application session expiration, and the default. */
export const MIN_EXPIRATION_MS = 5 * MINUTE;
export const MAX_EXPIRATION_MS = 240 * MINUTE;
/** An Available application session fades after this long without a call (twice: inactive, then away). */
export const SESSION_TIMEOUT_MS = 5 * MINUTE;

/** One availability/activity pair. */
export interface PresencePair {
  readonly availability: string;
  readonly activity: string;
}

interface AppSession extends PresencePair {
  readonly setAt: number;
  readonly expiresAt: number;
}

interface Preferred extends PresencePair {
  readonly expiresAt: number;
}

/** A status message as Graph returns it for another user (no expiry or publish time). */
export interface StatusMessage {
  readonly message: { readonly content: string; readonly contentType: string };
  readonly expiresAt: number | undefined;
}

interface UserPresence {
  /** The Teams client's own session; Offline means the user is signed in nowhere. */
  client: PresencePair;
  readonly apps: Map<string, AppSession>;
  preferred: Preferred | undefined;
  status: StatusMessage | undefined;
}

const RANK: Record<string, number> = {
  donotdisturb: 5,
  busy: 4,
  busyidle: 4,
  available: 3,
  availableidle: 3,
  away: 2,
  berightback: 2,
};

/** Parses an ISO 8601 duration of hours, minutes and seconds (`PT1H30M`, `PT5M`); undefined when it is not one. */
export function parseDuration(value: string): number | undefined {
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i.exec(value.trim());
  if (!m || value.trim().toUpperCase() === 'P' || value.trim().toUpperCase() === 'PT') return undefined;
  const [, d, h, min, s] = m;
  return (
    (Number(d ?? 0) * 24 * 60 + Number(h ?? 0) * 60 + Number(min ?? 0)) * MINUTE + Math.round(Number(s ?? 0) * 1000)
  );
}

const pairOf = (pairs: readonly (readonly [string, string])[], availability: unknown, activity: unknown) =>
  pairs.find(([a, b]) => a === availability && b === activity);

/** The presence sessions of every emulated user. */
export class EmulatorPresence {
  readonly #users = new Map<string, UserPresence>();

  /** @param now - The emulator clock. */
  constructor(private readonly now: () => number) {}

  /** Whether the user exists. */
  has(id: string): boolean {
    return this.#users.has(id);
  }

  /** Sets the Teams client's session (scripting; `Offline` signs the client out). */
  setClient(id: string, availability: string, activity: string): void {
    const u = this.#user(id);
    u.client =
      availability.toLowerCase() === 'offline'
        ? { availability, activity: activity || 'Offline' }
        : { availability, activity };
  }

  /** The user's aggregated presence now, and their status message; undefined for an unknown user. */
  aggregate(id: string): (PresencePair & { statusMessage: StatusMessage | undefined }) | undefined {
    const u = this.#users.get(id);
    if (!u) return undefined;
    const t = this.now();
    this.#expire(u, t);
    const sessions: PresencePair[] = [];
    if (u.client.availability.toLowerCase() !== 'offline') sessions.push(u.client);
    for (const s of u.apps.values()) sessions.push(faded(s, t));
    const status = u.status && (u.status.expiresAt === undefined || u.status.expiresAt > t) ? u.status : undefined;
    // Signed in nowhere: the client's own Offline pair (Offline/OffWork when set so), as after clearPresence.
    if (sessions.length === 0) return { ...pick(u.client), statusMessage: status };
    if (u.preferred) return { ...pick(u.preferred), statusMessage: status };
    let best = sessions[0] as PresencePair;
    for (const s of sessions) if (rank(s) > rank(best)) best = s;
    return { ...pick(best), statusMessage: status };
  }

  /** The application sessions a user has (for tests and the console): app id → pair and expiry. */
  appSessions(id: string): ReadonlyMap<string, PresencePair & { readonly expiresAt: number }> {
    const u = this.#users.get(id);
    if (!u) return new Map();
    this.#expire(u, this.now());
    return new Map([...u.apps].map(([k, s]) => [k, { ...pick(s), expiresAt: s.expiresAt }]));
  }

  /** `POST /users/{id}/presence/setPresence` by the application `appId`. */
  setPresence(id: string, appId: string, body: Record<string, unknown>): EmulatorReply {
    const u = this.#users.get(id);
    if (!u) return graphError(404, 'NotFound', `User '${id}' not found.`);
    if (body.sessionId !== appId)
      return graphError(400, 'BadRequest', 'sessionId must be the id of the calling application.');
    const pair = pairOf(SESSION_PAIRS, body.availability, body.activity);
    if (!pair) return graphError(400, 'BadRequest', 'Unsupported combination of availability and activity.');
    const duration =
      body.expirationDuration === undefined ? MIN_EXPIRATION_MS : parseDuration(String(body.expirationDuration));
    if (duration === undefined || duration < MIN_EXPIRATION_MS || duration > MAX_EXPIRATION_MS)
      return graphError(400, 'BadRequest', 'expirationDuration must be between PT5M and PT4H.');
    const t = this.now();
    u.apps.set(appId, { availability: pair[0], activity: pair[1], setAt: t, expiresAt: t + duration });
    return { status: 200 };
  }

  /** `POST /users/{id}/presence/clearPresence` by the application `appId`: 404 when it has no session. */
  clearPresence(id: string, appId: string, body: Record<string, unknown>): EmulatorReply {
    const u = this.#users.get(id);
    if (!u) return graphError(404, 'NotFound', `User '${id}' not found.`);
    if (body.sessionId !== appId)
      return graphError(400, 'BadRequest', 'sessionId must be the id of the calling application.');
    this.#expire(u, this.now());
    if (!u.apps.delete(appId)) return graphError(404, 'NotFound', 'The presence session does not exist.');
    return { status: 200 };
  }

  /** `POST /users/{id}/presence/setUserPreferredPresence`. */
  setPreferred(id: string, body: Record<string, unknown>): EmulatorReply {
    const u = this.#users.get(id);
    if (!u) return graphError(404, 'NotFound', `User '${id}' not found.`);
    const pair = pairOf(PREFERRED_PAIRS, body.availability, body.activity);
    if (!pair) return graphError(400, 'BadRequest', 'Unsupported combination of availability and activity.');
    // Without a duration: a day for DoNotDisturb and Busy, a week for the others.
    const fallback = pair[0] === 'DoNotDisturb' || pair[0] === 'Busy' ? 24 * 60 * MINUTE : 7 * 24 * 60 * MINUTE;
    const duration = body.expirationDuration === undefined ? fallback : parseDuration(String(body.expirationDuration));
    if (duration === undefined || duration <= 0)
      return graphError(400, 'BadRequest', 'expirationDuration is not an ISO 8601 duration.');
    u.preferred = { availability: pair[0], activity: pair[1], expiresAt: this.now() + duration };
    return { status: 200 };
  }

  /** `POST /users/{id}/presence/clearUserPreferredPresence`. */
  clearPreferred(id: string): EmulatorReply {
    const u = this.#users.get(id);
    if (!u) return graphError(404, 'NotFound', `User '${id}' not found.`);
    u.preferred = undefined;
    return { status: 200 };
  }

  /** `POST /users/{id}/presence/setStatusMessage`: an empty message clears it. */
  setStatusMessage(id: string, body: Record<string, unknown>): EmulatorReply {
    const u = this.#users.get(id);
    if (!u) return graphError(404, 'NotFound', `User '${id}' not found.`);
    const sm = body.statusMessage as
      | { message?: { content?: unknown; contentType?: unknown }; expiryDateTime?: { dateTime?: unknown } }
      | undefined;
    const content = sm?.message?.content;
    if (!sm || typeof content !== 'string')
      return graphError(400, 'BadRequest', 'statusMessage.message.content is required.');
    if ((sm.message?.contentType ?? 'text') !== 'text')
      return graphError(400, 'BadRequest', "The only supported contentType is 'text'.");
    let expiresAt: number | undefined;
    if (sm.expiryDateTime?.dateTime !== undefined) {
      // dateTimeTimeZone without a zone offset; the emulator reads it as UTC.
      expiresAt = Date.parse(`${String(sm.expiryDateTime.dateTime).replace(/Z$/, '')}Z`);
      if (!Number.isFinite(expiresAt)) return graphError(400, 'BadRequest', 'expiryDateTime.dateTime is invalid.');
    }
    u.status = content === '' ? undefined : { message: { content, contentType: 'text' }, expiresAt };
    return { status: 200 };
  }

  #user(id: string): UserPresence {
    let u = this.#users.get(id);
    if (!u) {
      u = {
        client: { availability: 'Offline', activity: 'Offline' },
        apps: new Map(),
        preferred: undefined,
        status: undefined,
      };
      this.#users.set(id, u);
    }
    return u;
  }

  #expire(u: UserPresence, t: number): void {
    for (const [k, s] of u.apps) if (s.expiresAt <= t) u.apps.delete(k);
    if (u.preferred && u.preferred.expiresAt <= t) u.preferred = undefined;
  }
}

function rank(p: PresencePair): number {
  return RANK[p.availability.toLowerCase()] ?? 0;
}

function pick(p: PresencePair): PresencePair {
  return { availability: p.availability, activity: p.activity };
}

/** An Available application session fades when not refreshed: AvailableInactive after 5 minutes, Away after 10. */
function faded(s: AppSession, t: number): PresencePair {
  if (s.availability !== 'Available') return s;
  const idle = t - s.setAt;
  if (idle >= 2 * SESSION_TIMEOUT_MS) return { availability: 'Away', activity: 'Away' };
  if (idle >= SESSION_TIMEOUT_MS) return { availability: 'Available', activity: 'AvailableInactive' };
  return s;
}
