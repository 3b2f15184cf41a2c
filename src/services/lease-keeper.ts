/**
 * Keeps a fair share of a set of named leases (for example presence subscription shards or poll shards) on this
 * replica: each round it renews what it holds, counts the live replicas of its group (each holds a membership
 * lease), gives back what exceeds its share, and takes free or expired leases up to its share. When a replica
 * dies, its leases expire and the others take them over; when one joins, the others hand some over.
 */
import type { Logger } from 'pino';
import type { Leases } from '../ports/leases.js';

/** Options for {@link LeaseKeeper}. */
export interface LeaseKeeperOptions {
  readonly leases: Leases;
  /** This replica's id (see `newReplicaId`). */
  readonly owner: string;
  /** The group's name: membership leases are `<group>/members/<owner>`, work leases `<group>/<name>`. */
  readonly group: string;
  /** The leases to share out, e.g. `shard-0` … `shard-15`. */
  readonly names: readonly string[];
  /** How long a lease lives without renewal. Rounds run every third of it. */
  readonly ttlMs: number;
  /** Called when this replica starts holding a lease: start its work. */
  readonly onAcquired: (name: string) => void;
  /** Called when this replica stops holding a lease (lost, handed over or stopped): stop its work. */
  readonly onLost: (name: string) => void;
  readonly logger: Logger;
}

export class LeaseKeeper {
  private readonly holding = new Set<string>();
  private timer: NodeJS.Timeout | null = null;
  private round: Promise<void> | null = null;

  constructor(private readonly options: LeaseKeeperOptions) {}

  /** The names this replica holds now. */
  get held(): ReadonlySet<string> {
    return this.holding;
  }

  /** One round: renew, count members, hand over the excess, take up to the fair share. */
  async tick(): Promise<void> {
    const { leases, owner, group, names, ttlMs } = this.options;
    await leases.acquire(`${group}/members/${owner}`, owner, ttlMs);
    for (const name of [...this.holding]) {
      if (!(await leases.renew(`${group}/${name}`, owner, ttlMs))) this.drop(name);
    }
    const members = (await leases.held(`${group}/members/`)).length;
    const share = Math.ceil(names.length / Math.max(1, members));
    for (const name of [...this.holding].sort().slice(share)) {
      await leases.release(`${group}/${name}`, owner);
      this.drop(name);
    }
    for (const name of names) {
      if (this.holding.size >= share) break;
      if (this.holding.has(name)) continue;
      if (await leases.acquire(`${group}/${name}`, owner, ttlMs)) {
        this.holding.add(name);
        this.options.onAcquired(name);
      }
    }
  }

  /** Runs rounds every `ttlMs / 3`, starting now. */
  start(): void {
    const run = () => {
      this.round ??= this.tick()
        .catch((error: unknown) => {
          // Unsure whether the leases are still ours: stop their work (taken up again next round if they are).
          this.options.logger.warn({ err: (error as Error).message }, 'lease round failed; letting go of held work');
          for (const name of [...this.holding]) this.drop(name);
        })
        .finally(() => {
          this.round = null;
        });
    };
    run();
    this.timer = setInterval(run, Math.max(100, Math.floor(this.options.ttlMs / 3)));
    this.timer.unref();
  }

  /** Stops, and releases every lease (and the membership) so others take over at once. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.round;
    const { leases, owner, group } = this.options;
    for (const name of [...this.holding]) {
      this.drop(name);
      await leases.release(`${group}/${name}`, owner);
    }
    await leases.release(`${group}/members/${owner}`, owner);
  }

  private drop(name: string): void {
    if (this.holding.delete(name)) this.options.onLost(name);
  }
}
