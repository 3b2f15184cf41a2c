/**
 * Verifies Entra ID client-credential tokens for the agent API: the signature against the tenant's JWKS, the issuer,
 * the audience (this connector), the time window (by the connector's clock), and the client app, which must be
 * listed in `agentApi.entra.clients`. Outcomes are values; the token itself is never logged.
 */
import { createRemoteJWKSet, errors, type JWTVerifyGetKey, jwtVerify } from 'jose';
import type { Clock } from '../../ports/clock.js';
import type { EntraOptions } from './agent-api-options.js';

/** The outcome of verifying a token. */
export type EntraVerification =
  | { readonly ok: true; readonly appId: string; readonly contactCenter: string }
  /** `invalid`: the token is refused (401); `unavailable`: the signing keys could not be fetched (503). */
  | { readonly ok: false; readonly kind: 'invalid' | 'unavailable'; readonly reason: string };

/** Verifies tokens. */
export interface EntraVerifier {
  verify(token: string): Promise<EntraVerification>;
}

/** Whether a presented credential looks like a JWT (three base64url parts) rather than an API key. */
export function looksLikeJwt(credential: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(credential);
}

/** The issuers and JWKS address: configured, or the tenant's defaults. */
export function entraEndpoints(options: EntraOptions): { issuers: string[]; jwksUri: string } {
  const tenant = options.tenantId ?? '';
  return {
    issuers: options.issuers ?? [
      `https://login.microsoftonline.com/${tenant}/v2.0`,
      `https://sts.windows.net/${tenant}/`,
    ],
    jwksUri: options.jwksUri ?? `https://login.microsoftonline.com/${tenant}/discovery/v2.0/keys`,
  };
}

function reasonOf(error: unknown): EntraVerification {
  const invalid = (reason: string) => ({ ok: false as const, kind: 'invalid' as const, reason });
  if (error instanceof errors.JWTExpired) return invalid('The token has expired.');
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'aud') return invalid('The token is not for this connector (audience).');
    if (error.claim === 'iss') return invalid('The token is not from the configured tenant (issuer).');
    if (error.claim === 'nbf') return invalid('The token is not valid yet.');
    return invalid(`The token's ${error.claim} claim is not accepted.`);
  }
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid || error instanceof TypeError) {
    return { ok: false, kind: 'unavailable', reason: "The tenant's signing keys cannot be fetched now." };
  }
  if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWSSignatureVerificationFailed)
    return invalid('The token is not signed by the tenant.');
  return invalid('The token is malformed or not signed as expected.');
}

/** Builds a verifier; `keys` defaults to the remote JWKS (fetched, cached and refreshed by jose). */
export function createEntraVerifier(options: EntraOptions, clock: Clock, keys?: JWTVerifyGetKey): EntraVerifier {
  const { issuers, jwksUri } = entraEndpoints(options);
  const keySet = keys ?? createRemoteJWKSet(new URL(jwksUri));
  const clients = new Map(options.clients.map((c) => [c.appId, c.contactCenter]));
  return {
    async verify(token) {
      try {
        const { payload } = await jwtVerify(token, keySet, {
          issuer: issuers,
          audience: options.audience,
          algorithms: ['RS256'],
          currentDate: new Date(clock.now()),
          requiredClaims: ['exp'],
        });
        const appId = typeof payload.azp === 'string' ? payload.azp : payload.appid;
        if (typeof appId !== 'string')
          return { ok: false, kind: 'invalid', reason: 'The token names no client app (azp or appid).' };
        const contactCenter = clients.get(appId);
        if (!contactCenter) {
          return { ok: false, kind: 'invalid', reason: `Client app ${appId} is not allowed to use this API.` };
        }
        return { ok: true, appId, contactCenter };
      } catch (error) {
        return reasonOf(error);
      }
    },
  };
}
