/**
 * The emulator's identity platform: client-credential and device-code token grants (with refresh tokens),
 * static OpenID metadata, and the JWKS plus signer of the `validationTokens` that rich notifications carry.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { type CryptoKey, exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';

/** Graph change tracking's app id: the `appid` claim of every validation token. */
export const GRAPH_NOTIFICATIONS_APP_ID = '0bf30f3b-4a52-48df-9a82-234910c4a086';

/** Who a token was issued to. */
export type Principal =
  | { readonly kind: 'app'; readonly clientId: string }
  | { readonly kind: 'user'; readonly clientId: string; readonly username: string };

const b64url = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');

/** Token issuing and checking for the emulator. */
export class EmulatorIdentity {
  readonly #tokens = new Map<string, Principal>();
  readonly #refresh = new Map<string, Principal>();
  readonly #deviceCodes = new Map<string, { userCode: string; clientId: string; username?: string }>();
  #signer?: { key: CryptoKey; jwk: JWK };
  readonly #validationTokens = new Map<string, { jwt: string; exp: number }>();
  readonly #secrets = new Map<string, string>();

  /** @param tenantId - The emulated tenant. */
  constructor(readonly tenantId: string) {}

  /** The JWKS (public keys) that validation tokens are signed with. */
  async jwks(): Promise<{ keys: JWK[] }> {
    return { keys: [(await this.#key()).jwk] };
  }

  async #key() {
    if (!this.#signer) {
      const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
      const jwk = { ...(await exportJWK(publicKey)), kid: 'emulator-1', use: 'sig', alg: 'RS256' };
      this.#signer = { key: privateKey as CryptoKey, jwk };
    }
    return this.#signer;
  }

  /** A validation token for (app, tenant), reused until shortly before it expires, as Graph does. */
  async validationToken(appId: string, nowMs: number): Promise<string> {
    const hit = this.#validationTokens.get(appId);
    if (hit && hit.exp - 300_000 > nowMs) return hit.jwt;
    const { key } = await this.#key();
    const exp = nowMs + 3_600_000;
    const jwt = await new SignJWT({ appid: GRAPH_NOTIFICATIONS_APP_ID, tid: this.tenantId })
      .setProtectedHeader({ alg: 'RS256', kid: 'emulator-1' })
      .setAudience(appId)
      .setIssuer(`https://sts.windows.net/${this.tenantId}/`)
      .setIssuedAt(Math.floor(nowMs / 1000))
      .setExpirationTime(Math.floor(exp / 1000))
      .sign(key);
    this.#validationTokens.set(appId, { jwt, exp });
    return jwt;
  }

  /** Who holds this bearer token, if anyone. */
  principal(authorization: string | undefined): Principal | undefined {
    if (!authorization?.startsWith('Bearer ')) return undefined;
    return this.#tokens.get(authorization.slice(7));
  }

  /** Starts a device code login; the returned user code is approved with {@link approveDeviceCode}. */
  deviceCode(clientId: string, baseUrl: string) {
    const deviceCode = randomUUID();
    const userCode = randomBytes(4).toString('hex').toUpperCase();
    this.#deviceCodes.set(deviceCode, { userCode, clientId });
    return {
      device_code: deviceCode,
      user_code: userCode,
      verification_uri: `${baseUrl}/devicelogin`,
      expires_in: 900,
      interval: 1,
      message: `To sign in, open ${baseUrl}/devicelogin and enter the code ${userCode}.`,
    };
  }

  /** Scripting: the named account signs in with this user code. Returns false if no such code is pending. */
  approveDeviceCode(userCode: string, username: string): boolean {
    for (const entry of this.#deviceCodes.values()) {
      if (entry.userCode === userCode) {
        entry.username = username;
        return true;
      }
    }
    return false;
  }

  /** Revokes every token of a user (their next silent refresh fails, as after a password reset). */
  revokeUser(username: string): void {
    for (const map of [this.#tokens, this.#refresh]) {
      for (const [t, p] of map) if (p.kind === 'user' && p.username === username) map.delete(t);
    }
  }

  /**
   * Registers an app's client secret: from then on a client-credentials request for `clientId` with another secret
   * is refused with 401 `invalid_client` (AADSTS7000215), as Entra does. Unregistered apps accept any secret.
   */
  registerClient(clientId: string, clientSecret: string): void {
    this.#secrets.set(clientId, clientSecret);
  }

  /** Handles `POST /{tenant}/oauth2/v2.0/token`: a JSON body and status. */
  token(form: URLSearchParams, baseUrl: string): { status: number; body: unknown } {
    const clientId = form.get('client_id') ?? '';
    const grant = form.get('grant_type');
    const fail = (error: string) => ({ status: 400, body: { error, error_description: `${error} (emulator)` } });
    if (grant === 'client_credentials') {
      if (!clientId || !form.get('client_secret')) return fail('invalid_client');
      const expected = this.#secrets.get(clientId);
      if (expected !== undefined && expected !== form.get('client_secret'))
        return {
          status: 401,
          body: {
            error: 'invalid_client',
            error_description: `AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`,
            error_codes: [7000215],
          },
        };
      return { status: 200, body: this.#issue({ kind: 'app', clientId }, false, baseUrl) };
    }
    if (grant === 'device_code') {
      const entry = this.#deviceCodes.get(form.get('device_code') ?? '');
      if (!entry) return fail('expired_token');
      if (!entry.username) return fail('authorization_pending');
      this.#deviceCodes.delete(form.get('device_code') ?? '');
      return { status: 200, body: this.#issue({ kind: 'user', clientId, username: entry.username }, true, baseUrl) };
    }
    if (grant === 'refresh_token') {
      const p = this.#refresh.get(form.get('refresh_token') ?? '');
      if (!p) return fail('invalid_grant');
      return { status: 200, body: this.#issue(p, true, baseUrl) };
    }
    return fail('unsupported_grant_type');
  }

  #issue(p: Principal, withUser: boolean, baseUrl: string) {
    const access = `${p.kind}.${randomBytes(16).toString('hex')}`;
    this.#tokens.set(access, p);
    const body: Record<string, unknown> = {
      token_type: 'Bearer',
      expires_in: 3600,
      ext_expires_in: 3600,
      access_token: access,
      scope:
        p.kind === 'app' ? 'https://graph.microsoft.com/.default' : 'Presence.Read.All openid profile offline_access',
    };
    if (withUser && p.kind === 'user') {
      const refresh = randomBytes(24).toString('hex');
      this.#refresh.set(refresh, p);
      const oid = Buffer.from(p.username).toString('hex').slice(0, 32).padEnd(32, '0');
      const now = Math.floor(Date.now() / 1000);
      const claims = {
        aud: p.clientId,
        iss: `${baseUrl}/${this.tenantId}/v2.0`,
        tid: this.tenantId,
        oid,
        sub: oid,
        preferred_username: p.username,
        name: p.username,
        iat: now,
        nbf: now,
        exp: now + 3600,
      };
      body.refresh_token = refresh;
      body.id_token = `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(claims)}.`;
      body.client_info = b64url({ uid: oid, utid: this.tenantId });
    }
    return body;
  }
}
