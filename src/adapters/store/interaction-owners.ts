/**
 * The contact centers of interactions (`api_interactions`), as this replica has learnt them. An interaction's owner
 * is written in the statement that creates the interaction and never changes, so what is known is kept without
 * invalidation: the interaction store tells it the owners of the interactions its commands create and of those it
 * loads (the load carries them in its one round trip), and the event log reads the rest once.
 */

/** How many interactions' contact centers are kept by default. */
const DEFAULT_CAPACITY = 20_000;

/** Interactions' contact centers known here, the most recently learnt ones. */
export class InteractionOwners {
  readonly #known = new Map<string, string | null>();

  constructor(private readonly capacity = DEFAULT_CAPACITY) {}

  /**
   * The contact center of an interaction: its name, null when it was created without one (not through the agent
   * API), undefined when not known here.
   */
  get(interactionId: string): string | null | undefined {
    return this.#known.get(interactionId);
  }

  /** Remembers an interaction's contact center (null: it has none), as stored. */
  learn(interactionId: string, contactCenter: string | null): void {
    if (this.#known.has(interactionId)) return;
    if (this.#known.size >= this.capacity) this.#known.delete(this.#known.keys().next().value as string);
    this.#known.set(interactionId, contactCenter);
  }
}
