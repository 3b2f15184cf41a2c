/**
 * Named leases shared by replicas on one database: a replica holds a lease until it expires, renews it while it
 * works, and another takes it over once it has expired. The store implements it (`adapters/store/lease-store.ts`).
 */

/** A lease as stored. */
export interface Lease {
  readonly name: string;
  /** The replica id of the holder. */
  readonly owner: string;
  /** Epoch ms after which the lease is free for anyone. */
  readonly expiresAt: number;
  /** When the current holder took it. */
  readonly acquiredAt: number;
}

/** Acquire, renew and release named leases. */
export interface Leases {
  /** Takes `name` for `owner` for `ttlMs` if it is free, expired or already `owner`'s; true when `owner` holds it. */
  acquire(name: string, owner: string, ttlMs: number): Promise<boolean>;
  /** Extends `owner`'s lease by `ttlMs` from now; false when `owner` no longer holds it. */
  renew(name: string, owner: string, ttlMs: number): Promise<boolean>;
  /** Gives the lease up at once, if `owner` holds it. */
  release(name: string, owner: string): Promise<void>;
  /** The unexpired leases whose names start with `prefix`, by name. */
  held(prefix?: string): Promise<Lease[]>;
}
