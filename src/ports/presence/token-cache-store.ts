/**
 * The token cache store port: MSAL token caches of subscriber accounts, stored as opaque (already encrypted)
 * strings keyed by account. Encryption happens before the store sees them (see `encrypted-token-cache.ts`).
 */

/** Persistence of encrypted token caches. */
export interface TokenCacheStore {
  get(account: string): Promise<string | undefined>;
  set(account: string, encrypted: string): Promise<void>;
}

/** In-memory token cache store. */
export class MemoryTokenCacheStore implements TokenCacheStore {
  readonly #map = new Map<string, string>();
  async get(account: string): Promise<string | undefined> {
    return this.#map.get(account);
  }
  async set(account: string, encrypted: string): Promise<void> {
    this.#map.set(account, encrypted);
  }
}
