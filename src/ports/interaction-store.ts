/**
 * The durable store of interactions, facts and the effect outbox. Everything one command changes is written
 * in one transaction, so a crash re-executes effects and never loses them.
 */
import type { Effect } from '../domain/interaction/effects.js';
import type { Interaction } from '../domain/interaction/types.js';
import type { ResourceFact } from '../domain/reporting/resource-fact.js';
import type { InteractionOwner } from './interaction-commands.js';

/** An effect waiting in the outbox. `id` is stable: ports use it as the idempotency key. */
export interface OutboxItem {
  readonly id: string;
  readonly interactionId: string;
  readonly effect: Effect;
  readonly attempts: number;
}

/** An effect to put in the outbox, in the order it must run within its interaction. */
export interface OutboxEntry {
  readonly interactionId: string;
  readonly revision: number;
  readonly idx: number;
  readonly effect: Effect;
}

/** A pending invitation whose due time has come. */
export interface DueInvitation {
  readonly interactionId: string;
  readonly invitationId: string;
  readonly dueAt: number;
}

/** Thrown when another writer changed an interaction since it was loaded; the command is retried. */
export class RevisionConflictError extends Error {
  constructor(readonly interactionId: string) {
    super(`interaction ${interactionId} was changed concurrently`);
    this.name = 'RevisionConflictError';
  }
}

/**
 * What a command's commit claimed for the committing process (see {@link CommitOptions}): the effects it holds for
 * `leaseMs` and should carry out now, and the interactions whose new effects it left unclaimed because earlier
 * effects of theirs were still pending (whoever holds those claims these after them).
 */
export interface ClaimedAtCommit {
  readonly items: readonly OutboxItem[];
  readonly heldBack: readonly string[];
}

/** How a command's transaction commits, beyond its own writes. */
export interface CommitOptions {
  /**
   * Outbox effects the command completes (the routing request whose answer it is): marked done in the command's own
   * commit, when it writes anything, so a crash can never leave the answer committed and the request to answer it
   * again; effects the command queues do not wait for them.
   */
  readonly completes?: readonly string[] | undefined;
  /**
   * Claims, in the commit, the effects the command queues: those of an interaction with no earlier pending effect
   * are leased to the caller for `leaseMs`, and `claimed` is told after the commit. A store that cannot claim at
   * commit never calls `claimed` (its effects are claimed as usual).
   */
  readonly claim?: { readonly leaseMs: number; readonly claimed: (result: ClaimedAtCommit) => void } | undefined;
}

/** The work of one command, inside one transaction. */
export interface InteractionTx {
  load(ids: readonly string[]): Promise<Record<string, Interaction>>;
  /** Writes what changed between `before` (undefined for a new interaction) and `after`. */
  save(before: Interaction | undefined, after: Interaction): Promise<void>;
  recordFacts(facts: readonly ResourceFact[]): Promise<void>;
  enqueue(entries: readonly OutboxEntry[], now: number): Promise<void>;
  /**
   * Records the owner of an interaction this command created, committed with the rest of the command; an owner
   * already recorded for the id is kept.
   */
  recordOwner(interactionId: string, owner: InteractionOwner): Promise<void>;
}

/** Filters for reading resource facts. */
export interface FactQuery {
  readonly interactionId?: string | undefined;
  readonly from?: number | undefined;
  readonly to?: number | undefined;
}

/** The store port. */
export interface InteractionStore {
  /** Runs one command's work in one transaction, committed as `options` ask. */
  transaction<T>(work: (tx: InteractionTx) => Promise<T>, options?: CommitOptions): Promise<T>;
  get(id: string): Promise<Interaction | undefined>;
  /** Pending invitations due at or before `now`, oldest first. */
  dueInvitations(now: number, limit: number): Promise<DueInvitation[]>;
  /**
   * Claims pending invitations due at or before `now` for `leaseMs`, oldest first: while the claim holds, no other
   * caller (no other replica) gets them. A claim that runs out (its holder stopped) is taken again.
   */
  claimDueInvitations(now: number, limit: number, leaseMs: number): Promise<DueInvitation[]>;
  /** The earliest time a pending invitation is due (or, when claimed, its claim runs out). */
  nextDueAt(): Promise<number | null>;
  /**
   * Claims outbox effects ready to run, for `leaseMs`: for each interaction, its earliest pending effects in order,
   * stopping at the first one that is not yet available (so order is kept through retries).
   */
  claimOutbox(now: number, limit: number, leaseMs: number): Promise<OutboxItem[]>;
  /** Marks carried-out effects done (one write for the lot). */
  completeOutbox(ids: readonly string[]): Promise<void>;
  /** Gives claimed effects back without running them (they wait behind a failed one). */
  releaseOutbox(ids: readonly string[]): Promise<void>;
  /** Records a failed attempt: retried at `retryAt`, or given up (status failed) when `giveUp`. */
  failOutbox(id: string, error: string, retryAt: number, giveUp: boolean): Promise<void>;
  /** The earliest time the head of an interaction's pending effects becomes available (or its claim runs out). */
  nextOutboxAt(): Promise<number | null>;
  /** Counts outbox effects by status. */
  outboxCounts(): Promise<Record<string, number>>;
  facts(query?: FactQuery): Promise<ResourceFact[]>;
  close(): Promise<void>;
}
