/**
 * Authentication of the agent API: `Authorization: Bearer <key>` (or `X-API-Key`), or, when configured, an Entra ID
 * client-credential token (`Authorization: Bearer <JWT>`) from an allowed client app. An agent key acts as its
 * agent; a platform key (or a token) acts for the contact center, and for the agent named in `X-Agent-Id` (who must
 * belong to its contact center). Keys and tokens are never logged. Then the per-key rate limit. Runs before the
 * request body is read: a refused request is answered without its body being buffered. Refused credentials (none,
 * unknown, revoked, invalid token) are limited per client address: once an address has used up its allowance, it
 * gets 429 before any credential it sends is even looked at, so keys cannot be guessed at line rate.
 */
import type { Request, RequestHandler, Response } from 'express';
import { ProblemError, problem } from '../http/problem.js';
import type { ApiKeyIdentity, ApiKeyStore } from '../store/api-key-store.js';
import { type EntraVerifier, looksLikeJwt } from './entra-token.js';
import type { RateLimiter } from './rate-limit.js';

/** The caller of a request. */
export interface Caller {
  readonly keyId: string;
  readonly contactCenter: string;
  /** The agent acting (bound to the key, or named by a platform key); null when the platform acts for itself. */
  readonly agentId: string | null;
  /** True for a platform key (not bound to an agent). */
  readonly platform: boolean;
}

const callers = new WeakMap<Request, Caller>();

/** The caller of an authenticated request. */
export function callerOf(req: Request): Caller {
  const caller = callers.get(req);
  if (!caller) throw new ProblemError(problem(401, 'unauthenticated', 'Unauthenticated', 'An API key is required.'));
  return caller;
}

/** Options for {@link authenticate}. */
export interface AuthenticateOptions {
  readonly keys: ApiKeyStore;
  /** Per key (or token client). */
  readonly limiter: RateLimiter;
  /** Refused credentials, per client address. */
  readonly refusedLimiter: RateLimiter;
  /** Whether an agent id is known and belongs to a contact center. */
  readonly agentBelongs: (agentId: string, contactCenter: string) => boolean;
  /** Verifies Entra ID tokens; absent when only API keys are accepted. */
  readonly entra?: EntraVerifier | undefined;
}

/** The identity behind a presented credential: an API key, or an Entra ID token of an allowed client app. */
async function identify(options: AuthenticateOptions, credential: string): Promise<ApiKeyIdentity> {
  const unauthenticated = (detail: string) =>
    new ProblemError(problem(401, 'unauthenticated', 'Unauthenticated', detail));
  if (options.entra && looksLikeJwt(credential)) {
    const result = await options.entra.verify(credential);
    if (result.ok) return { keyId: `entra:${result.appId}`, contactCenter: result.contactCenter, agentId: null };
    if (result.kind === 'unavailable')
      throw new ProblemError(problem(503, 'token-verification-unavailable', 'Service unavailable', result.reason));
    throw unauthenticated(result.reason);
  }
  const identity = await options.keys.verify(credential);
  if (!identity) throw unauthenticated('The API key is unknown or revoked.');
  return identity;
}

function presentedKey(req: Request): string | undefined {
  const header = req.get('authorization');
  if (header?.toLowerCase().startsWith('bearer ')) return header.slice(7).trim();
  return req.get('x-api-key')?.trim() || undefined;
}

/** The 429 problem for a wait in milliseconds, with its `Retry-After` header set. */
function rateLimited(res: Response, wait: number, detail: string): ProblemError {
  const seconds = Math.ceil(wait / 1000);
  res.setHeader('Retry-After', String(seconds));
  return new ProblemError(
    problem(429, 'rate-limited', 'Too many requests', `${detail} Retry after ${seconds} s.`, {
      retryAfterSeconds: seconds,
    } as object),
  );
}

/** The address a refused request is counted against (the socket's peer, or the proxy's view when trusted). */
const addressOf = (req: Request): string => `address:${req.ip ?? req.socket.remoteAddress ?? 'unknown'}`;

/** Middleware: resolves the caller or answers 401/403/429. */
export function authenticate(options: AuthenticateOptions): RequestHandler {
  return async (req, res, next) => {
    try {
      const address = addressOf(req);
      const blocked = options.refusedLimiter.wait(address);
      if (blocked > 0) throw rateLimited(res, blocked, 'Too many refused credentials from this address.');
      let identity: ApiKeyIdentity;
      try {
        const key = presentedKey(req);
        if (!key) {
          throw new ProblemError(
            problem(401, 'unauthenticated', 'Unauthenticated', 'Send an API key as "Authorization: Bearer <key>".'),
          );
        }
        identity = await identify(options, key);
      } catch (error) {
        if (error instanceof ProblemError && error.problem.status === 401) options.refusedLimiter.take(address);
        throw error;
      }
      const wait = options.limiter.take(identity.keyId);
      if (wait > 0) throw rateLimited(res, wait, 'Too many requests for this key.');
      let agentId = identity.agentId;
      const named = req.get('x-agent-id')?.trim();
      if (identity.agentId === null && named) {
        if (!options.agentBelongs(named, identity.contactCenter)) {
          throw new ProblemError(
            problem(403, 'unknown-agent', 'Unknown agent', `Agent ${named} is not an agent of this contact center.`),
          );
        }
        agentId = named;
      }
      callers.set(req, {
        keyId: identity.keyId,
        contactCenter: identity.contactCenter,
        agentId,
        platform: identity.agentId === null,
      });
      next();
    } catch (error) {
      // The body of a refused request is never read: close the connection after the answer rather than drain it.
      if (req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined)
        res.setHeader('Connection', 'close');
      next(error);
    }
  };
}
