/**
 * Delegated tokens of subscriber (service) accounts: signed in once with MSAL's device code flow, then refreshed
 * silently. Each account has its own MSAL PublicClientApplication whose token cache is encrypted with AES-256-GCM
 * (key from options) before it reaches the {@link TokenCacheStore}.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { type ICachePlugin, PublicClientApplication, type TokenCacheContext } from '@azure/msal-node';
import { z } from 'zod';
import type { TokenCacheStore } from '../../ports/presence/token-cache-store.js';
import type { TokenSource } from './app-token.js';
import { GraphAuthError } from './graph-errors.js';
import { authorityMetadataFor, createMsalNetwork, isLoopbackHttp } from './msal-network.js';

/** Schema of {@link DelegatedTokensOptions}. */
export const delegatedTokensOptionsSchema = z.object({
  tenantId: z.string().min(1),
  /** The app registration's client id (a public client flow must be allowed on it). */
  clientId: z.string().min(1),
  /** Identity platform base URL. Default `https://login.microsoftonline.com`. */
  authorityBaseUrl: z.url().default('https://login.microsoftonline.com'),
  /** Delegated scopes. Default `Presence.Read.All` (with `offline_access` for refresh tokens). */
  scopes: z.array(z.string()).default(['https://graph.microsoft.com/Presence.Read.All', 'offline_access']),
  /** Token cache key: 32 bytes, base64 (from the environment via the config module). Required. */
  cacheKeyBase64: z.string().refine((k) => Buffer.from(k, 'base64').length === 32, 'must be 32 bytes in base64'),
});

/** Options of the delegated token sources. */
export type DelegatedTokensOptions = z.input<typeof delegatedTokensOptionsSchema>;

/** Encrypts a cache blob: base64(iv ‖ tag ‖ ciphertext). */
export function sealCache(plain: string, key: Buffer): string {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', key, iv);
  const data = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
  return Buffer.concat([iv, c.getAuthTag(), data]).toString('base64');
}

/** Decrypts {@link sealCache}'s output; throws when the key is wrong or the blob was altered. */
export function openCache(sealed: string, key: Buffer): string {
  const b = Buffer.from(sealed, 'base64');
  const d = createDecipheriv('aes-256-gcm', key, b.subarray(0, 12));
  d.setAuthTag(b.subarray(12, 28));
  return Buffer.concat([d.update(b.subarray(28)), d.final()]).toString('utf8');
}

/** Delegated token sources for subscriber accounts. */
export class DelegatedTokens {
  readonly #o: z.output<typeof delegatedTokensOptionsSchema>;
  readonly #key: Buffer;
  readonly #apps = new Map<string, PublicClientApplication>();

  constructor(
    options: DelegatedTokensOptions,
    readonly store: TokenCacheStore,
  ) {
    this.#o = delegatedTokensOptionsSchema.parse(options);
    this.#key = Buffer.from(this.#o.cacheKeyBase64, 'base64');
  }

  #app(account: string): PublicClientApplication {
    let app = this.#apps.get(account);
    if (app) return app;
    const key = this.#key;
    const store = this.store;
    const plugin: ICachePlugin = {
      async beforeCacheAccess(ctx: TokenCacheContext) {
        const sealed = await store.get(account);
        if (sealed) ctx.tokenCache.deserialize(openCache(sealed, key));
      },
      async afterCacheAccess(ctx: TokenCacheContext) {
        if (ctx.cacheHasChanged) await store.set(account, sealCache(ctx.tokenCache.serialize(), key));
      },
    };
    const meta = authorityMetadataFor(this.#o.authorityBaseUrl, this.#o.tenantId);
    app = new PublicClientApplication({
      auth: {
        clientId: this.#o.clientId,
        authority: meta.authority,
        knownAuthorities: meta.knownAuthorities,
        authorityMetadata: meta.authorityMetadata,
        cloudDiscoveryMetadata: meta.cloudDiscoveryMetadata,
      },
      cache: { cachePlugin: plugin },
      system: {
        networkClient: createMsalNetwork(
          isLoopbackHttp(this.#o.authorityBaseUrl) ? new URL(this.#o.authorityBaseUrl).origin : undefined,
        ),
      },
    });
    this.#apps.set(account, app);
    return app;
  }

  /**
   * Signs an account in with the device code flow (once, by an admin). `onDeviceCode` receives the user code and
   * the message to show ("open … and enter the code …"). Resolves with the signed-in username.
   */
  async signIn(account: string, onDeviceCode: (userCode: string, message: string) => void): Promise<string> {
    const result = await this.#app(account)
      .acquireTokenByDeviceCode({
        scopes: this.#o.scopes,
        deviceCodeCallback: (r) => onDeviceCode(r.userCode, r.message),
      })
      .catch((err: unknown) => {
        throw new GraphAuthError((err as { errorCode?: string }).errorCode ?? 'device_code_failed', err);
      });
    if (!result?.accessToken) throw new GraphAuthError('empty_token');
    return result.account?.username ?? account;
  }

  /** Forgets every signed-in identity held for `account` (e.g. after someone else signed in with its code). */
  async forget(account: string): Promise<void> {
    const cache = this.#app(account).getTokenCache();
    for (const acc of await cache.getAllAccounts()) await cache.removeAccount(acc);
  }

  /** A token source for an account signed in before: silent acquisition (refresh token when needed). */
  tokenSource(account: string): TokenSource {
    return {
      getToken: async () => {
        const app = this.#app(account);
        const accounts = await app.getTokenCache().getAllAccounts();
        const acc = accounts.find((a) => a.username.toLowerCase() === account.toLowerCase()) ?? accounts[0];
        if (!acc) throw new GraphAuthError('account_not_signed_in');
        try {
          const r = await app.acquireTokenSilent({ account: acc, scopes: this.#o.scopes });
          if (!r?.accessToken) throw new GraphAuthError('empty_token');
          return r.accessToken;
        } catch (err) {
          if (err instanceof GraphAuthError) throw err;
          throw new GraphAuthError((err as { errorCode?: string }).errorCode ?? 'silent_failed', err);
        }
      },
    };
  }
}
