/**
 * A draft of the engine state for one command: interactions are copied on first edit, effects collected.
 * The input state is never changed, so a refused command leaves no trace.
 */
import type { Effect } from './effects.js';
import type { EngineState, Interaction } from './types.js';

export class Draft {
  readonly effects: Effect[] = [];
  private readonly interactions: Record<string, Interaction>;
  private readonly edited = new Set<string>();

  constructor(
    state: EngineState,
    /** The command's time, epoch milliseconds. */
    readonly now: number,
  ) {
    this.interactions = { ...state.interactions };
  }

  /** Reads an interaction (do not change the object returned; call `edit`). */
  get(id: string): Interaction | undefined {
    return this.interactions[id];
  }

  /** Returns a private copy of the interaction to change; the copy's revision is bumped once. */
  edit(id: string): Interaction {
    const current = this.interactions[id];
    if (!current) throw new Error(`interaction ${id} is not in the draft`);
    if (this.edited.has(id)) return current;
    const copy = structuredClone(current);
    copy.revision += 1;
    this.interactions[id] = copy;
    this.edited.add(id);
    return copy;
  }

  /** Adds a new interaction. */
  create(interaction: Interaction): Interaction {
    this.interactions[interaction.id] = interaction;
    this.edited.add(interaction.id);
    return interaction;
  }

  emit(effect: Effect): void {
    this.effects.push(effect);
  }

  /** The new state and its effects. */
  finish(): { state: EngineState; effects: Effect[]; changed: string[] } {
    return { state: { interactions: this.interactions }, effects: this.effects, changed: [...this.edited] };
  }
}
