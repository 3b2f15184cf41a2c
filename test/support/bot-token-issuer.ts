/**
 * A stand-in for Bot Framework's token issuer on loopback: it serves OpenID metadata and its JWKS (RSA keys with
 * `msteams` endorsements, as login.botframework.com publishes them) and signs channel tokens as the Bot Connector
 * does (`iss` https://api.botframework.com, `aud` the bot's app id, a `serviceurl` claim, RS256). It also forges the
 * tokens an attacker would: other keys, `alg: none`, HS256 keyed with the public key.
 */
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type CryptoKey, exportJWK, exportSPKI, generateKeyPair, type JWK, SignJWT } from 'jose';

/** The issuer the Bot Connector's tokens name. */
export const BOT_FRAMEWORK_ISSUER = 'https://api.botframework.com';

/** Claims of a token, as the Bot Connector signs them (override any). */
export interface ChannelClaims {
  readonly aud: string;
  readonly serviceurl: string;
  readonly iss?: string;
  /** Seconds since the epoch (default: 5 minutes ago). */
  readonly nbf?: number;
  /** Seconds since the epoch (default: in an hour). */
  readonly exp?: number;
}

/** A running issuer. */
export interface BotTokenIssuer {
  /** The OpenID metadata URL to configure (`teams.openIdMetadataUrl`). */
  readonly openIdMetadataUrl: string;
  /** A token signed by the published key. */
  sign(claims: ChannelClaims): Promise<string>;
  /** A token signed by a key the metadata does not publish, under the published key's id. */
  signWithUnpublishedKey(claims: ChannelClaims): Promise<string>;
  /** A token signed by a key the metadata does not publish, under a key id it does not know. */
  signWithUnknownKid(claims: ChannelClaims): Promise<string>;
  /** An unsigned token (`alg: none`). */
  unsigned(claims: ChannelClaims): string;
  /** HS256 with the published public key (PEM) as the HMAC secret: the algorithm-confusion forgery. */
  hs256WithPublicKey(claims: ChannelClaims): Promise<string>;
  close(): Promise<void>;
}

const KID = 'bf-test-key-1';

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

function payloadOf(claims: ChannelClaims): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return {
    iss: claims.iss ?? BOT_FRAMEWORK_ISSUER,
    aud: claims.aud,
    serviceurl: claims.serviceurl,
    nbf: claims.nbf ?? now - 300,
    exp: claims.exp ?? now + 3600,
    iat: (claims.nbf ?? now - 300) + 1,
  };
}

async function rs256(key: CryptoKey, kid: string, claims: ChannelClaims): Promise<string> {
  return new SignJWT(payloadOf(claims)).setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' }).sign(key);
}

/** Starts the issuer on 127.0.0.1. */
export async function startBotTokenIssuer(): Promise<BotTokenIssuer> {
  const published = await generateKeyPair('RS256', { extractable: true });
  const other = await generateKeyPair('RS256', { extractable: true });
  const jwk: JWK = { ...(await exportJWK(published.publicKey)), kid: KID, kty: 'RSA', use: 'sig' };
  const publicPem = await exportSPKI(published.publicKey);
  let base = '';
  const server: Server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.url === '/v1/.well-known/openidconfiguration') {
      res.end(
        JSON.stringify({
          issuer: BOT_FRAMEWORK_ISSUER,
          authorization_endpoint: 'https://invalid.botframework.com',
          jwks_uri: `${base}/v1/.well-known/keys`,
          id_token_signing_alg_values_supported: ['RS256'],
          token_endpoint_auth_methods_supported: ['private_key_jwt'],
        }),
      );
    } else if (req.url === '/v1/.well-known/keys') {
      res.end(JSON.stringify({ keys: [{ ...jwk, endorsements: ['msteams'] }] }));
    } else {
      res.statusCode = 404;
      res.end('{}');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    openIdMetadataUrl: `${base}/v1/.well-known/openidconfiguration`,
    sign: (claims) => rs256(published.privateKey, KID, claims),
    signWithUnpublishedKey: (claims) => rs256(other.privateKey, KID, claims),
    signWithUnknownKid: (claims) => rs256(other.privateKey, 'not-published', claims),
    unsigned: (claims) => `${b64url({ alg: 'none', kid: KID, typ: 'JWT' })}.${b64url(payloadOf(claims))}.`,
    async hs256WithPublicKey(claims) {
      const input = `${b64url({ alg: 'HS256', kid: KID, typ: 'JWT' })}.${b64url(payloadOf(claims))}`;
      return `${input}.${createHmac('sha256', publicPem).update(input).digest('base64url')}`;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
