/**
 * App-only Graph tokens with MSAL client credentials (application permission Presence.Read.All).
 * MSAL caches the token in memory and renews it before expiry; discovery metadata is static, so no
 * network round trip happens except the token request itself.
 */
import { ConfidentialClientApplication } from '@azure/msal-node';
import { z } from 'zod';
import { GraphAuthError } from './graph-errors.js';
import { authorityMetadataFor, createMsalNetwork, isLoopbackHttp } from './msal-network.js';

/** Schema of {@link AppTokenOptions}. */
export const appTokenOptionsSchema = z.object({
  /** Entra tenant id (GUID or domain). */
  tenantId: z.string().min(1),
  /** App registration (client) id. */
  clientId: z.string().min(1),
  /** Client secret. Never logged. */
  clientSecret: z.string().min(1),
  /** Identity platform base URL; default `https://login.microsoftonline.com`; the emulator's URL in local mode. */
  authorityBaseUrl: z.url().default('https://login.microsoftonline.com'),
  /** Token scope; default `https://graph.microsoft.com/.default`. */
  scope: z.string().default('https://graph.microsoft.com/.default'),
});

/** Options of the app token source (client credentials). */
export type AppTokenOptions = z.input<typeof appTokenOptionsSchema>;

/** Something that yields a bearer token for Graph. */
export interface TokenSource {
  /** A valid access token; throws {@link GraphAuthError} when none can be had. */
  getToken(): Promise<string>;
}

/** Creates the app-only token source on MSAL's ConfidentialClientApplication. */
export function createAppTokenSource(options: AppTokenOptions): TokenSource {
  const o = appTokenOptionsSchema.parse(options);
  const meta = authorityMetadataFor(o.authorityBaseUrl, o.tenantId);
  const app = new ConfidentialClientApplication({
    auth: {
      clientId: o.clientId,
      clientSecret: o.clientSecret,
      authority: meta.authority,
      knownAuthorities: meta.knownAuthorities,
      authorityMetadata: meta.authorityMetadata,
      cloudDiscoveryMetadata: meta.cloudDiscoveryMetadata,
    },
    system: {
      networkClient: createMsalNetwork(
        isLoopbackHttp(o.authorityBaseUrl) ? new URL(o.authorityBaseUrl).origin : undefined,
      ),
    },
  });
  return {
    async getToken() {
      let token: string | undefined;
      try {
        token = (await app.acquireTokenByClientCredential({ scopes: [o.scope] }))?.accessToken;
      } catch (err) {
        const code = (err as { errorCode?: string }).errorCode ?? 'msal_error';
        throw new GraphAuthError(code, err);
      }
      if (!token) throw new GraphAuthError('empty_token');
      return token;
    },
  };
}
