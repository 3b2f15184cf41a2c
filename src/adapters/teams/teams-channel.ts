/**
 * The knowledge workers' {@link ParticipantChannel} in Teams: each effect is carried out by the
 * {@link TeamsMessenger}, and what Teams answers decides what follows. A knowledge worker Teams refuses is marked
 * unreachable (so routing leaves them out and names why); when the Bot Connector no longer knows the conversation it
 * is forgotten, so the next offer installs the app again; a preview that could not be delivered ends its invitation
 * at once, so the request moves on without waiting for its time-out; a delivered preview clears an old mark.
 */
import type { Logger } from 'pino';
import type { SendPreview } from '../../domain/interaction/effects.js';
import type { InteractionCommands } from '../../ports/interaction-commands.js';
import type { ParticipantChannel, PersonEffect } from '../../ports/participant-channel.js';
import type { UnreachableMark } from '../../ports/reachability.js';
import type { ConversationReferenceStore } from '../../ports/teams/conversation-reference-store.js';
import type { TeamsMessenger } from './teams-messenger.js';
import { describeUnreachable, type TeamsReach } from './teams-reach.js';

/** What {@link TeamsChannel} needs. */
export interface TeamsChannelDeps {
  readonly messenger: Pick<TeamsMessenger, 'execute'>;
  readonly commands: InteractionCommands;
  /** The stored conversation references (one is forgotten when the Bot Connector no longer knows it). */
  readonly references: Pick<ConversationReferenceStore, 'delete'>;
  readonly reach: Pick<TeamsReach, 'mark' | 'clear' | 'isMarked'>;
  readonly logger: Logger;
}

/** Carries knowledge-worker effects to Teams and acts on what Teams answers. */
export class TeamsChannel implements ParticipantChannel {
  constructor(private readonly deps: TeamsChannelDeps) {}

  async send(id: string, effect: PersonEffect): Promise<void> {
    const { messenger, reach, references, logger } = this.deps;
    const outcome = await messenger.execute(effect, id);
    if (outcome.status === 'unreachable') {
      if (outcome.reason === 'not-installed') await references.delete(effect.to.id);
      const mark = await reach.mark(effect.to.id, outcome.reason, outcome.detail);
      logger.debug({ effectId: id, knowledgeWorker: effect.to.id, reason: outcome.reason }, 'effect not delivered');
      // The mark comes first, so routing, moving on, counts them unreachable and names why.
      if (effect.type === 'SendPreview') await this.#endUndeliverable(effect, mark);
    } else if (outcome.status === 'done' && effect.type === 'SendPreview' && reach.isMarked(effect.to.id)) {
      await reach.clear(effect.to.id);
    }
  }

  /**
   * Ends the invitation of a preview Teams refused. A repeat (the outbox runs the preview again after a crash) is
   * refused by the engine as already ended: nothing changes.
   */
  async #endUndeliverable(preview: SendPreview, mark: UnreachableMark): Promise<void> {
    const result = await this.deps.commands.execute({
      type: 'Undeliverable',
      interactionId: preview.interactionId,
      invitationId: preview.invitationId,
      reason: describeUnreachable(mark),
    });
    const refusal = result.ok ? undefined : result.refusal.code;
    this.deps.logger.debug(
      { interactionId: preview.interactionId, invitationId: preview.invitationId, refusal },
      refusal ? 'undeliverable preview: its invitation had ended' : 'undeliverable preview: its invitation ended',
    );
  }
}
