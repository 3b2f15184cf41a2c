/**
 * Named leases in the database (table `leases`): a replica holds a lease until it expires, renews it while it
 * works, and another replica takes it over once it has expired (the holder stopped or lost the database). Every
 * change is one compare-and-set statement, so two replicas never hold one lease at once (as long as holders stop
 * acting on a lease when a renewal fails). Same SQL on SQLite and PostgreSQL.
 */
import type { Kysely } from 'kysely';
import type { Clock } from '../../ports/clock.js';
import type { Lease, Leases } from '../../ports/leases.js';
import type { Database } from './schema.js';

export type { Lease } from '../../ports/leases.js';

/** Acquire, renew and release named leases. */
export class LeaseStore implements Leases {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
  ) {}

  /**
   * Takes `name` for `owner` for `ttlMs` if it is free, expired, or already `owner`'s (then it is extended).
   * Returns true when `owner` holds it afterwards.
   */
  async acquire(name: string, owner: string, ttlMs: number): Promise<boolean> {
    const now = this.clock.now();
    const row = await this.db
      .insertInto('leases')
      .values({ name, owner, expires_at: now + ttlMs, acquired_at: now })
      .onConflict((oc) =>
        oc
          .column('name')
          .doUpdateSet((eb) => ({
            owner: eb.ref('excluded.owner'),
            expires_at: eb.ref('excluded.expires_at'),
            acquired_at: eb
              .case()
              .when('leases.owner', '=', owner)
              .then(eb.ref('leases.acquired_at'))
              .else(eb.ref('excluded.acquired_at'))
              .end(),
          }))
          .where((eb) => eb.or([eb('leases.owner', '=', owner), eb('leases.expires_at', '<=', now)])),
      )
      .returning('owner')
      .executeTakeFirst();
    return row?.owner === owner;
  }

  /**
   * Extends `owner`'s lease by `ttlMs` from now. False when `owner` no longer holds it (another replica took it
   * over after it expired): the caller must stop the work the lease guarded.
   */
  async renew(name: string, owner: string, ttlMs: number): Promise<boolean> {
    const result = await this.db
      .updateTable('leases')
      .set({ expires_at: this.clock.now() + ttlMs })
      .where('name', '=', name)
      .where('owner', '=', owner)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Gives the lease up at once (a clean stop), if `owner` holds it. */
  async release(name: string, owner: string): Promise<void> {
    await this.db.deleteFrom('leases').where('name', '=', name).where('owner', '=', owner).execute();
  }

  /** The unexpired leases whose names start with `prefix`, by name. */
  async held(prefix = ''): Promise<Lease[]> {
    const rows = await this.db
      .selectFrom('leases')
      .selectAll()
      .where('expires_at', '>', this.clock.now())
      .orderBy('name')
      .execute();
    return rows
      .filter((r) => r.name.startsWith(prefix))
      .map((r) => ({
        name: r.name,
        owner: r.owner,
        expiresAt: Number(r.expires_at),
        acquiredAt: Number(r.acquired_at),
      }));
  }
}
